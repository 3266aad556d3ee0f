"""A run named by its bare id is never taken from a file of that name in the working
directory when the runs directory holds the run: anyone who may write the directory an
operator stands in (/tmp, a shared folder) could put a run of their own there, named as
the team's, and take the operator's commands and notes (journal/run_files.run_path)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from cutover_tui.cli import main
from tests.journal_support import new_run


def notes(path: Path) -> list[str]:
    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT body FROM events WHERE type = 'note-added' ORDER BY seq")
        return [body.split('"text":"')[1].split('"')[0] for (body,) in rows]
    finally:
        db.close()


@pytest.fixture
def decoyed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path, Path]:
    """The team's run in the runs directory, and a run of someone else's in the working
    directory under the team's run id; this user's facts of the team's run fresh (so the
    fast path, cli/do_fast.py, would take a note)."""
    team = new_run(tmp_path / "runs", steps=3)
    run_id, real = team.run_id, Path(team.path)
    team.close()
    theirs = new_run(tmp_path / "theirs", steps=3)
    here = tmp_path / "shared"
    here.mkdir()
    decoy = here / run_id
    theirs.close()  # its events out of the -wal file, into the one copied
    shutil.copyfile(theirs.path, decoy)
    monkeypatch.chdir(here)
    monkeypatch.setenv("CUTOVER_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    assert main(["do", str(real), "note", "--note", "first"]) == 0  # keeps this user's facts
    return run_id, real, decoy


@pytest.mark.parametrize("words", [["note", "--note", "secret"], ["start", "s0"]])
def test_a_decoy_in_the_working_directory_takes_no_command(
    decoyed: tuple[str, Path, Path], capsys: pytest.CaptureFixture, words: list[str]
) -> None:
    run_id, real, decoy = decoyed
    capsys.readouterr()
    assert main(["do", run_id, *words]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert f"'{run_id}' is both the file {run_id} here and the run {real}" in err
    assert notes(decoy) == [] and notes(real) == ["first"]
    db = sqlite3.connect(decoy)
    assert db.execute("SELECT count(*) FROM events").fetchone()[0] == 1  # its start alone
    db.close()


def test_each_is_reached_by_its_path(decoyed: tuple[str, Path, Path]) -> None:
    run_id, real, decoy = decoyed
    assert main(["do", f"./{run_id}", "note", "--note", "here"]) == 0
    assert main(["do", str(real), "note", "--note", "there"]) == 0
    assert notes(decoy) == ["here"] and notes(real) == ["first", "there"]


def test_a_bare_id_in_the_runs_directory_itself_is_one_run(
    decoyed: tuple[str, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Standing in the runs directory (docs/jump-host.md has operators `cd` there), the id
    and the file are the same run: no question asked."""
    run_id, real, _decoy = decoyed
    monkeypatch.chdir(real.parent)
    assert main(["do", f"{run_id}.db", "note", "--note", "in place"]) == 0
    assert main(["do", run_id, "note", "--note", "by id"]) == 0
    assert notes(real) == ["first", "in place", "by id"]

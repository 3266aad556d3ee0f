"""How a run is named, against those who may write a run file or the directory a command is
typed in. A run named by its bare id is never taken from a file of that name in the working
directory when the runs directory holds the run: anyone who may write the directory an
operator stands in (/tmp, a shared folder) could put a run of their own there, named as
the team's, and take the operator's commands and notes (journal/run_files.run_path). And a
run file whose id is not one cutover makes (a path: `../../x`, `/home/alice/x`) is refused:
commands name files after the id (the memory of heads, an export, a review)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from pathlib import Path
from unittest import mock

import pytest

from cutover_tui.cli import main
from cutover_tui.engine.events import RunStarted
from cutover_tui.journal import store
from cutover_tui.journal.backend import create_at
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from tests.journal_support import at, new_run, plan_text


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


@pytest.mark.parametrize("planted", ["a run", "a plan"])
def test_export_by_a_bare_id_takes_no_decoy_either(
    decoyed: tuple[str, Path, Path], capsys: pytest.CaptureFixture, planted: str
) -> None:
    """`cutover export ID --csv` reads ID as a plan file when a file of that name is here: a
    plan planted under the team's run id was exported as the run's sheet (and a run planted
    there said 'cannot read the plan: utf-8 ...'). It is refused as every command does."""
    run_id, real, decoy = decoyed
    if planted == "a plan":
        decoy.write_text(plan_text(steps=1).replace('title = "Journal test"', 'title = "Theirs"'))
    capsys.readouterr()
    assert main(["export", run_id, "--csv"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert f"'{run_id}' is both the file {run_id} here and the run {real}" in err
    assert sorted(p.name for p in decoy.parent.iterdir()) == [run_id]  # no sheet written
    assert main(["export", str(real), "--csv", "--out", "ours.csv"]) == 0  # by its path
    for where in (real.parent, decoy.parent):  # a plan file is a plan, one there or not
        (where / "jt.toml").write_text(plan_text(steps=1))
    assert main(["export", "jt.toml", "--csv", "--out", "plan.csv"]) == 0
    assert "s0,,Step 0,task,boss,10m" in (decoy.parent / "plan.csv").read_text()


def run_named(directory: Path, run_id: str) -> Path:
    """A run file whose meta names it `run_id`, sealed as any run (a group member can make
    such a file: the runs directory is theirs to write, and the seal theirs to compute)."""
    journal = create_at(
        directory, parse_plan(plan_text(3), name="p.toml"), rehearsal=False, created_by="x"
    )
    path = Path(journal.path)
    journal.close()
    db = sqlite3.connect(path, isolation_level=None)
    (guard,) = db.execute("SELECT sql FROM sqlite_master WHERE name = 'meta_no_update'").fetchone()
    db.execute("DROP TRIGGER meta_no_update")
    db.execute("UPDATE meta SET value = ? WHERE key = 'run_id'", (run_id,))
    db.execute(guard)
    db.close()
    with mock.patch.object(store, "run_id_problem", lambda _run_id: None):  # a hand's Journal
        journal = Journal(path)
        journal.append(RunStarted(actor="boss", at=at(0), plan_id="jt", key=uuid.uuid4().hex))
        journal.close()
    return path


@pytest.mark.parametrize(
    "words",
    [["status"], ["export", "--csv"], ["do", "note", "--note", "x"], ["verify"]],
    ids=["status", "export", "do", "verify"],
)
def test_a_run_whose_id_is_a_path_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, words: list[str]
) -> None:
    """`cutover export evil --csv` wrote /home/alice/x.csv for a run id `/home/alice/x`, and
    every guarded read wrote the memory of heads where the id pointed."""
    escaped = tmp_path / "escaped"
    escaped.mkdir()
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    path = run_named(tmp_path / "runs", f"{escaped}/mine")
    command, *more = words
    argv = [command, str(path), *more]
    assert main(argv) == 1
    _out, err = capsys.readouterr()
    assert err.count("\n") == 1 and "is not one cutover makes" in err, err
    assert os.listdir(escaped) == [] and os.listdir(here) == []


def test_a_listing_names_such_a_run_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    run_named(tmp_path / "runs", "../../../x")
    capsys.readouterr()
    main(["runs", "--runs", str(tmp_path / "runs")])
    out = capsys.readouterr().out
    assert "UNREADABLE: its run id '../../../x' is not one cutover makes" in out, out


def test_a_run_id_too_long_for_a_file_name_is_said_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """A 300-character id passed PLAIN_ID, and the OS said it: `cutover export` "cannot read
    ...: File name too long" (review, 2026-12-03). A run id names files (RUN.db-wal, RUN.csv):
    at most 200 characters, said by every command, and no run is made that could not be
    opened again."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    runs = ["--runs", str(tmp_path / "runs")]
    new_run(tmp_path / "runs", steps=1).close()
    long = "a" * 300
    for words in (["status", long], ["export", long, "--csv"], ["do", long, "note", "--note", "x"]):
        assert main([*words, *runs]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"cutover {words[0]}: no run '{'a' * 40}…': its id " in err
        assert "has 300 characters, more than the 200 a run id may have" in err, err
    path = run_named(tmp_path / "hand", "b" * 201)  # a run file's own id, made by hand
    assert main(["status", str(path)]) == 1
    assert "its run id 'bbbb" in capsys.readouterr().err
    plan = tmp_path / "long.toml"
    plan.write_text(plan_text(1).replace('id = "jt"', f'id = "{"p" * 190}"', 1))
    assert main(["start", str(plan), "--runs", str(tmp_path / "new")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "would have an id of 206 characters" in err, err
    assert not (tmp_path / "new").exists() and sorted(os.listdir(tmp_path)) == [
        "hand",
        "long.toml",
        "runs",
        "state",
    ]

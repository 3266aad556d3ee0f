"""Each user's memory of heads seen (journal/seen.py) is written only in a `seen` folder of
their own, never through a symlink: under `sudo -E` root must not write where another user's
link points (journal/private_dir.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cutover_tui.journal import seen
from tests.journal_support import new_run

RUN = Path("/srv/runs/r1.cutover")


def test_a_memory_is_kept_and_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    seen.remember("r1", RUN, 5, "ab" * 32)
    seen.remember("r1", RUN, 3, "cd" * 32)  # a lower seq never replaces a higher one
    assert seen.recall("r1", RUN) is not None and seen.recall("r1", RUN).seq == 5
    assert (tmp_path / "state" / "seen").stat().st_mode & 0o077 == 0
    assert [p.name for p in (tmp_path / "state" / "seen").iterdir() if p.suffix != ".json"] == []


@pytest.mark.parametrize("link", ["state", "seen"])
def test_a_symlinked_state_or_seen_dir_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, link: str
) -> None:
    victim = tmp_path / "victim"
    (victim / "seen").mkdir(parents=True)
    state = tmp_path / "state"
    if link == "state":
        state.symlink_to(victim)
        target = victim / "seen"
    else:
        state.mkdir()
        (state / "seen").symlink_to(victim / "seen")
        target = victim / "seen"
    monkeypatch.setenv("CUTOVER_STATE", str(state))
    seen.remember("r1", RUN, 5, "ab" * 32)
    assert os.listdir(target) == []
    assert seen.recall("r1", RUN) is None


def test_a_seen_dir_of_another_user_is_neither_read_nor_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    seen.remember("r1", RUN, 5, "ab" * 32)
    folder = tmp_path / "state" / "seen"
    try:
        os.chown(folder, 65534, 65534)
    except PermissionError:
        pytest.skip("these tests cannot chown (not root): another user's directory untested")
    before = sorted(os.listdir(folder))
    assert seen.recall("r1", RUN) is None  # their memory is no evidence of ours
    seen.remember("r2", RUN, 7, "cd" * 32)
    assert sorted(os.listdir(folder)) == before


@pytest.mark.parametrize("form", ["relative", "absolute"])
def test_a_run_id_holding_a_path_keeps_its_memory_in_the_seen_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    """The memory's file is named after the run's id, which the run file says: an id such as
    `../../x` or `/home/alice/x` wrote the memory outside the private folder, through any
    link on the way (as root: anywhere). Journal refuses such a run (tests/test_run_names.py);
    the memory is named by the id's digest all the same."""
    state = tmp_path / "deep" / "state"
    escaped = tmp_path / "escaped"
    escaped.mkdir()
    run_id = "../../../escaped/mine" if form == "relative" else f"{escaped}/mine"
    monkeypatch.setenv("CUTOVER_STATE", str(state))
    seen.remember(run_id, RUN, 1, "ab" * 32)
    assert os.listdir(escaped) == []
    (memory,) = os.listdir(state / "seen")  # kept all the same, in the folder
    assert "/" not in memory and seen.recall(run_id, RUN).seq == 1


def test_a_private_file_is_one_name_in_its_folder(tmp_path: Path) -> None:
    """Whatever a caller names: journal/private_dir.py reads and writes in the folder only."""
    from cutover_tui.journal.private_dir import read_private, write_private

    state = tmp_path / "state"
    write_private(state, "seen", "mine", b"kept")
    outside = tmp_path / "outside"
    outside.write_bytes(b"theirs")
    for name in ("../../outside", str(outside)):
        write_private(state, "seen", name, b"written")
        assert read_private(state, "seen", name) is None
    assert outside.read_bytes() == b"theirs"
    assert read_private(state, "seen", "mine") == b"kept"


@pytest.mark.parametrize("variable", ["XDG_STATE_HOME", "CUTOVER_STATE"])
def test_a_relative_state_directory_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, variable: str
) -> None:
    """Typed in the shared runs directory with a relative XDG_STATE_HOME, the private
    folders were made there (any group member could move them away and back, and with them
    this user's memory of heads): a relative path is ignored, as the XDG spec says."""
    from cutover_tui.cli import main

    runs = tmp_path / "runs"
    journal = new_run(runs, steps=3)
    journal.close()
    path = Path(journal.path)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.delenv("CUTOVER_STATE", raising=False)
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv(variable, "state")
    monkeypatch.chdir(runs)
    assert main(["status", path.name]) == 0, capsys.readouterr().err
    assert sorted(p.name for p in runs.iterdir() if p.is_dir()) == []
    assert len(os.listdir(home / ".local" / "state" / "cutover" / "seen")) == 1

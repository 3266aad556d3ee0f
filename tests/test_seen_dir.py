"""Each user's memory of heads seen (journal/seen.py) is written only in a `seen` folder of
their own, never through a symlink: under `sudo -E` root must not write where another user's
link points (journal/private_dir.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cutover_tui.journal import seen

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

"""A writer killed between its write and its rename (SIGKILL, the OOM killer, a power cut)
leaves its temporary file in the private folder (journal/private_dir.write_private_file);
the facts' and the plan cache's pruning remove such files once they are stale, and never a
live writer's (tests with real commands: `cutover do` keeps facts and caches the plan)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from cutover_tui.cli import main
from cutover_tui.journal import plan_cache, store
from tests.journal_support import new_run


def left_behind(folder: Path, age: float, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f".writing-{name}.tmp"
    path.write_bytes(b"x" * 4096)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


@pytest.mark.parametrize("folder", ["do", "plans"])
def test_a_killed_writers_temporary_file_is_removed_once_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str
) -> None:
    state = tmp_path / "state"
    monkeypatch.setenv("CUTOVER_STATE", str(state))
    store._stored_plan.cache_clear()  # the per-process memo would spare the cache's write
    stale = left_behind(state / folder, 3600, "0123456789abcdef")
    live = left_behind(state / folder, 1, "fedcba9876543210")  # a writer still at it
    other = state / folder / ".writing-not-ours.tmp"
    other.write_bytes(b"kept")
    os.utime(other, (1, 1))
    journal = new_run(tmp_path / "runs", steps=3)
    journal.close()
    assert (
        main(["do", journal.run_id, "note", "--note", "x", "--runs", str(tmp_path / "runs")]) == 0
    )
    assert not stale.exists() and live.exists() and other.exists()
    if folder == "plans":
        assert any(p.suffix == ".plan" for p in (state / folder).iterdir()), plan_cache.KEEP

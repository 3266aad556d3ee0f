"""A FIFO named like a run in the runs directory (any group member can make one) is not a
run: the listing names it without opening it, lookup and the rehearsal search pass it by
instead of hanging on its open
(hostile review, 2026-12-02: `cutover runs` hung, and war rooms opened after it could not
be quit). Real processes: a hang fails at the subprocess's timeout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cutover_tui.journal.run_files import run_files
from tests.journal_support import new_run


def cutover(runs: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", *args],
        env=dict(os.environ, CUTOVER_RUNS=str(runs)),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_fifo_named_like_a_run_is_passed_by(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    journal = new_run(runs)
    os.mkfifo(runs / "a-fifo.db")
    assert run_files(runs) == [Path(journal.path)]
    listed = cutover(runs, "runs")
    assert listed.returncode == 0, listed.stderr
    assert journal.run_id in listed.stdout  # and the FIFO named, never opened:
    assert [line for line in listed.stdout.splitlines() if "a-fifo" in line and "regular" in line]
    opened = cutover(runs, "status", "a-fifo")
    assert opened.returncode == 1 and "Traceback" not in opened.stderr
    assert "no run 'a-fifo'" in opened.stderr

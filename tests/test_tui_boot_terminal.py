"""`cutover run RUN` on a real pty: the boot's sketch, the war room taking over, and leaving
cleanly on SIGTERM with the lease given back (tui/boot.py hands its terminal guard over)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from cutover_tui.cli import main
from cutover_tui.journal.run_lookup import list_runs
from tests.test_cli_warroom import ROOT, read_until, spawn
from tests.test_tui_terminal import ALT_SCREEN_OFF, MOUSE_OFF, _exit_status, _lease, _wait


def test_run_by_id_sketches_takes_over_and_leaves_cleanly_on_sigterm(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    assert main(["start", str(ROOT / "plans" / "online-store.toml"), "--rehearsal",
                 "--runs", str(runs)]) == 0  # fmt: skip
    (run,) = list_runs(runs)
    pid, fd = spawn("run", run.run_id, runs=runs)
    # The war room's panes (the timeline's title), after the boot's sketch ("steps done").
    screen = read_until(fd, b"Timeline")
    assert b"steps done" in screen and b"working out the schedule" in screen
    assert b"Timeline" in screen
    assert _wait(lambda: _lease(run.path) != []), "the war room that took over conducts"
    os.kill(pid, signal.SIGTERM)
    after = bytearray()
    status = _exit_status(pid, fd, after)
    os.close(fd)
    assert status == 128 + signal.SIGTERM
    tail = bytes(after[-200:])
    assert ALT_SCREEN_OFF in tail and MOUSE_OFF in tail, tail
    assert _lease(run.path) == [], "the lease is free for the next war room at once"

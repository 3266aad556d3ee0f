"""The war room leaves cleanly when told to go or when its terminal goes away (real processes).

Regressions: SIGTERM left the terminal in the alternate screen with mouse tracking on and kept
the conductor lease until it expired; a war room with no controlling terminal (started through
`su -c` or on a kiosk display) whose terminal was closed never exited and spun at 20-50 % of a
core on read() == 0 (issue 11; issue 12 finding 7).
"""

from __future__ import annotations

import fcntl
import os
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from cutover_tui.cli import main
from cutover_tui.journal.run_lookup import list_runs
from tests.test_cli_warroom import ROOT, read_until, spawn
from tests.waiting import exited, until

ALT_SCREEN_OFF = b"\x1b[?1049l"
MOUSE_OFF = b"\x1b[?1000l"
EXIT_WITHIN = 20.0  # seconds: generous for a loaded machine; the exit is polled for


def _lease(run_path: Path) -> list[tuple]:
    with sqlite3.connect(run_path) as db:
        return db.execute("SELECT holder FROM lease").fetchall()


def _wait(condition, timeout: float = EXIT_WITHIN) -> bool:
    try:
        until(condition, "the war room's run and lease", timeout)
    except AssertionError:
        return False
    return True


def _started_war_room(runs: Path) -> tuple[int, int, Path]:
    """`cutover run PLAN --rehearsal` on a pty, painted and holding the conductor lease."""
    pid, fd = spawn("run", "plans/online-store.toml", "--rehearsal", runs=runs)
    assert b"REHEARSAL" in read_until(fd, b"REHEARSAL")
    assert _wait(lambda: len(list_runs(runs)) == 1)
    run = list_runs(runs)[0].path
    assert _wait(lambda: _lease(run) != [])
    return pid, fd, run


def _exit_status(pid: int, fd: int | None, seen: bytearray) -> int | None:
    """Wait for the child, draining its terminal; None if it is still running at the end."""
    deadline = time.monotonic() + EXIT_WITHIN
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            if fd is not None:
                seen += read_until(fd, b"\x00", timeout=0.2)  # whatever is still buffered
            return os.waitstatus_to_exitcode(status)
        if fd is not None:
            seen += read_until(fd, b"\x00", timeout=0.1)
        elif (code := exited(pid, max(0.0, deadline - time.monotonic()))) is not None:
            return code
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None


def test_sigterm_restores_the_terminal_and_releases_the_lease(tmp_path: Path) -> None:
    pid, fd, run = _started_war_room(tmp_path / "runs")
    os.kill(pid, signal.SIGTERM)
    after = bytearray()
    status = _exit_status(pid, fd, after)
    os.close(fd)
    assert status == 128 + signal.SIGTERM
    tail = bytes(after[-200:])
    # The alternate screen is left and mouse tracking switched off, last thing written.
    assert ALT_SCREEN_OFF in tail and MOUSE_OFF in tail, tail
    assert tail.rindex(ALT_SCREEN_OFF) > tail.rfind(b"\x1b[?1049h")
    assert _lease(run) == [], "the lease is free for the next war room at once"


def test_a_hung_up_terminal_ends_the_war_room_and_releases_the_lease(tmp_path: Path) -> None:
    # The SSH session dropped: closing the pty's master hangs up the terminal (SIGHUP).
    pid, fd, run = _started_war_room(tmp_path / "runs")
    os.close(fd)
    assert _exit_status(pid, None, bytearray()) == 128 + signal.SIGHUP
    assert _lease(run) == []


def test_a_war_room_without_a_controlling_terminal_exits_when_its_terminal_closes(
    tmp_path: Path,
) -> None:
    runs = tmp_path / "runs"
    assert main(["start", str(ROOT / "plans" / "online-store.toml"), "--rehearsal",
                 "--runs", str(runs)]) == 0  # fmt: skip
    (run,) = list_runs(runs)
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
    # A new session that never opens a terminal: like `su -c`, no controlling terminal, so
    # closing the terminal sends no SIGHUP; only end of input and failed writes say it.
    follower = subprocess.Popen(
        [sys.executable, "-m", "cutover_tui.cli", "follow", run.run_id, "--runs", str(runs)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
        cwd=ROOT,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    os.close(slave)
    try:
        assert b"read-only" in read_until(master, b"read-only")
        os.close(master)
        assert _wait(lambda: follower.poll() is not None), "still running on a closed terminal"
        assert _lease(run.path) == []
    finally:
        if follower.poll() is None:
            follower.kill()
            follower.wait()

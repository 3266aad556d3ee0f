"""`cutover run` and `cutover follow` end to end, on a pseudo-terminal, as a person would."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import sys
import termios
import time
from pathlib import Path

from cutover_tui.journal.run_lookup import list_runs
from cutover_tui.journal.store import Journal

ROOT = Path(__file__).resolve().parents[1]


def spawn(*args: str, runs: Path) -> tuple[int, int]:
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(ROOT)
        os.environ["CUTOVER_RUNS"] = str(runs)
        os.environ["TERM"] = "xterm-256color"
        os.execv(sys.executable, [sys.executable, "-m", "cutover_tui.cli", *args])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
    return pid, fd


def read_until(fd: int, marker: bytes, timeout: float = 30) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def finish(pid: int, fd: int) -> int:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            os.close(fd)
            return os.waitstatus_to_exitcode(status)
        read_until(fd, b"\x00", timeout=0.2)  # keep draining the terminal
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    os.close(fd)
    return -9


def test_run_starts_a_rehearsal_paints_acts_and_quits(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    pid, fd = spawn("run", "plans/online-store.toml", "--rehearsal", runs=runs)
    screen = read_until(fd, b"REHEARSAL")
    assert b"REHEARSAL" in screen and b"commander" in screen
    # At 80x24 a step key acts only on the Now tab, where its step is seen (actions/in_sight.py).
    os.write(fd, b"2")
    os.write(fd, b"s")  # start the highlighted ready step
    read_until(fd, b"started", timeout=10)
    os.write(fd, b"q")
    assert finish(pid, fd) == 0
    (run,) = list_runs(runs)
    events = Journal(run.path).events()
    assert [e.type for e in events[:2]] == ["run-started", "step-started"]
    problems, _, _ = Journal(run.path).verify()
    assert problems == []


def test_follow_is_read_only(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    pid, fd = spawn("run", "plans/online-store.toml", "--rehearsal", runs=runs)
    read_until(fd, b"REHEARSAL")
    os.write(fd, b"q")
    finish(pid, fd)
    (run,) = list_runs(runs)
    pid, fd = spawn("follow", run.run_id, runs=runs)
    # The war room's panes (the timeline's title), not the boot's sketch (tui/boot.py),
    # whose keys are held back: the key below must reach the war room.
    screen = read_until(fd, b"Timeline")
    assert b"read-only" in screen
    os.write(fd, b"s")
    read_until(fd, b"Refused", timeout=10)
    os.write(fd, b"q")
    assert finish(pid, fd) == 0
    assert [e.type for e in Journal(run.path).events()] == ["run-started"]


def test_run_starts_a_run_with_checks_off_when_asked(tmp_path: Path) -> None:
    """`cutover run PLAN --no-checks` starts the run as `cutover start --no-checks` does:
    the run-started event says checks are off, so no conductor runs the smoke checks."""
    runs = tmp_path / "runs"
    pid, fd = spawn("run", "plans/online-store.toml", "--rehearsal", "--no-checks", runs=runs)
    read_until(fd, b"REHEARSAL")
    os.write(fd, b"q")
    assert finish(pid, fd) == 0
    (run,) = list_runs(runs)
    (started, *_) = Journal(run.path).events()
    assert started.type == "run-started" and started.checks is False


def test_a_war_room_left_on_a_moved_file_says_the_command_that_opens_the_run_there(
    postgres_url: str, tmp_path: Path
) -> None:
    """Stop note (2026-12-03): a war room open on a file when its run moved said MOVED, and
    the operator had to work out how to reopen it. On leaving it, the terminal is given the
    exact command (here `cutover follow`, as it was opened), which opens the run there."""
    import shlex

    from cutover_tui.journal.migrate import migrate
    from cutover_tui.journal.postgres import PgJournal
    from tests.journal_support import at, new_run

    runs = tmp_path / "runs"
    journal = new_run(runs)
    pid, fd = spawn("follow", journal.run_id, runs=runs)
    read_until(fd, b"Timeline")
    migrate(Journal(journal.path), postgres_url, at(2))
    read_until(fd, b"MOVED")
    os.write(fd, b"q")
    left = b"\x1b[?1049l"  # the screen given back: what follows is the terminal's own
    said = b""
    deadline = time.monotonic() + 20
    while not re.search(rb"goes on there: [^\n]*\n", said.split(left)[-1] if left in said else b""):
        if time.monotonic() > deadline:
            break
        said += read_until(fd, b"\n", timeout=1)
    assert finish(pid, fd) == 0
    last = said.decode(errors="replace").split(left.decode())[-1]
    (line,) = [text for text in last.splitlines() if "MOVED to" in text]
    words = shlex.split(line.split("the run goes on there: ", 1)[1])
    assert words[:3] == ["cutover", "follow", journal.run_id] and words[3] == "--journal", words
    there = PgJournal(words[4], journal.run_id)  # the command's URL opens the run
    assert there.head == journal.head
    there.close()

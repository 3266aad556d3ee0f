"""Real `cutover do` processes with and without the command server (cli/do_server.py), and
the servers they start found, waited for and stopped: no process outlives a test."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from cutover_tui.cli import do_server_place as place

DEADLINE = 60.0
UCRED = struct.Struct("3i")


def until(condition: Callable[[], object], what: str, deadline: float = DEADLINE) -> object:
    """Poll `condition` until it is true (returned), failing after `deadline` seconds."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        found = condition()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"not within {deadline:.0f} s: {what}")


def cutover_env(state: Path, serve: bool, **more: str) -> dict[str, str]:
    env = dict(os.environ, CUTOVER_STATE=str(state), CUTOVER_DO_SERVER="1" if serve else "0")
    env.pop("CUTOVER_RUNS", None)
    env["CUTOVER_FACTS_REFRESH"] = "0"
    return env | more


def cutover(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", *argv],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def sockets(state: Path) -> list[Path]:
    folder = state / place.FOLDER
    return sorted(folder.glob("*.sock")) if folder.is_dir() else []


def server_pid(state: Path) -> int | None:
    """The pid of the server listening in `state` (its socket's SO_PEERCRED), if any."""
    for path in sockets(state):
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                try:  # a tmp_path is longer than AF_UNIX's 108 bytes: through the folder
                    sock.connect(place.in_folder(folder, path.name))
                except OSError:
                    continue
                pid, _uid, _gid = UCRED.unpack(
                    sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, UCRED.size)
                )
                return pid
        finally:
            os.close(folder)
    return None


def connect(path: Path) -> socket.socket:
    """A socket connected to the one at `path` (a long path reached through its folder)."""
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(place.in_folder(folder, path.name))
    except OSError:
        sock.close()
        raise
    finally:
        os.close(folder)
    return sock


def wait_gone(pid: int, deadline: float = DEADLINE) -> None:
    """Wait until process `pid` (not ours: the server is detached) has ended."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        ready, _, _ = select.select([fd], [], [], deadline)
        assert ready, f"process {pid} still runs after {deadline:.0f} s"
    finally:
        os.close(fd)


def stop(pid: int | None, sig: int = signal.SIGTERM) -> None:
    if pid is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
    wait_gone(pid)


@contextlib.contextmanager
def servers_stopped(*states: Path) -> Iterator[None]:
    """Every server listening in `states` stopped (and waited for) when the block ends."""
    try:
        yield
    finally:
        for state in states:
            stop(server_pid(state))


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


@contextlib.contextmanager
def write_locked(path: Path) -> Iterator[sqlite3.Connection]:
    """The run file's write lock held (BEGIN IMMEDIATE) until the block ends: a command
    appending meanwhile waits in SQLite's busy wait."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        yield db
    finally:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        db.close()

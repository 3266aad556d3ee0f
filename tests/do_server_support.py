"""Real `cutover do` processes with and without the command server (cli/do_server.py), and
the servers they start found, waited for and stopped: no process outlives a test."""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from cutover_tui.cli import do_server_place as place
from cutover_tui.journal.store import Journal
from tests.journal_support import new_run
from tests.waiting import until

DEADLINE = 60.0
UCRED = struct.Struct("3i")


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


def served_run(tmp_path: Path) -> tuple[str, Path, Path]:
    """One run, copied into a/ (served) and b/ (not served): its id and the two folders."""
    journal = new_run(tmp_path / "base", steps=4)
    run_id, path = journal.run_id, journal.path
    journal.close()
    for side in ("a", "b"):
        (tmp_path / side).mkdir()
        shutil.copy(path, tmp_path / side / path.name)
    return run_id, tmp_path / "a", tmp_path / "b"


def started_server(state: Path, argv: list[str], env: dict[str, str], cwd: Path) -> int:
    """Run a command that finds no server (so starts one) and wait until one listens."""
    code, _out, err = cutover(argv, env, cwd)
    assert code == 0, err
    return until(lambda: server_pid(state), "a server listening")


def servers_of(state: Path) -> list[int]:
    """Command servers running with `state` as their state directory."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if not proc.name.isdigit() or proc.stat().st_uid != os.geteuid():
                continue
            command = (proc / "cmdline").read_bytes()
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"cutover_tui.cli.do_server" in command and f"CUTOVER_STATE={state}".encode() in environ:
            found.append(int(proc.name))
    return found


def locked_run(tmp_path: Path) -> tuple[str, Path, dict[str, str], int]:
    """A run with a server of its state directory listening: the run's id, its file, the
    environment of a served command, and the server's pid."""
    run_id, a, _b = served_run(tmp_path)
    env = cutover_env(tmp_path / "state", True, CUTOVER_RUNS=str(a))
    argv = ["do", run_id, "note", "--note", "first", "--reason", "r"]
    server = started_server(tmp_path / "state", argv, env, tmp_path)
    (path,) = a.glob("*.db")
    return run_id, path, env, server


def served_note(run_id: str, text: str, env: dict[str, str], cwd: Path) -> subprocess.Popen:
    argv = ["do", run_id, "note", "--note", text, "--reason", "r"]
    return subprocess.Popen(
        [sys.executable, "-m", "cutover_tui.cli", *argv],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def in_busy_wait(pid: int, path: Path) -> bool:
    """Process `pid` has the run file open and sleeps (SQLite's busy wait for the lock)."""
    try:
        opened = {os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()}
        call = Path(f"/proc/{pid}/syscall").read_text().split()[0]
    except OSError:
        return False
    return str(path) in opened and call in ("35", "230")  # nanosleep, clock_nanosleep


def recorded(path: Path, text: str) -> int:
    journal = Journal(path)
    try:
        return len([e for e in journal.events() if getattr(e, "text", None) == text])
    finally:
        journal.close()

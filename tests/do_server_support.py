"""Real `cutover do` processes with and without the command server (cli/do_server.py), and
the servers they start found, waited for and stopped: no process outlives a test."""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import select
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from cutover_tui.cli import do_server_place as place
from cutover_tui.engine.events import RunStarted
from cutover_tui.journal.backend import create_at
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from tests.journal_support import at, plan_text
from tests.signals_support import as_foreground
from tests.waiting import until

DEADLINE = 60.0
UCRED = struct.Struct("3i")
# Root is never served (cli/do_server_peer.py): as root, the tests' commands run as this
# user, with the capabilities to reach root's Python and the tests' root-owned files
# (ambient, so the server they start has them too, and serves them: the same credentials).
SERVED_USER = "nobody"
CAPS = "+dac_override,+dac_read_search"


def as_user(groups: str = "--init-groups", caps: str = CAPS) -> list[str]:
    """The argv prefix that runs a command as the served test user (nothing when not root)."""
    if os.geteuid() != 0:
        return []
    return [
        "setpriv",
        f"--reuid={SERVED_USER}",
        f"--regid={pwd.getpwnam(SERVED_USER).pw_gid}",
        groups,
        f"--inh-caps={caps}",
        f"--ambient-caps={caps}",
    ]


def served_uid() -> int:
    return pwd.getpwnam(SERVED_USER).pw_uid if os.geteuid() == 0 else os.geteuid()


def cutover_env(state: Path, serve: bool, **more: str) -> dict[str, str]:
    env = dict(os.environ, CUTOVER_STATE=str(state), CUTOVER_DO_SERVER="1" if serve else "0")
    env.pop("CUTOVER_RUNS", None)
    env["CUTOVER_FACTS_REFRESH"] = "0"
    # A server that answers in milliseconds may take seconds on a machine whose cores are
    # busy: the client's 3 s wait would pass it by and the test would see no command served.
    env["CUTOVER_DO_SERVER_ACCEPT_S"] = "60"
    # And a client that is off the CPU for a second between the server's READY and its request
    # was dropped by the server's 1 s wait (it then ran its command itself, unserved: the flake
    # of test_a_listening_server_takes_what_the_fast_paths_could). Half the client's wait: a
    # silent peer still leaves the next client served.
    env["CUTOVER_DO_SERVER_REQUEST_S"] = "30"
    return env | more


def cutover(
    argv: list[str], env: dict[str, str], cwd: Path, user: list[str] | None = None
) -> tuple[int, str, str]:
    done = python_as(["-m", "cutover_tui.cli", *argv], env, cwd, user)
    return done.returncode, done.stdout, done.stderr


def python_as(
    argv: list[str],
    env: dict[str, str],
    cwd: Path,
    user: list[str] | None = None,
    prefix: list[str] | None = None,
) -> subprocess.CompletedProcess:
    """This Python with `argv`, as the served user (`user`: another setpriv prefix), after
    `prefix` (nice, unshare...), its output captured as text."""
    return subprocess.run(
        [*(prefix or []), *(as_user() if user is None else user), sys.executable, *argv],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


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


def served_login() -> str:
    return pwd.getpwuid(served_uid()).pw_name


def commanded_run(directory: Path, steps: int) -> Journal:
    """`new_run`'s run, commanded by the served user (who runs the tests' commands)."""
    loaded = parse_plan(plan_text(steps, commander_login=served_login()), name="jt.toml")
    journal = create_at(directory, loaded, rehearsal=False, created_by=served_login())
    journal.append(RunStarted(actor="boss", at=at(0), plan_id="jt", key=uuid.uuid4().hex))
    return journal


def served_run(tmp_path: Path) -> tuple[str, Path, Path]:
    """One run, copied into a/ (served) and b/ (not served): its id and the two folders."""
    journal = commanded_run(tmp_path / "base", steps=4)
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


def servers_of(state: Path, uid: int | None = None) -> list[int]:
    """Command servers of `uid` (the served user's by default) with `state` as their state
    directory."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if not proc.name.isdigit() or proc.stat().st_uid != (
                served_uid() if uid is None else uid
            ):
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


def served_note(
    run_id: str, text: str, env: dict[str, str], cwd: Path, ignored: tuple[int, ...] = ()
) -> subprocess.Popen:
    """The note's `cutover do` started, with the signals `ignored` ignored from its start
    (as `nohup` and a shell's background job leave them)."""
    argv = ["do", run_id, "note", "--note", text, "--reason", "r"]

    def ignore() -> None:
        as_foreground()
        for sig in ignored:
            signal.signal(sig, signal.SIG_IGN)

    return subprocess.Popen(
        [*as_user(), sys.executable, "-m", "cutover_tui.cli", *argv],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=ignore,
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


HAND = """
import json, os, socket, sys
from cutover_tui.cli.do_server_wire import GO, WireError, read_line, send_request
where, request, go = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3] == "go"
folder = os.open(os.path.dirname(where), os.O_RDONLY | os.O_DIRECTORY)
sock = socket.socket(socket.AF_UNIX)
sock.connect(f"/proc/self/fd/{folder}/{os.path.basename(where)}")
null = os.open(os.devnull, os.O_RDWR)
try:
    send_request(sock, request, [os.open(".", os.O_RDONLY), null, null, null])
    reader = sock.makefile("rb")
    said = {"first": read_line(reader)}
    if go and said["first"]:
        sock.sendall(GO)
        said["end"] = read_line(reader)
except (OSError, WireError) as exc:  # refused before READY: the socket closed
    said = {"first": None, "error": type(exc).__name__}
print(json.dumps(said))
"""


def hand_client(
    where: Path,
    request: dict,
    cwd: Path,
    go: bool,
    user: list[str] | None = None,
) -> dict:
    """A request written by hand to the server at `where`, from a process of `user` (the
    served user by default), its streams /dev/null, sent as soon as it connected:
    what the server answered ({"first": the pid line or None, "end": the status line once
    the go was sent})."""
    done = subprocess.run(
        [
            *(as_user() if user is None else user),
            sys.executable,
            "-c",
            HAND,
            str(where),
            json.dumps(request),
            "go" if go else "no-go",
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def give_to_served(top: Path) -> None:
    """`top` and everything under it made the served user's (made by root for a test)."""
    if os.geteuid() != 0:
        return
    user = pwd.getpwuid(served_uid())
    for path in [top, *top.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid, follow_symlinks=False)


class Waiting(NamedTuple):
    run_id: str
    path: Path  # the run file
    server: int
    client: subprocess.Popen
    child: int


@contextlib.contextmanager
def waiting_note(tmp_path: Path, text: str, ignored: tuple[int, ...] = ()) -> Iterator[Waiting]:
    """A served note (`locked_run`'s server) whose child waits for the run's write lock,
    held until the block ends."""
    run_id, path, env, server = locked_run(tmp_path)
    with write_locked(path):
        client = served_note(run_id, text, env, tmp_path, ignored)
        child = until(lambda: children_of(server), "the server's child")[0]
        until(lambda: in_busy_wait(child, path), "the child waiting for the lock")
        yield Waiting(run_id, path, server, client, child)


def closed_stdout(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """`cutover ARGV` with a stdout whose reader has gone: its exit code and stderr."""
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [*as_user(), sys.executable, "-m", "cutover_tui.cli", *argv],
            env=env,
            cwd=cwd,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write)
    return done.returncode, done.stderr

"""A command server held for a login (`cutover warm --while PID`, cli/warm_command.py).

A server is one per fingerprint, and the fingerprint includes the audit session
(cli/do_server_context.py): a new SSH login has no server, so its first `cutover do` that
the fast paths cannot take runs the full path in a fresh process (about 5x a bare Python
start; issue 14). A login profile (deploy/profile.d/cutover.sh) runs `cutover warm` in
the background as the login begins, so a server of that session is listening before the
first command is typed. A server idles out after an hour; a step owner whose step comes
three hours into the night would find it gone. So `--while PID` holds it: the server stays
while that process (the login shell) lives, and leaves once it is gone and the usual idle
time has passed.

The hold travels as a pidfd, never a pid: to a server being started, as its descriptor
HOLD_FD; to one listening, as a request of kind "hold" with the pidfd among its four
descriptors. A pid could be reused by another process before the server looked; a pidfd
names the one process the client checked.

Imports neither pydantic nor the engine: it runs at every login.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from pathlib import Path

from . import do_server_place as place
from .do_server_wire import WireError, read_line, send_request

HOLD_FD = 3  # where a server started with a hold finds its pidfd
MAX_HOLDS = 64  # login shells of one session (tmux panes): beyond that, idle time rules
HOLD_ARGV = ["hold"]


def is_pidfd(fd: int) -> bool:
    """Whether `fd` is a pidfd (what the kernel says of it, not what a peer says)."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}") == "anon_inode:[pidfd]"
    except OSError:
        return False


def holdable(fd: int) -> bool:
    """Whether the server may stay for the pidfd `fd`: a process of this user that can end
    while the server watches. Not the server itself (it would never leave), nor another
    user's process (init, a daemon: a peer of this user could keep it forever), nor one
    out of this server's sight (pid 0). One that has ended (pid -1) is: its end is seen at
    once, and a server started for a login already gone leaves."""
    pid = pidfd_pid(fd)
    if pid == -1:
        return True
    if pid is None or pid <= 0 or pid == os.getpid():
        return False
    return _owner(pid) == os.geteuid()


def _owner(pid: int) -> int | None:
    """The uid owning process `pid` (its /proc entry), None when it is not there."""
    try:
        return Path(f"/proc/{pid}").stat().st_uid
    except OSError:
        return None


def pidfd_pid(fd: int) -> int | None:
    """The pid a pidfd names, as the kernel tells it (its fdinfo); None for another kind."""
    if not is_pidfd(fd):
        return None
    try:
        with open(f"/proc/self/fdinfo/{fd}", encoding="ascii") as info:
            lines = [line.split() for line in info if line.startswith("Pid:")]
        return int(lines[0][1])
    except (OSError, ValueError, IndexError):
        return None


def own_pidfd(pid: int) -> int | str:
    """A pidfd of `pid`, a process of this user; else the one-line reason why not. The
    owner is checked after the pidfd is open, so the process checked is the one held."""
    try:
        pidfd = os.pidfd_open(pid)
    except (OSError, ValueError, OverflowError):
        return f"no process {pid} to hold the server for"
    owner = _owner(pid)
    if owner is None:
        os.close(pidfd)
        return f"no process {pid} to hold the server for"
    if owner != os.geteuid():
        os.close(pidfd)
        return f"process {pid} is not yours: a server is held only for your own login"
    return pidfd


def spawn_actions(pidfd: int) -> tuple[list[tuple], list[str]]:
    """The posix_spawn file actions that give a starting server the pidfd as HOLD_FD, and
    the word that tells it so. The pidfd is copied above HOLD_FD first: dup2 onto itself
    would keep its close-on-exec flag."""
    high = fcntl.fcntl(pidfd, fcntl.F_DUPFD_CLOEXEC, HOLD_FD + 1)
    return [(os.POSIX_SPAWN_DUP2, high, HOLD_FD)], [str(HOLD_FD)]


def send_hold(print_: str, pidfd: int, timeout: float) -> bool:
    """The pidfd handed to the listening server of `print_`; True once it said it holds."""
    sock = place.connect(print_, timeout)
    return False if isinstance(sock, str) else hand_hold(sock, pidfd)


def hand_hold(sock: socket.socket, pidfd: int) -> bool:
    """The pidfd handed over `sock`, a connection to a server (closed here); True once it
    said it holds."""
    null = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
    try:
        request = {"kind": "hold", "argv": HOLD_ARGV, "env": {}, "umask": 0o077}
        send_request(sock, request, [pidfd, null, null, null])
        answer = read_line(sock.makefile("rb"))
    except (OSError, WireError):
        return False
    finally:
        os.close(null)
        sock.close()
    return bool(answer and answer.get("held"))


class Holds:
    """The server's side: the pidfds it stays for, each watched for its process's end."""

    def __init__(self, register, unregister) -> None:
        self.fds: set[int] = set()
        self._register, self._unregister = register, unregister

    def add(self, fd: int) -> bool:
        if len(self.fds) >= MAX_HOLDS or not holdable(fd):
            place.close_quietly(fd)
            return False
        self.fds.add(fd)
        self._register(fd)
        return True

    def ended(self, fd: int) -> None:
        """The held process has ended: the server now leaves after its idle time."""
        self.fds.discard(fd)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._unregister(fd)
        place.close_quietly(fd)

    def __bool__(self) -> bool:
        return bool(self.fds)

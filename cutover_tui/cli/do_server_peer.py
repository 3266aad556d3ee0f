"""Whom a command server (cli/do_server.py) serves: a peer whose credentials are the
server's own, all of them, at the moment it connects.

A served command runs with the server's credentials, not its client's. A uid alone is not
enough: a user removed from a group since her server started would act with that group,
and a process whose capabilities were dropped (setpriv, a sandbox) would be served by one
that kept them. So the peer's uid, gid and supplementary groups (SO_PEERCRED,
SO_PEERGROUPS), its capability sets, no_new_privs and seccomp mode (/proc/PID/status) and
its security label (SO_PEERSEC, where the kernel has an LSM that gives one) must equal the
server's; any difference, or anything that cannot be read, declines (the client then runs
the command itself). Root (euid 0) is never served and never starts a server: its commands
run as they always did.
"""

from __future__ import annotations

import os
import socket
import struct

UCRED = struct.Struct("3i")  # pid, uid, gid
SO_PEERSEC = getattr(socket, "SO_PEERSEC", 31)
SO_PEERGROUPS = getattr(socket, "SO_PEERGROUPS", 59)
MAX_GROUPS = 256  # Python's getsockopt reads 1024 bytes at most: more groups decline (ERANGE)
STATUS_KEYS = ("CapEff", "CapBnd", "CapAmb", "CapPrm", "NoNewPrivs", "Seccomp", "Seccomp_filters")


class Declined(Exception):
    """A peer this server must not act for."""


def root() -> bool:
    """Root is never served and never starts a server (its commands run as before)."""
    return os.geteuid() == 0


def credentials(pid: int) -> dict[str, str]:
    """The STATUS_KEYS lines of /proc/PID/status (missing keys are absent)."""
    with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
        lines = [line.split(":", 1) for line in status if ":" in line]
    return {key: value.strip() for key, value in lines if key in STATUS_KEYS}


def own_label() -> bytes:
    """This process's security label as SO_PEERSEC gives it (asked of a socket pair with
    itself, so that both labels come the same way); b"" if the kernel gives none."""
    mine, other = socket.socketpair()
    with mine, other:
        return peer_label(mine)


def peer_label(conn: socket.socket) -> bytes:
    try:
        return conn.getsockopt(socket.SOL_SOCKET, SO_PEERSEC, 256).rstrip(b"\0\n")
    except OSError:  # ENOPROTOOPT: no LSM labels here
        return b""


def peer_groups(conn: socket.socket) -> list[int]:
    raw = conn.getsockopt(socket.SOL_SOCKET, SO_PEERGROUPS, 4 * MAX_GROUPS)
    return sorted(struct.unpack(f"{len(raw) // 4}I", raw[: len(raw) // 4 * 4]))


def check_peer(conn: socket.socket) -> int:
    """The peer's pid if it may be served; Declined naming the first difference."""
    if root():
        raise Declined("root is not served")
    pid, uid, gid = UCRED.unpack(conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, UCRED.size))
    if (uid, gid) != (os.geteuid(), os.getegid()):
        raise Declined("another user or group")
    if peer_groups(conn) != sorted(set(os.getgroups())):
        raise Declined("other supplementary groups")
    try:
        theirs, ours = credentials(pid), credentials(os.getpid())
    except OSError:
        raise Declined("its credentials cannot be read") from None
    if theirs != ours or len(ours) < 5:
        raise Declined("other capabilities, no_new_privs or seccomp")
    if peer_label(conn) != own_label():
        raise Declined("another security label")
    return pid


def servable_request(request: dict) -> bool:
    """Only what a server is for: a `cutover do` command, the facts refresh
    (cli/do_server_refresh.py) or a login's hold (cli/do_server_hold.py); any other
    `cutover` command is refused."""
    argv = request.get("argv")
    if not isinstance(argv, list) or not argv:
        return False
    if request.get("kind") == "facts-refresh":
        return len(argv) == 1
    if request.get("kind") == "hold":  # a login to stay for (cli/do_server_hold.py)
        return argv == ["hold"]
    return "kind" not in request and argv[0] == "do"

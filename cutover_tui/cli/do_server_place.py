"""Where `cutover do`'s command server listens, and what makes two processes alike enough
to share one (cli/do_server.py; the client is cli/do_server_client.py).

Imported by the client before it decides to use a server: plain modules only (no pydantic,
no engine, no SQLite).

A served command runs in a child forked from a server that imported the full path once, so
the server must be one a fresh `cutover do` of this client could have been: the socket's
name carries a hash (`fingerprint`) of what a fresh process would take from its start and a
forked one inherits instead: the interpreter, the code on disk (names, sizes and mtimes of
the package's files), the search path, the user and groups, the start-up environment
(PYTHON*, the locale's variables) and the interpreter flags the server mirrors. What a
child can set again per command (the rest of the environment, TZ, the umask, the working
directory, the standard streams) travels with each request instead.

The socket lives in `do-server/` of the user's state directory, opened as
journal/private_dir.py opens a private folder (no symlink, this user's own) and required to
be 0700; it is reached as /proc/self/fd/N/NAME so that a long state path never meets
AF_UNIX's 108-byte limit and nothing is looked up by path after the check.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import stat
import sys
import time
from pathlib import Path

from ..journal.private_dir import open_private_dir
from ..journal.state_home import state_dir
from .do_server_context import inherited, servable_interpreter
from .do_server_switch import ENV_SWITCH, enabled  # noqa: F401  (place.enabled: its callers)

try:  # SHA-256 without hashlib, whose OpenSSL load is about 6 ms of the client's start
    from _sha2 import sha256  # CPython's built-in module from 3.12
except ImportError:
    try:
        from _sha256 import sha256  # its name up to 3.11
    except ImportError:  # another Python: hashlib's
        from hashlib import sha256

FOLDER = "do-server"
PACKAGE = Path(__file__).resolve().parents[1]  # cutover_tui/
ENV_IDLE = "CUTOVER_DO_SERVER_IDLE"  # seconds an idle server waits before it exits
IDLE_DEFAULT = 3600.0  # an operator with no war room open may type an hour apart; idle, it costs
# about 26 MB of its own and no CPU (the README's performance section)
# The PYTHON* variables a served child reproduces: the streams' encoding and buffering are
# copied from the client's own (PYTHONIOENCODING, PYTHONUNBUFFERED), and the server starts
# with the client's utf8_mode and dont_write_bytecode flags. Any other (PYTHONHASHSEED,
# PYTHONWARNINGS, PYTHONDEVMODE, ...) shapes a process at its start in a way a fork cannot
# take back: such a command is never served.
PYTHON_VARS_KEPT = frozenset(
    {"PYTHONIOENCODING", "PYTHONUNBUFFERED", "PYTHONUTF8", "PYTHONDONTWRITEBYTECODE"}
)
LOCALE_VARS = ("LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE")  # decided on at start (coercion)


def idle_seconds() -> float:
    try:
        return max(0.05, float(os.environ.get(ENV_IDLE, IDLE_DEFAULT)))
    except ValueError:
        return IDLE_DEFAULT


def servable_env(env: dict[str, str]) -> bool:
    """No start-up variable (nor interpreter option) a fork could not reproduce."""
    if not servable_interpreter():
        return False
    return not any(
        k.startswith("PYTHON") and v and k not in PYTHON_VARS_KEPT for k, v in env.items()
    )


def flags() -> list[int]:
    """The interpreter flags a server mirrors (`server_flags`), part of the fingerprint."""
    return [sys.flags.utf8_mode, sys.flags.dont_write_bytecode, sys.flags.optimize]


def server_flags() -> list[str]:
    """Options for the server's Python so that its flags are this process's `flags()`."""
    utf8, no_bytecode, optimize = flags()
    return [f"-Xutf8={utf8}", *(["-B"] if no_bytecode else []), *(["-O"] * optimize)]


def code_digest(root: Path = PACKAGE, path: list[str] | None = None) -> str:
    """A digest of the package's files: names, sizes and mtimes (not contents: a stat per
    file, about 280 of them; benchmarks/cli_startup.py prints its cost), and of the
    distributions installed on the search path `path` (sys.path by default: `installed`)."""
    h = sha256()
    installed(h, sys.path if path is None else path)
    stack = [str(root)]
    while stack:
        for entry in _listing(h, stack.pop()):
            if entry.name == "__pycache__":
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            elif entry.name.endswith((".py", ".tcss", ".toml", ".json", ".j2", ".txt")):
                info = entry.stat(follow_symlinks=False)
                h.update(f"{entry.path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _listing(h, folder: str) -> list[os.DirEntry]:
    """The entries of `folder` by name; none, and a mark fed to `h`, if it cannot be read."""
    try:
        return sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        h.update(f"?{folder}".encode())
        return []


DIST_SUFFIXES = (".dist-info", ".egg-info", ".pth")


def installed(h, path: list[str]) -> None:
    """Feed `h` the names and mtimes of the distributions' metadata (*.dist-info, *.egg-info,
    *.pth) in every site-packages folder of `path`: an upgraded or reinstalled dependency
    (pydantic, say) changes them, and a server must not go on running its old code while
    modules it never imported would load from the new files. A file edited in place
    without a reinstall is not seen (its distribution's metadata stays as it was)."""
    folders = sorted({p for p in path if Path(p).name in ("site-packages", "dist-packages")})
    for folder in folders:
        for entry in _listing(h, folder):
            if entry.name.endswith(DIST_SUFFIXES):
                with contextlib.suppress(OSError):
                    mtime = entry.stat(follow_symlinks=False).st_mtime_ns
                    h.update(f"{entry.path}\0{mtime}\n".encode())


def fingerprint(env: dict[str, str], search: list[str], code: str) -> str:
    """The socket's name: a hash of everything a served child inherits from its server
    rather than takes from the command (cli/do_server_context.py: namespaces, root, nice,
    limits, audit identity, cgroup)."""
    start_env = sorted(
        (k, v) for k, v in env.items() if k.startswith(("PYTHON", "LC_")) or k in LOCALE_VARS
    )
    ids = [os.getuid(), os.geteuid(), os.getgid(), os.getegid(), sorted(os.getgroups())]
    parts = [sys.executable, sys.version, code, search, ids, start_env, flags(), inherited()]
    return sha256(json.dumps(parts).encode()).hexdigest()[:24]


def open_folder(create: bool) -> int | None:
    """The socket folder's descriptor, only if it is a real directory of this user, mode
    0700 (nobody else may even look in); None otherwise. The caller closes it."""
    fd = open_private_dir(state_dir(), FOLDER, create=create)
    if fd is None:
        return None
    info = os.fstat(fd)
    if stat.S_IMODE(info.st_mode) & 0o077:
        os.close(fd)
        return None
    return fd


def folder_is_there() -> bool:
    """Whether something (a folder, a link, a file) has the socket folder's name."""
    try:
        os.lstat(state_dir() / FOLDER)
    except OSError:
        return False
    return True


def in_folder(folder: int, name: str) -> str:
    """A short path to `name` in the open folder (AF_UNIX paths stop at 108 bytes)."""
    return f"/proc/self/fd/{folder}/{name}"


def connect(print_: str, timeout: float) -> socket.socket | str:
    """A socket connected to the server of fingerprint `print_` (the caller closes it), or
    why not: "none" (no server, or its stale socket: a new server clears it) or "declined"
    (a socket folder not private: a link, loose, another's; a server that did not answer
    in time lately, `mark(..., STUCK)`; any other failure)."""
    folder = open_folder(create=False)
    if folder is None:
        return "declined" if folder_is_there() else "none"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    try:
        if marked(folder, print_, STUCK):
            sock.close()
            return "declined"
        sock.settimeout(timeout)
        sock.connect(in_folder(folder, socket_name(print_)))
    except (FileNotFoundError, ConnectionRefusedError):
        sock.close()
        return "none"
    except OSError as error:
        sock.close()
        if isinstance(error, TimeoutError):  # its backlog full: stopped, or swamped
            mark_in(folder, print_, STUCK)
        return "declined"
    finally:
        close_quietly(folder)
    return sock


# Markers beside a fingerprint's socket, each with how long it counts (seconds of its mtime):
STUCK = ("stuck", 60.0)  # a server that did not answer in time: passed by meanwhile
STARTING = ("starting", 5.0)  # a server being started: no second start meanwhile


def mark(print_: str, marker: tuple[str, float]) -> None:
    """Set `marker` for fingerprint `print_` now (nothing if the folder is not private)."""
    folder = open_folder(create=True)
    if folder is not None:
        try:
            mark_in(folder, print_, marker)
        finally:
            close_quietly(folder)


def marked(folder: int, print_: str, marker: tuple[str, float]) -> bool:
    """Whether `marker` was set for `print_` less than its seconds ago."""
    kind, seconds = marker
    try:
        info = os.stat(f"{print_}.{kind}", dir_fd=folder, follow_symlinks=False)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and 0 <= time.time() - info.st_mtime < seconds


def mark_in(folder: int, print_: str, marker: tuple[str, float]) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    with contextlib.suppress(OSError):
        fd = os.open(f"{print_}.{marker[0]}", flags, 0o600, dir_fd=folder)
        try:
            os.utime(fd)
        finally:
            os.close(fd)


def socket_name(print_: str) -> str:
    return f"{print_}.sock"


def lock_name(print_: str) -> str:
    return f"{print_}.lock"


def close_quietly(fd: int | None) -> None:
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)


def identity(folder: int, name: str) -> tuple[int, int] | None:
    """The (device, inode) of the file at `name` in `folder` (no link followed), None if
    there is none: what a server checks before it removes a name it made."""
    try:
        info = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except OSError:
        return None
    return info.st_dev, info.st_ino

"""What a served child takes from its server and a fork cannot set again per command, beyond
the ids and environment cli/do_server_place.fingerprint already hashes (hostile review,
2026-12-02): the namespaces and the root it sees files through, its nice value and resource
limits, its audit identity (loginuid, audit session) and cgroup. A command whose process
differs in any of them must not be served by a server of another: it gets a server of its
own (started from such a command, so with the same), or none.

And the interpreter options a fork cannot take back (`-X dev`, `-W error`, `-X
warn_default_encoding`...): a process started with any of them is never served, as one
started with PYTHONWARNINGS is not (place.servable_env).

Plain reads of /proc and os calls, a fraction of a millisecond: the client pays it on every
command.
"""

from __future__ import annotations

import os
import resource
import sys

NAMESPACES = ("cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time", "user", "uts")
AUDIT = ("loginuid", "sessionid", "cgroup")  # in /proc/self
# The flags a process has when started without options (0), but for those a server mirrors
# or sets itself (place.server_flags: utf8_mode, dont_write_bytecode, optimize; `-I`:
# isolated, ignore_environment, no_user_site, safe_path).
PLAIN_FLAGS = ("debug", "inspect", "interactive", "bytes_warning", "verbose", "dev_mode")
PLAIN_FLAGS += ("warn_default_encoding", "quiet")
KEPT_X_OPTIONS = frozenset({"utf8"})  # -X utf8: mirrored by the server's own -Xutf8


def servable_interpreter() -> bool:
    """No warning filter, no -X option but utf8, none of PLAIN_FLAGS set."""
    if sys.warnoptions or set(getattr(sys, "_xoptions", {})) - KEPT_X_OPTIONS:
        return False
    return not any(getattr(sys.flags, name, 0) for name in PLAIN_FLAGS)


def inherited() -> list:
    """This process's share of what a forked child inherits, for the fingerprint."""
    return [_namespaces(), _root(), os.getpriority(os.PRIO_PROCESS, 0), _limits(), _audit()]


def _namespaces() -> list[int | None]:
    out: list[int | None] = []
    for name in NAMESPACES:
        try:
            out.append(os.stat(f"/proc/self/ns/{name}").st_ino)
        except OSError:
            out.append(None)
    return out


def _root() -> list[int] | None:
    try:
        info = os.stat("/")
    except OSError:
        return None
    return [info.st_dev, info.st_ino]


def _limits() -> list[list[int]]:
    names = sorted(n for n in dir(resource) if n.startswith("RLIMIT_"))
    return [list(resource.getrlimit(getattr(resource, n))) for n in names]


def _audit() -> list[str | None]:
    out: list[str | None] = []
    for name in AUDIT:
        try:
            with open(f"/proc/self/{name}", encoding="utf-8") as f:
                out.append(f.read())
        except OSError:
            out.append(None)
    return out

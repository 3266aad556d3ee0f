"""The background refresh of this user's facts (cli/facts_refresh.py) forked from the
command server (cli/do_server.py) when one runs, instead of a fresh Python that imports the
engine again (about 0.5 s of CPU after each fast step action, issue 14).

The refresh's rules hold either way: the child is told to run `facts_refresh.main([PATH])`
in `/`, in a session of its own, with /dev/null for its streams and the refresh's own
environment (facts_refresh.refresh_env), holding no descriptor of the command (only the four
it is sent); it lowers its own priority (nice 19) as the fresh one does. The command does
not wait for it: it sends the go and leaves (the server's report of its end finds the socket
closed). No server, or any doubt before the go: False, and the caller starts the fresh
process as before.
"""

from __future__ import annotations

import os
import socket
import sys

from . import do_server_place as place
from .do_server_wire import GO, WireError, read_line, send_request
from .own_python import search_path

KIND = "facts-refresh"  # the request's kind (a command's has none)
NULL_STREAM = {"encoding": "utf-8", "errors": "strict", "line_buffering": False}


def refresh_by_server(path: str, env: dict[str, str]) -> socket.socket | None:
    """The refresh of the run file at `path` handed to this user's server (its socket, the
    go sent: the caller closes it, or reads the end's report); None: not handed over."""
    if not place.enabled() or not place.servable_env(dict(os.environ)):
        return None
    try:
        print_ = place.fingerprint(dict(os.environ), search_path(), place.code_digest())
    except OSError:
        return None
    sock = place.connect(print_, 5.0)
    if isinstance(sock, str):
        return None
    try:
        if _asked(sock, path, env):
            sock.sendall(GO)
            return sock
    except OSError:
        pass
    sock.close()
    return None


def _asked(sock: socket.socket, path: str, env: dict[str, str]) -> bool:
    """The request sent with `/` and /dev/null three times, and the child's pid read."""
    fds: list[int] = []
    try:
        fds = [os.open("/", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)]
        fds += [os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC) for _ in range(3)]
        mask = os.umask(0o022)
        os.umask(mask)
        request = {
            "kind": KIND,
            "argv": [path],
            "sys_argv": ["cutover_tui.cli.facts_refresh", path],
            "orig_argv": [sys.executable, "-I", "-m", "cutover_tui.cli.facts_refresh", path],
            "env": env,
            "umask": mask,
            "streams": [NULL_STREAM, NULL_STREAM, NULL_STREAM],
        }
        send_request(sock, request, fds)
        with sock.makefile("rb") as reader:
            message = read_line(reader)
        pid = message.get("pid") if message else None
        return isinstance(pid, int) and pid > 0
    except (OSError, ValueError, WireError):
        return False
    finally:
        for fd in fds:
            place.close_quietly(fd)


def run_refresh(argv: list[str]) -> int:
    """In the server's child: the refresh, in a session of its own, never an exception."""
    os.setsid()
    try:
        from .facts_refresh import main

        return main(argv)
    except BaseException:
        return 1

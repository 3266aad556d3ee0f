"""The war room keeps its user's `cutover do` command server up (cli/do_server.py).

An operator opens the war room, then ticks steps off from another pane, sometimes with more
than the server's idle time between two commands: each such command would take the full
path again (about 5x a bare Python start; issue 14). So `cutover run` and `cutover follow`
on a terminal start a server for their own environment shortly after opening (not before
the first frame: its start costs about 0.7 s of CPU) and look again every few minutes:
connecting is use, so the server stays while the war room is open, and one that left (the
code changed, it was stopped) is started again. The server lives on for its idle time
after the war room closes. Off where the server is off (CUTOVER_DO_SERVER=0), for a
start-up environment no server can serve, and in `cutover serve`'s tabs (not a terminal).
"""

from __future__ import annotations

import os
import threading

from . import do_server_place as place
from .do_server_client import start_server
from .own_python import search_path

FIRST_LOOK = 15.0  # seconds after the war room opens: its first frame and schedule first
LOOK_EVERY = 240.0  # well inside the server's idle time (IDLE_DEFAULT, 3600 s)


def keep_serving(first: float = FIRST_LOOK, every: float = LOOK_EVERY) -> threading.Event:
    """Look for this user's server in a daemon thread, `first` seconds from now and every
    `every` after; the returned event, once set, stops it (the process's end does too)."""
    stop = threading.Event()
    if place.enabled() and place.servable_env(dict(os.environ)):
        threading.Thread(
            target=_keep, args=(stop, first, every), name="do-server-keeper", daemon=True
        ).start()
    return stop


def _keep(stop: threading.Event, first: float, every: float) -> None:
    wait = first
    while not stop.wait(wait):
        try:
            ensure_server()
        except Exception:  # a convenience: never a reason for the war room to fail
            return
        wait = every


def ensure_server() -> bool:
    """True if a server for this process's fingerprint answered (the look counts as use);
    else one is started, detached, and False. Nothing when the folder is not private."""
    try:
        code = place.code_digest()
        print_ = place.fingerprint(dict(os.environ), search_path(), code)
    except OSError:
        return False
    answer = _knock(print_)
    if answer == "none":
        start_server(print_, code)
    return answer == "listening"


def _knock(print_: str) -> str:
    """ "listening", "none" (no server: start one) or "declined" (a folder not ours)."""
    sock = place.connect(print_, 5.0)
    if isinstance(sock, str):
        return sock
    sock.close()
    return "listening"

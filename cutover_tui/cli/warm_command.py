"""`cutover warm`: this login's command server started before its first `cutover do`.

    cutover warm [--while PID]

Meant for a login profile (deploy/profile.d/cutover.sh runs it in the background with the
login shell's pid): a new SSH login is a new audit session, and so a new server
fingerprint (cli/do_server_context.py); without this, its first command that the fast paths
cannot take (an estimate, an amendment, comms, a rollback, incidents, `--at`) pays the full
path's imports in a fresh process. `--while PID` holds the server while that process
lives (cli/do_server_hold.py); without it the server leaves after its idle time, as any.

Says one line: listening, started, or why no server can be (root, switched off, a start-up
variable no fork can reproduce, a state folder that is not private). Exit 0 when a server
listens or is starting, 1 when none can, 2 for a wrong PID.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time

from . import do_server_place as place
from .do_server_client import start_server
from .do_server_hold import hand_hold, own_pidfd
from .own_python import search_path

KNOCK = 5.0  # seconds for a listening server to answer a look
STARTED_WAIT = 30.0  # for another start under way to listen, before its hold is sent


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "warm",
        help="start this login's `cutover do` server in the background (for a login profile)",
        description=(
            "Start this login's command server, so that the login's first `cutover do` is "
            "as quick as the rest. With --while PID (the login shell's, $$) the server stays "
            "while that process lives, and leaves after its idle time once it is gone. "
            "See deploy/profile.d/cutover.sh."
        ),
    )
    parser.add_argument(
        "--while",
        dest="hold",
        type=int,
        metavar="PID",
        help="keep the server while this process of yours lives (your login shell: $$)",
    )
    parser.set_defaults(func=cmd_warm)


def cmd_warm(args: argparse.Namespace) -> int:
    why_not = _why_no_server()
    if why_not:
        print(f"cutover warm: {why_not}; nothing started", file=sys.stderr)
        return 1
    pidfd = None
    if args.hold is not None:
        pidfd = own_pidfd(args.hold)
        if isinstance(pidfd, str):
            print(f"cutover warm: {pidfd}", file=sys.stderr)
            return 2
    try:
        code = place.code_digest()
        print_ = place.fingerprint(dict(os.environ), search_path(), code)
    except OSError as exc:
        print(
            f"cutover warm: cannot look at the code ({exc.strerror}); nothing started",
            file=sys.stderr,
        )
        return 1
    print(f"cutover warm: {_warmed(print_, code, pidfd, args.hold)}")
    return 0


def _why_no_server() -> str | None:
    if os.geteuid() == 0:
        return "root's commands are never served (a served command acts with its server's rights)"
    if not place.enabled():
        return f"the command server is off ({place.ENV_SWITCH}=0)"
    if not place.servable_env(dict(os.environ)):
        return "a PYTHON* variable or interpreter option here shapes a start no server can copy"
    if place.open_folder(create=True) is None:
        return "the state folder's do-server/ is not private to you (0700, yours, no link)"
    return None


def _warmed(print_: str, code: str, pidfd: int | None, pid: int | None) -> str:
    """What was done, in words: a listening server told of the hold, or one started. With a
    hold, the connection that finds the server carries it: a connection that asks nothing
    counts as use (the war room's look), a hold does not (unused, the server leaves at
    logout)."""
    stays = f"; it stays while process {pid} lives" if pid is not None else ""
    sock = place.connect(print_, KNOCK)
    if sock == "none":
        sock = _started(print_, code, pidfd)
        if sock == "started":
            return f"this login's command server is starting (about 0.7 s of CPU){stays}"
    if sock == "declined":  # stuck lately, or a folder not private: leave it be
        return "this login's command server did not answer lately; nothing done"
    if isinstance(sock, str):
        return "another start of this login's command server never came to listen"
    if pidfd is None:
        sock.close()
        return "this login's command server is listening"
    if hand_hold(sock, pidfd):
        return f"this login's command server is listening{stays}"
    return "this login's command server is listening, but did not take the hold"


def _started(print_: str, code: str, pidfd: int | None) -> socket.socket | str:
    """ "started" once this process has started the server; a connection to it once one
    listens (another start's: the hold goes to it); "none" once STARTED_WAIT has passed.
    Another start that never came to listen (its `warm` killed, its server dead before it
    listened) is made again here once its marker has lapsed (do_server_place.STARTING)."""
    deadline = time.monotonic() + STARTED_WAIT
    while time.monotonic() < deadline:
        if start_server(print_, code, pidfd):
            return "started"
        sock = place.connect(print_, KNOCK)
        if not isinstance(sock, str):
            return sock
        time.sleep(0.1)  # a poll in the background at login, never a test's wait
    return "none"

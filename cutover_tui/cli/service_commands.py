"""`cutover service`: the locked-mode service (see locked/server.py and docs/jump-host.md).

A command of its own rather than a flag of `cutover conduct`: conduct is one run, for as
long as it lasts; the service is the host's, for every run including those not started yet
(operators cannot create files, so `cutover start` goes through it too), and it conducts
each of them. One systemd unit, one socket, one owner of the files.

Called `cutover serve` until the war room was served to browsers: `cutover serve RUN` is that
now (cli/web_commands.py), and this, the host's service, is `cutover service`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from ..journal.hostconfig import HostConfigError, load_host_config
from ..journal.store import JournalError, runs_dir
from ..locked.server import ServiceError, serve
from .options import add_runs_option


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "service",
        help="locked mode: own the runs and take commands over a Unix socket",
        description="Run as the service account (docs/jump-host.md). Callers are known by "
        "the socket's peer credentials; every command is checked and appended here.",
    )
    parser.add_argument(
        "--socket",
        default=None,
        metavar="PATH",
        help="where to listen (default: `socket` in the host config, /run/cutover/cutover.sock)",
    )
    add_runs_option(parser)
    parser.set_defaults(func=cmd_service)


def cmd_service(args: argparse.Namespace) -> int:
    try:
        directory = runs_dir(args.runs)
        socket_path = Path(args.socket) if args.socket else load_host_config().socket
        asyncio.run(serve(directory.absolute(), socket_path))
    except (HostConfigError, JournalError, ServiceError) as exc:
        print(f"cutover service: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"cutover service: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0

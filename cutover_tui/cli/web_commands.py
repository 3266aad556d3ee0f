"""`cutover serve RUN`: the war room in a browser, read-only, for those without SSH.

    cutover serve RUN [--host 127.0.0.1] [--port 8000] [--journal URL]

prints `http://127.0.0.1:8000/?token=...` and serves, with textual-serve (cli/web_server.py),
one watcher's war room per browser tab. Loopback unless told otherwise: beyond this host it
belongs behind the organisation's reverse proxy and its login (README). Each tab's war room
is `cutover web-watch RUN` (not listed in the help): read-only, no conductor, every action
refused before it reaches the journal, because a browser has no OS identity: the journal
records who did what by the login of the process on its host, and a browser's process would
be this service's login, not the person's.

(`cutover service` is the locked-mode service that was called `cutover serve` before.)
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import secrets
import shlex
import sys
from datetime import tzinfo
from typing import TYPE_CHECKING

from ..engine.events import Event
from ..engine.state import Refused
from ..inert import inert_line
from ..journal.backend import JOURNAL_ENV, journal_url
from ..journal.identity import BROWSER, BROWSER_READ_ONLY
from ..journal.run import JournalRun, run_clock
from ..journal.store import Journal, JournalError
from .options import add_runs_option, open_named, said_in_one_line
from .own_python import python_command
from .status_command import viewer_zone

if TYPE_CHECKING:  # the war room (textual) only once a tab opens
    from ..tui.app import WarRoomApp


def register(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="serve a run's war room to browsers, read-only (a token in the URL it prints)",
        description="A watcher's war room in the browser (textual-serve), one per tab. "
        "Bound to loopback unless --host says otherwise; refused without the printed token.",
    )
    serve.add_argument("run", metavar="RUN")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument(
        "--public-url",
        default=None,
        metavar="URL",
        help="the address browsers use, behind a reverse proxy (e.g. https://cutover.example)",
    )
    serve.add_argument("--tz", help="show times in this zone; default the plan's")
    add_runs_option(serve)
    serve.set_defaults(func=cmd_serve)

    watch = subparsers.add_parser("web-watch")  # no help: one browser tab's war room
    watch.add_argument("run", metavar="RUN")
    watch.add_argument("--tz")
    add_runs_option(watch)
    watch.set_defaults(func=cmd_web_watch)


@said_in_one_line
def cmd_serve(args: argparse.Namespace) -> int:
    from .web_server import TokenServer

    try:
        url = journal_url(args.journal)
        journal = open_named(args.run, args)  # refused here, in one line, not in each tab
    except JournalError as exc:
        print(f"cutover serve: {exc}", file=sys.stderr)
        return 1
    if not isinstance(journal, Journal):
        print("cutover serve: on a locked host, serve a run the service holds", file=sys.stderr)
        return 1
    title, run_id = inert_line(journal.plan.plan.title, 120), journal.run_id  # one line
    journal.close()
    if not 0 < args.port < 65536:
        print(f"cutover serve: --port {args.port}: not a port (1-65535)", file=sys.stderr)
        return 2
    if url is not None:
        os.environ[JOURNAL_ENV] = url  # to each tab's process, never on a command line (ps)
    watch = ["web-watch", run_id]
    if args.runs and url is None:
        watch += ["--runs", os.path.abspath(args.runs)]
    if args.tz:
        watch += ["--tz", args.tz]
    command = python_command("cutover_tui.cli", watch)  # isolated: never a planted package
    token = secrets.token_urlsafe(24)
    host = args.host
    public = (args.public_url or f"http://{_url_host(host)}:{args.port}").rstrip("/")
    server = TokenServer(
        # exec: textual-serve starts it through `sh -c`, and dash would stay between as its
        # parent, so neither serve's death nor a signal to the shell would reach the tab
        "exec " + shlex.join(command),
        token,
        host=host,
        port=args.port,
        title=f"{title} · cutover",
        public_url=public,
    )
    print(f"serving {run_id} ({title}) read-only to browsers at:", flush=True)
    print(f"  {public}/?token={token}", flush=True)
    if not _loopback(host):
        print(
            f"  listening on {host}: beyond this host, put it behind the reverse proxy and "
            "its login (README, 'The war room in a browser')",
            file=sys.stderr,
        )
    try:
        server.serve()
    except OSError as exc:
        print(f"cutover serve: {host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


class WatcherRun(JournalRun):
    """A war room that only watches, as nobody in particular (identity.BROWSER): every
    command is refused before the journal sees it, and what it reads is nobody's memory."""

    def submit(self, event: Event) -> Event:
        raise Refused(BROWSER_READ_ONLY)

    def _remember(self) -> None:
        """Not the server's login's memory of the head (journal/seen.py): their own war
        room's "since you last looked" would miss what a browser tab saw."""


def cmd_web_watch(args: argparse.Namespace) -> int:
    from .web_watch_life import end_with_parent, ending_on_quit

    end_with_parent()  # no tab process outlives its server (cli/web_watch_life.py)
    try:
        journal = open_named(args.run, args)
        zone = viewer_zone(args.tz)
    except (JournalError, ValueError) as exc:
        print(f"cutover web-watch: {exc}", file=sys.stderr)
        return 1
    if not isinstance(journal, Journal):
        print("cutover web-watch: not a run this host holds", file=sys.stderr)
        return 1
    app = watcher_app(journal, zone)
    app.driver_class = ending_on_quit(app.driver_class)  # the tab closed: end (web_watch_life)
    app.run()
    return 0


def watcher_app(journal: Journal, zone: tzinfo | None) -> WarRoomApp:
    """One browser tab's war room: nobody in particular watching, conducting nothing."""
    from ..tui.app import WarRoomApp

    clock = run_clock(journal, None)
    source = WatcherRun(
        journal,
        BROWSER,  # not the login serving it: a browser has no OS identity
        now=clock.now,
        read_only=True,
        monotonic=clock.monotonic,
    )
    return WarRoomApp(source, clock, conductor=None, tz=zone)  # watchers conduct nothing


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host

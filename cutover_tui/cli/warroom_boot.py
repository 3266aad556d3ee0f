"""`cutover run RUN` and `cutover follow RUN` on a run file: the first frame before the heavy
imports (issue 14; tui/boot.py says how the war room takes over the same App).

Only on a terminal, and when the first frame's facts can be read cheaply and surely
(journal/first_facts.py): a run file, by path or id, in a runs directory that is not a
locked host's, with no PostgreSQL journal named, and an index row that names the log's last
event. Anything else, and `boot_war_room` returns None: the command opens the run as it
always did.

A run that must not be opened (a broken chain, a damaged page past the file's head) is found
when the run is opened, after the sketch: the war room leaves and its one line is printed
once the terminal is given back (not, as on the usual path, before the screen is taken).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..journal.backend import journal_url
from ..journal.first_facts import read_first_facts
from ..journal.hostconfig import locked_socket
from ..journal.identity import os_login
from ..journal.run_files import JournalError, run_path, runs_dir

if TYPE_CHECKING:
    from ..tui.boot import Refusal, WarRoomParts


def boot_war_room(args: argparse.Namespace, ref: str, *, read_only: bool) -> int | None:
    """The war room on run `ref`, its first frame from the file's facts; None when they
    cannot be read cheaply (then the caller opens the run the usual way)."""
    if not on_a_terminal():
        return None  # a script or a browser: no first frame to hurry, and a refusal said
        # before anything is drawn (a terminal's boot says it once the screen is given back)
    if journal_url(getattr(args, "journal", None)) is not None:
        return None  # PostgreSQL: no file to read
    try:
        directory = runs_dir(args.runs)
        zone = ZoneInfo(args.tz) if args.tz else None
    except (JournalError, ZoneInfoNotFoundError, ValueError):
        return None  # the usual path says what is wrong, in its words
    if locked_socket(directory) is not None:
        return None  # a locked host: the service holds the files
    try:
        path = run_path(ref, directory)
        facts = read_first_facts(path, time.time()) if path is not None else None
    except (OSError, JournalError):  # a directory closed to this user, a name that is two
        return None  # files: the usual path says so
    if facts is None:
        return None
    from ..tui.boot import WarRoomBoot  # textual, and nothing heavier
    from .warroom_commands import keep_do_facts, say_where_it_went

    keep_do_facts(path)

    app = WarRoomBoot(
        facts,
        lambda: open_parts(args, ref, read_only),
        prepare=lambda: prepare_war_room(path),
        login=os_login(),
        tz=zone,
        read_only=read_only,
    )
    app.run()
    for line in app.said:  # after the terminal is given back, so it is read
        print(line, file=sys.stderr)
    say_where_it_went(app)
    return app.return_code or 0  # 143 after SIGTERM, 129 after SIGHUP


def on_a_terminal() -> bool:
    """Is the war room drawn on a terminal (not `cutover serve`'s browser, not a pipe)?"""
    return sys.__stdout__ is not None and sys.__stdout__.isatty()


def import_war_room() -> None:
    """In the boot's worker thread: what opening the run and the war room import."""
    from ..clock import conductor  # noqa: F401
    from ..journal import run, store  # noqa: F401
    from ..locked import client  # noqa: F401
    from ..tui import app  # noqa: F401
    from . import (  # noqa: F401
        catch_up,
        catch_up_later,
        prior,
        status_command,
        trust_commands,
        warroom_commands,
    )


def prepare_war_room(path: Path) -> None:
    """The boot's worker: the imports, then what the open on the UI thread would otherwise
    make there while the sketch's clock stands still (`warm_war_room`)."""
    import_war_room()
    warm_war_room(path)
    # What is made so far (the imports, the plan, the folded state) lives as long as the war
    # room: out of the cyclic collector's reach, so that the full pass the fold's paused
    # collector owes (0.1-0.4 s on this heap, the GIL held) never lands on the UI thread,
    # and later full passes skip it. Reference counting still frees what is dropped.
    gc.freeze()


def warm_war_room(path: Path) -> None:
    """Off the UI thread: the run's log folded on the worker's own connection
    (journal/fold_ahead.py; 0.8-2 s at 20,000 steps), which the open adopts and catches up
    from. Opening it there also loads the run's plan and builds its state template (about
    1.3 s more), both kept per process (journal/stored_plan.py's cache by the plan text,
    engine/compact.py's by the Plan), so the open finds them made: moved, not done twice.
    Anything wrong here is left to the open, which says it in its own words."""
    from ..journal.fold_ahead import fold_ahead

    fold_ahead(path)


def open_parts(args: argparse.Namespace, ref: str, read_only: bool) -> WarRoomParts | Refusal:
    """On the UI thread, once imported: the run opened as `cutover run` opens it."""
    from ..tui.boot import Refusal
    from .options import open_named, said_by
    from .warroom_commands import war_room_parts

    try:
        journal = open_named(ref, args)
    except JournalError as exc:
        return Refusal(f"{said_by(args)}: {exc}")
    return war_room_parts(journal, read_only=read_only, tz=args.tz)


__all__ = [
    "boot_war_room",
    "import_war_room",
    "on_a_terminal",
    "open_parts",
    "prepare_war_room",
    "warm_war_room",
]

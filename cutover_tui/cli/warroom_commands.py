"""`cutover run PLAN_OR_RUN` and `cutover follow RUN`: the war room on a shared run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..journal.backend import journal_url
from ..journal.identity import actor_for, os_login
from ..journal.run_files import JournalError, runs_dir
from .options import add_runs_option, load_or_say, open_named, said_by

# The rest is imported by the functions that use it: `cutover run RUN` paints its first frame
# before pydantic, the plan model, the engine and the store are loaded (cli/warroom_boot.py).
if TYPE_CHECKING:
    from ..journal.store import Journal, RunInfo
    from ..locked.client import LockedJournal
    from ..tui.boot import Refusal, WarRoomParts


def __getattr__(name: str) -> object:
    """`from .warroom_commands import rehearsal_prior`, as before prior.py was its home."""
    if name == "rehearsal_prior":
        from .prior import rehearsal_prior

        return rehearsal_prior
    raise AttributeError(name)


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser(
        "run",
        help="open the war room on a run (a plan file joins or starts its run)",
        description="With a plan file: join the run of that plan under way in the runs "
        "directory, or start one if you may. With a run id: open that run.",
    )
    run.add_argument("target", metavar="PLAN_OR_RUN")
    run.add_argument("--rehearsal", action="store_true", help="when starting: a rehearsal")
    run.add_argument("--tz", help="show times in this zone (e.g. Asia/Kolkata); default the plan's")
    run.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="when starting: point one of the plan's [vars] elsewhere (as `cutover start`)",
    )
    run.add_argument(
        "--no-checks",
        action="store_true",
        help="when starting: the conductor runs no check and no probe (as `cutover start`)",
    )
    add_runs_option(run)
    run.set_defaults(func=cmd_run)

    follow = subparsers.add_parser("follow", help="open the war room read-only on a run")
    follow.add_argument("run", metavar="RUN")
    follow.add_argument("--tz", help="show times in this zone; default the plan's")
    add_runs_option(follow)
    follow.set_defaults(func=cmd_follow)


def cmd_run(args: argparse.Namespace) -> int:
    keep_do_server()
    if Path(args.target).suffix != ".toml":  # a run: its first frame before the heavy imports
        from .warroom_boot import boot_war_room

        booted = boot_war_room(args, args.target, read_only=False)
        if booted is not None:
            return booted
    try:
        journal = _journal_for(args)
    except JournalError as exc:  # a PostgreSQL journal that cannot be reached, in one line
        print(f"{said_by(args)}: {exc}", file=sys.stderr)
        return 1
    if journal is None:
        return 1
    return _war_room(journal, read_only=False, tz=args.tz)


def cmd_follow(args: argparse.Namespace) -> int:
    from .warroom_boot import boot_war_room

    keep_do_server()

    booted = boot_war_room(args, args.run, read_only=True)
    if booted is not None:
        return booted
    try:
        journal = open_named(args.run, args)
    except JournalError as exc:
        print(f"{said_by(args)}: {exc}", file=sys.stderr)
        return 1
    return _war_room(journal, read_only=True, tz=args.tz)


def keep_do_server() -> None:
    """On a terminal, this user's `cutover do` kept served while the war room is open
    (cli/do_server_keeper.py): the operator's next command from another pane is quick."""
    from .warroom_boot import on_a_terminal

    if on_a_terminal():
        from .do_server_keeper import keep_serving

        keep_serving()


def keep_do_facts(path: Path) -> None:
    """On a terminal, this user's `cutover do` facts of the run kept at its head while the
    war room is open (cli/facts_keeper.py): a step action after someone else's is quick."""
    from .warroom_boot import on_a_terminal

    if on_a_terminal():
        from .facts_keeper import keep_facts

        keep_facts(path)


def _journal_for(args: argparse.Namespace) -> Journal | LockedJournal | None:
    directory = runs_dir(args.runs)
    target = Path(args.target)
    if target.suffix != ".toml":
        try:
            return open_named(args.target, args)
        except JournalError as exc:
            print(f"{said_by(args)}: {exc}", file=sys.stderr)
            return None
    from ..plan.vars import VarError, with_overrides
    from .start_commands import cmd_start

    loaded = load_or_say(args.target)
    if loaded is None:
        return None
    try:  # said now, in one line, not as "you may not start one" below
        with_overrides(loaded, getattr(args, "var", []))
    except VarError as exc:
        print(f"{said_by(args)}: {exc}", file=sys.stderr)
        return None
    # The run of the mode asked for first: a rehearsal begun after the live run (anyone may
    # start one) must not take the operators who open the war room by the plan's name.
    wanted = "rehearsal" if args.rehearsal else "live"
    plan_id = loaded.plan.plan.id
    under_way = _latest(args, directory, plan_id, wanted)
    if under_way is None and not args.rehearsal:  # a rehearsal alone under way is joined
        under_way = _latest(args, directory, plan_id)  # (a live run is never joined for one)
    if under_way is not None and getattr(args, "var", []):
        print(f"cutover: --var left aside: {under_way.run_id} keeps its own", file=sys.stderr)
    if under_way is not None and getattr(args, "no_checks", False):
        print(f"cutover: --no-checks left aside: {under_way.run_id} keeps its own", file=sys.stderr)
    if under_way is not None and (under_way.mode == "rehearsal") == args.rehearsal:
        return _joined(open_named(under_way.run_id, args), args)
    if under_way is not None and under_way.mode == "rehearsal":
        # Nobody asked for a live run and a rehearsal is under way: join it (starting a live
        # run beside it, or saying that none is under way, misleads everyone).
        print(
            f"cutover: a rehearsal of this plan is under way: {under_way.run_id}; joining it "
            "(the live run is started with `cutover start PLAN`)",
            file=sys.stderr,
        )
        return _joined(open_named(under_way.run_id, args), args)
    start_args = argparse.Namespace(
        plan=args.target,
        rehearsal=args.rehearsal,
        runs=args.runs,
        journal=args.journal,
        var=getattr(args, "var", []),
        no_checks=getattr(args, "no_checks", False),
    )
    if cmd_start(start_args) != 0:
        print(
            "cutover: no run of this plan is under way, and you may not start one; "
            "the commander starts it with `cutover start PLAN` (a rehearsal anyone may: --rehearsal)",
            file=sys.stderr,
        )
        return None
    started = _latest(args, directory, loaded.plan.plan.id)
    return open_named(started.run_id, args) if started else None


def _joined(
    journal: Journal | LockedJournal, args: argparse.Namespace
) -> Journal | LockedJournal | None:
    """The run joined by its plan's name, or None when its file says it moved: refused in one
    line naming the command that opens it where it went (cli/moved_follow.py)."""
    from ..journal.moved import moved_of
    from ..journal.store import Journal

    if type(journal) is not Journal or moved_of(journal) is None:
        return journal
    from .moved_follow import where_it_went  # psycopg: only for a file whose run moved

    return where_it_went(journal, said_by(args))


def _latest(
    args: argparse.Namespace, directory: Path, plan_id: str, mode: str | None = None
) -> RunInfo | None:
    """The run of `plan_id` (of `mode` when given) under way: in PostgreSQL when a journal is
    named, else a file."""
    url = journal_url(args.journal)
    if url is None:
        from ..locked.client import latest_open

        return latest_open(directory, plan_id, mode)
    from ..journal.postgres import latest_open_pg

    return latest_open_pg(url, plan_id, mode)


def _war_room(journal: Journal | LockedJournal, *, read_only: bool, tz: str | None = None) -> int:
    from ..journal.store import Journal
    from ..tui.boot import Refusal  # textual only for the commands that need it

    if type(journal) is Journal:  # a run file (not PostgreSQL's subclass, not a locked host)
        keep_do_facts(journal.path)

    parts = war_room_parts(journal, read_only=read_only, tz=tz)
    if isinstance(parts, Refusal):
        print(parts.line, file=sys.stderr)
        return parts.code
    app = parts.app_class(parts.source, parts.clock, **parts.options)
    app.catch_up = parts.catch_up  # said once, when it opens
    app.catch_up_later = parts.catch_up_later  # or once a worker has worked it out
    app.run()
    say_where_it_went(app)
    return app.return_code or 0  # 143 after SIGTERM, 129 after SIGHUP


def say_where_it_went(app: object) -> None:
    """A war room left on a file whose run moved: its line, with the command that opens the
    run where it went, on the terminal given back (to be typed next, or copied)."""
    moved = getattr(getattr(app, "source", None), "moved", None)
    if moved:
        print(moved, file=sys.stderr)


def war_room_parts(
    journal: Journal | LockedJournal, *, read_only: bool, tz: str | None = None
) -> WarRoomParts | Refusal:
    """What the war room on `journal` is made of, or why it is not opened (in one line).
    Also called by cli/warroom_boot.py once its first frame is on the terminal."""
    from ..engine.spoken_zone import said_in, told_in
    from ..journal.fold_ahead import adopt_folded
    from ..journal.run import JournalRun, run_clock
    from ..locked.client import LockedJournal, LockedRun
    from ..tui.app import WarRoomApp
    from ..tui.boot import Refusal, WarRoomParts
    from .catch_up import catch_up_lines, last_seen
    from .catch_up_later import catch_up_later
    from .prior import rehearsal_prior
    from .status_command import viewer_zone
    from .trust_commands import broken_line

    # The log folded by the boot's worker, if it did (journal/fold_ahead.py): the guard
    # below then folds only what was appended since, not the whole log on the UI thread.
    adopt_folded(journal)
    since = last_seen(journal)  # before the guard remembers this look
    broken = broken_line(journal, "follow" if read_only else "run", journal.run_id)
    if broken is not None:
        return Refusal(broken)  # said before the screen is taken: never appended to

    try:
        zone = viewer_zone(tz)
    except ValueError as exc:
        return Refusal(f"cutover: {exc}", 2)
    clock = run_clock(journal, None)
    actor = actor_for(journal.plan, os_login())
    if isinstance(journal, LockedJournal):  # the service conducts, and holds the files
        source = LockedRun(
            journal, actor, now=clock.now, read_only=read_only, monotonic=clock.monotonic
        )
        conductor, prior = None, None
    else:
        source = JournalRun(
            journal, actor, now=clock.now, read_only=read_only, monotonic=clock.monotonic
        )
        from ..clock.conductor import Conductor  # here: `follow` and the service never conduct

        # The conductor has its own connection: its appends never interleave with the reads.
        conductor = Conductor(journal.reopen(), clock)
        prior = None
    # The prior (the rehearsal search) is read when the odds first need it: in their worker
    # after the first frame on a large plan (tui/odds.py), not before the screen opens.
    make_prior = (lambda: rehearsal_prior(journal)) if conductor is not None else None
    options = {"conductor": conductor, "prior": prior, "tz": zone, "make_prior": make_prior}
    # A run file's catch-up (the verdict asked twice, with its odds: seconds on a large
    # plan) is worked out by a worker once the war room is up (cli/catch_up_later.py).
    later = catch_up_later(journal, since)
    with told_in(zone):  # the catch-up's times in the viewer's zone, as every pane's
        lines = [] if later is not None else catch_up_lines(journal, since)
    later = said_in(zone, later) if later is not None else None
    return WarRoomParts(WarRoomApp, source, clock, options, lines, later)

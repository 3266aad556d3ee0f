"""`cutover start`: begin a run of a plan (a copy of the plan is kept). (`cutover runs`, the
list of runs, is in runs_command.py: it imports none of this.)"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from ..engine.state import Refused
from ..journal.backend import journal_url
from ..journal.begin import begin_run
from ..journal.hostconfig import locked_socket
from ..journal.identity import actor_for, os_login
from ..journal.store import JournalError, runs_dir
from ..locked.client import start_locked
from ..plan.vars import VarError, applied, with_overrides
from .inert_output import say_line
from .options import add_runs_option, load_or_say, said_in_one_line


def register(subparsers: argparse._SubParsersAction) -> None:
    start = subparsers.add_parser(
        "start", help="start a run of a plan (a copy of the plan is kept)"
    )
    start.add_argument("plan", metavar="PLAN")
    start.add_argument("--rehearsal", action="store_true", help="a timed dry run, marked so")
    start.add_argument(
        "--no-checks",
        action="store_true",
        help="the conductor runs no check and no probe: checkpoints are ticked off by hand",
    )
    start.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="point one of the plan's [vars] elsewhere for this run (e.g. shop=http://127.0.0.1:8765)",
    )
    add_runs_option(start)
    start.set_defaults(func=cmd_start)


@said_in_one_line
def cmd_start(args: argparse.Namespace) -> int:
    loaded = load_or_say(args.plan)
    if loaded is None:
        return 1
    for problem in loaded.warnings:  # said before the run starts (a trigger's old date, say)
        say_line(f"cutover start: {problem}", sys.stderr)
    try:  # the run keeps the plan with its vars set: the sealed text is what its checks run
        loaded = with_overrides(loaded, getattr(args, "var", None) or [])
    except VarError as exc:
        print(f"cutover start: {exc}", file=sys.stderr)
        return 1
    directory = runs_dir(args.runs)
    no_checks = getattr(args, "no_checks", False)  # `cutover run PLAN` starts one too
    try:
        if no_checks and locked_socket(directory) is not None:
            print("cutover start: --no-checks is not offered on a locked host yet", file=sys.stderr)
            return 1
        url = journal_url(getattr(args, "journal", None))
        if url is not None:  # a run in PostgreSQL: no file, no service
            from ..journal.postgres import redact

            journal = begin_run(
                url, loaded, rehearsal=args.rehearsal, login=os_login(), checks=not no_checks
            )
            run_id, directory = journal.run_id, Path(redact(url))
            journal.close()
        else:
            run_id = start_locked(directory, loaded, rehearsal=args.rehearsal)  # locked host
        if run_id is None:
            run_id = begin_run(
                directory,
                loaded,
                rehearsal=args.rehearsal,
                login=os_login(),
                checks=not no_checks,
            ).run_id
    except Refused as refusal:  # refused before any file is made
        print(f"cutover start: {refusal}", file=sys.stderr)
        return 1
    except (JournalError, OSError, sqlite3.Error) as exc:
        print(f"cutover start: cannot make the run in {directory}/: {exc}", file=sys.stderr)
        return 1
    print(run_id)
    print(
        f"started {'rehearsal' if args.rehearsal else 'live run'} {run_id} "
        f"of {loaded.plan.plan.title!r} as {actor_for(loaded.plan, os_login())}"
        + (" (checks off: --no-checks)" if no_checks else ""),
        file=sys.stderr,
    )
    if said := applied(getattr(args, "var", None) or []):  # the run's checks aim there
        print(f"vars set for this run: {said}", file=sys.stderr)
    return 0

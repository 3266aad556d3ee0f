"""What the sub-commands on a run share: the --runs option, opening the run named on the
command line, loading a plan, and a failing database said in one line."""

from __future__ import annotations

import argparse
import functools
import sqlite3
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..journal.backend import JOURNAL_ENV, journal_url, open_any
from ..journal.run_files import JournalError, runs_dir

if TYPE_CHECKING:
    from ..journal.store import Journal
    from ..locked.client import LockedJournal
    from ..plan import LoadedPlan
# The store, the locked client and the plan are imported where a run is opened or a plan
# loaded: `cutover runs` uses the options and neither (issue 14).

Handler = Callable[[argparse.Namespace], int]


def add_runs_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--runs",
        default=None,
        metavar="DIR",
        help="runs directory (default $CUTOVER_RUNS, else `runs` in /etc/cutover/cutover.toml "
        "or $CUTOVER_CONFIG, else ./runs)",
    )
    parser.add_argument(
        "--journal",
        default=None,
        metavar="URL",
        help=f"runs in PostgreSQL (postgresql://USER@HOST/DB; default ${JOURNAL_ENV}): "
        "RUN is the run's id there",
    )


def said_in_one_line(handler: Handler) -> Handler:
    """A database that fails under a command (damaged, unreadable, locked past the busy
    timeout) is said in one line, never a traceback."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except (sqlite3.Error, JournalError) as exc:
            command = handler.__name__.removeprefix("cmd_")
            what = getattr(args, "run", None) or getattr(args, "plan", None) or "the runs"
            print(f"cutover {command}: {what}: {exc}", file=sys.stderr)
            return 1

    return run


def load_or_say(path: str) -> LoadedPlan | None:
    """The plan at `path`, or None once its problems are printed."""
    from ..plan import PlanError, load_plan  # late: commands on a run need no TOML reader

    try:
        return load_plan(path)
    except PlanError as exc:
        errors = [p for p in exc.problems if p.severity == "error"]
        print(f"{path}: {len(errors)} error(s)", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return None


def open_run(args: argparse.Namespace) -> Journal | LockedJournal | None:
    """The run named on the command line: through the service on a locked host."""
    try:
        return open_named(args.run, args)
    except JournalError as exc:
        print(f"{said_by(args)}: {exc}", file=sys.stderr)
        return None


def said_by(args: argparse.Namespace) -> str:
    """ "cutover COMMAND", as every other refusal of the command begins (user pass: "cutover: no
    run ..." beside "cutover status: ... permission denied")."""
    command = getattr(args, "command", None)
    return f"cutover {command}" if command else "cutover"


def open_named(ref: str, args: argparse.Namespace) -> Journal | LockedJournal:
    """The run `ref`: in PostgreSQL with --journal or $CUTOVER_JOURNAL, else a run file
    (through the service on a locked host). JournalError when there is none."""
    from ..locked.client import open_journal

    url = journal_url(getattr(args, "journal", None))
    if url is not None:
        return open_any(ref, runs_dir(args.runs), url)
    return open_journal(ref, runs_dir(args.runs))

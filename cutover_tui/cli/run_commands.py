"""`cutover status | verify | conduct`: where a run stands, whether its journal holds, and a
headless conductor for it.

Every command acts as the OS user running it (matched to the plan's [people] by login), so
the whole night can be driven from scripts as well as from the war room, with the same
checks and the same journal. Starting a run is in `start_commands.py`, recording one
command in `do_commands.py`.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable

from ..clocks import speed_problem
from ..engine.when import moment_near
from ..inert import inert_line
from ..journal.moved import moved_of
from ..journal.run import run_clock
from ..locked.client import LockedJournal
from .options import add_runs_option, open_run, said_in_one_line
from .status_command import print_status
from .trust_commands import add_verify_arguments, refused_on_broken, verify


def register(subparsers: argparse._SubParsersAction) -> None:
    status = subparsers.add_parser("status", help="where a run stands, and where it is heading")
    status.add_argument("run", metavar="RUN")
    status.add_argument("--at", help="as of this time (HH:MM or ISO time; default now)")
    status.add_argument("--json", action="store_true", help="machine-readable")
    status.add_argument(
        "--tz", help="show times in this zone (e.g. Asia/Kolkata); default the plan's"
    )
    add_runs_option(status)
    status.set_defaults(func=cmd_status)

    verify = subparsers.add_parser(
        "verify", help="check a run's hash chain, database, plan seal and every event's rules"
    )
    verify.add_argument("run", metavar="RUN")
    add_verify_arguments(verify)
    add_runs_option(verify)
    verify.set_defaults(func=cmd_verify)

    conduct = subparsers.add_parser("conduct", help="a headless conductor for a run")
    conduct.add_argument("run", metavar="RUN")
    conduct.add_argument(
        "--speed", type=float, default=None, help="clock speed (default: the run's)"
    )
    add_runs_option(conduct)
    conduct.set_defaults(func=cmd_conduct)


@said_in_one_line
def cmd_status(args: argparse.Namespace) -> int:
    journal = open_run(args)
    if journal is None:
        return 1
    untrusted = refused_on_broken(journal, "status", args.run)  # said first, loudly
    now = run_clock(journal, None).now()  # the run's clock: simulated on a fast rehearsal
    ended_at = journal.state().ended_at
    if ended_at is not None:
        # An ended run is shown as it ended: a simulation's clock runs on for ever after,
        # and "rollback by 04:45 (in -38h31m)" says nothing to anyone.
        now = min(now, ended_at)
    try:
        at = moment_near(args.at, journal.plan, now) if args.at is not None else now
    except ValueError as exc:
        print(f"cutover status: {exc}", file=sys.stderr)
        return 2
    shown = print_status(journal, at, args)
    return 1 if untrusted else shown


@said_in_one_line
def cmd_verify(args: argparse.Namespace) -> int:
    journal = open_run(args)
    if journal is None:
        return 1
    return verify(journal, args.expect)


def _said_by(run_id: str) -> Callable[[str | None], None]:
    """The conductor's word on a problem as it starts and ends (PostgreSQL down and back)."""
    told = False

    def say(problem: str | None) -> None:
        nonlocal told
        if problem is not None:
            if told:
                return  # once per outage: its wording may change as it goes on
            told = True
            print(f"cutover conduct: {run_id}: {problem}; retrying", file=sys.stderr)
        elif told:
            told = False
            print(f"cutover conduct: {run_id}: conducting again", file=sys.stderr)

    return say


@said_in_one_line
def cmd_conduct(args: argparse.Namespace) -> int:
    journal = open_run(args)
    if journal is None:
        return 1
    if isinstance(journal, LockedJournal):
        print(
            "cutover conduct: on this locked host the service conducts every run", file=sys.stderr
        )
        return 1
    if args.speed is not None and speed_problem(args.speed):
        print(f"cutover conduct: {speed_problem(args.speed)}", file=sys.stderr)
        return 2
    if refused_on_broken(journal, "conduct", args.run):
        return 1
    where = moved_of(journal)
    if where is not None:  # moved before we began: the stop line alone, not "conducting" first
        print(
            f"cutover conduct: {journal.run_id}: stopped: {inert_line(where.line())}",
            file=sys.stderr,
        )
        return 1
    import asyncio  # late, as the conductor: `status` and `verify` need neither (issue 14)

    from ..clock.conductor import Conductor, conduct_forever

    clock = run_clock(journal, args.speed)
    conductor = Conductor(journal, clock)
    if conductor.ended:
        print(f"{journal.run_id} has ended: nothing to conduct", file=sys.stderr)
        return 0
    print(
        f"conducting {journal.run_id} as {conductor.holder} until it ends (Ctrl-C to stop)",
        file=sys.stderr,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(conduct_forever(conductor, say=_said_by(journal.run_id)))
    if conductor.moved:  # said once, here: it stood down on its first heartbeat after
        print(f"cutover conduct: {journal.run_id}: stopped: {conductor.moved}", file=sys.stderr)
        return 1
    if conductor.problem:
        print(f"cutover conduct: {conductor.problem}", file=sys.stderr)
        return 1
    mine = ", ".join(f"{e.type} {e.key}" for e in conductor.written) or "nothing"
    print(f"{journal.run_id}: stopped conducting; wrote {mine}", file=sys.stderr)
    return 0

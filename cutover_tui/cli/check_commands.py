"""`cutover check RUN STEP`: run a running checkpoint's check now, under the conductor's rules.

It records a CheckRequested as the caller (the commander or the step's owner may; it names
the step, never what to run), then conducts: if no other process holds the run's lease, this
one takes it for the moment and, when its OS user is the one that started the run
(clock/checking.py `not_the_starter`), runs the plan's check and records the result (else it
says why and records nothing);
if another conductor holds it, that one runs the check and this waits for the result (the
starter's takes the lease from a conductor that runs no checks: journal/lease.decide). Either
way the result is the checkpoint's, recorded once, and printed (inert).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
import uuid

from ..clock.conductor import Conductor
from ..engine.checks import check_of
from ..engine.events import CheckRequested
from ..engine.state import Refused
from ..inert import inert
from ..journal.identity import actor_for, describe, os_login
from ..journal.run import run_clock
from ..journal.store import Journal
from .check_item import check_item, is_item
from .options import add_runs_option, open_run, said_in_one_line
from .trust_commands import refused_on_broken

WAIT_MARGIN_S = 15.0  # beyond the check's own timeout, for another conductor to record it


def register(subparsers: argparse._SubParsersAction) -> None:
    check = subparsers.add_parser(
        "check", help="run a running checkpoint's check now (the conductor's rules apply)"
    )
    check.add_argument("run", metavar="RUN")
    check.add_argument(
        "step",
        metavar="STEP",
        help="a running checkpoint that has a check, or an [aftercare] validation item with one",
    )
    add_runs_option(check)
    check.set_defaults(func=cmd_check)


@said_in_one_line
def cmd_check(args: argparse.Namespace) -> int:
    journal = open_run(args)
    if journal is None:
        return 1
    if not isinstance(journal, Journal):
        print("cutover check: on a locked host press x in the war room instead", file=sys.stderr)
        return 1
    if refused_on_broken(journal, "check", args.run):
        return 1
    login = os_login()
    state = journal.state()
    clock = run_clock(journal, None)
    if args.step not in state.status and is_item(state, args.step):  # after the night
        return check_item(journal, args.step, login, clock)
    st = state.status.get(args.step)
    attempt = st.attempts if st is not None else 0
    ask = CheckRequested(
        actor=actor_for(journal.plan, login),
        at=clock.now(),
        step=args.step,
        attempt=attempt,
        key=uuid.uuid4().hex,
    )
    try:
        journal.append(ask, now=clock.now)
    except Refused as refusal:
        print(
            f"cutover check: refused: {refusal} ({describe(state, login, str(refusal))})",
            file=sys.stderr,
        )
        return 1
    except sqlite3.Error as exc:
        print(f"cutover check: cannot write {journal.path}: {exc}", file=sys.stderr)
        return 1
    check = check_of(state, args.step)
    deadline = time.monotonic() + check.timeout.total_seconds() + WAIT_MARGIN_S
    conductor = Conductor(journal.reopen(), clock)  # its own connection (a file or PostgreSQL)
    try:
        while time.monotonic() < deadline:
            conductor.tick()  # runs it here when no other conductor holds the lease
            if conductor.holding and conductor.checks_refused:
                print(f"cutover check: not run: {conductor.checks_refused}", file=sys.stderr)
                return 1
            now = journal.reopen().state().status[args.step]
            if now.attempts != attempt or now.status != "running":
                break
            time.sleep(0.2)  # allowed: a real process waiting for another conductor's result
    finally:
        conductor.stop()
    now = journal.reopen().state().status[args.step]
    if now.status == "running":
        print(
            f"cutover check: no result for {args.step!r} yet (is a conductor stuck?)",
            file=sys.stderr,
        )
        return 1
    print(inert(f"{args.step}: {now.status} by {now.finished_by}\n{now.evidence}"))
    return 0 if now.status == "done" else 1

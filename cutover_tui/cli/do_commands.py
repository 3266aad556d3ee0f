"""`cutover do RUN ACTION [STEP]`: record one command on a run, as the OS user running it.

The options are the action's words; `engine/actions.py` turns them into the event (the same
mapping the war room's forms use), and the journal checks and records it.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import uuid
from datetime import datetime

from ..clocks import boot_id
from ..engine.actions import TAKES_NOTE, Words, event_for, ids
from ..engine.aftercare_actions import AFTER_ACTIONS
from ..engine.events import Event
from ..engine.incident_actions import INCIDENT_ACTIONS
from ..engine.state import Refused
from ..engine.times import stamp
from ..engine.when import eta_after, moment_near
from ..journal.idempotency import key_reused
from ..journal.identity import actor_for, describe, os_login
from ..journal.run import run_clock
from ..journal.store import Journal
from ..plan.model import Plan
from .incident_commands import default_giver, said_about_incident
from .options import add_runs_option, open_run, said_in_one_line
from .trust_commands import refused_on_broken

ACTIONS = {
    "start": "start a step",
    "complete": "complete a step",
    "fail": "fail a step (--reason)",
    "skip": "skip a step (--reason)",
    "suspend": "suspend a step (--reason, optional --eta HH:MM)",
    "resume": "resume a suspended step",
    "pass": "pass a checkpoint (--evidence)",
    "fail-check": "fail a checkpoint (--evidence)",
    "go": "record your go at a gate",
    "conditional-go": "record a conditional go at a gate (--risk, repeatable)",
    "no-go": "record a no-go at a gate (--reason)",
    "met": "mark a readiness item met",
    "waived": "mark a readiness item waived (--note)",
    "note": "add a note (--note; --kind info|decision|deviation|review; STEP optional)",
    "estimate": "change a step's estimate (--duration, --reason)",
    "add-step": "add a step (--title, --owner, --duration, --after, --before, --reason, --phase)",
    "depend": "change what a step waits for (--after, comma-separated; --reason)",
    "comms": "record a message sent (--template, --to, --subject, --note; STEP: a comms step)",
    "send": "send a draft or comms step now (DRAFT_OR_STEP; --subject, --note edit it)",
    "rollback": "invoke rollback (--reason, optional --trigger)",
    "override": "carry on past a fired rollback trigger (TRIGGER, --reason; commander)",
    "end": "end the run (--outcome completed|rolled-back|aborted)",
    "exclude-rehearsal": "leave this rehearsal out of the history (--reason; commander)",
    **AFTER_ACTIONS,  # after the night: validation, access, handover, runbook
    **INCIDENT_ACTIONS,
}


def register(subparsers: argparse._SubParsersAction) -> None:
    do = subparsers.add_parser(
        "do",
        help="record one command on a run",
        description="Actions: " + "; ".join(f"{k}: {v}" for k, v in ACTIONS.items()),
    )
    do.add_argument("run", metavar="RUN")
    do.add_argument("action", choices=sorted(ACTIONS), metavar="ACTION")
    do.add_argument("target", nargs="?", metavar="STEP", help="the step, gate or readiness item")
    do.add_argument("--at", help="when it happened (HH:MM or ISO time), for a late tick-off")
    do.add_argument("--note", default="", help="note text")
    do.add_argument("--reason", default="", help="why")
    do.add_argument("--evidence", default="", help="what was seen (checkpoints)")
    do.add_argument("--eta", help="when work resumes (suspend), HH:MM or ISO time")
    do.add_argument("--kind", default="info", choices=["info", "decision", "deviation", "review"])
    do.add_argument("--risk", action="append", default=[], help="an accepted risk (conditional go)")
    do.add_argument("--duration", help="a budget such as 25m or 1h30m (estimate, add-step)")
    do.add_argument("--title", help="title of an added step")
    do.add_argument("--owner", help="owner (people key) of an added step")
    do.add_argument("--after", default="", help="comma-separated predecessors of an added step")
    do.add_argument("--before", default="", help="comma-separated steps that wait for it")
    do.add_argument("--phase", help="phase of an added step")
    do.add_argument("--approver", help="whose decision at a gate (default: yours)")
    do.add_argument("--template", help="the message template used (comms)")
    do.add_argument("--to", action="append", default=[], help="an audience (comms; repeatable)")
    do.add_argument("--subject", help="the message's subject (comms)")
    do.add_argument("--trigger", help="the trigger that calls for the rollback")
    do.add_argument("--outcome", choices=["completed", "rolled-back", "aborted"])
    do.add_argument("--severity", help="an incident's severity: sev1 (the worst) .. sev4")
    do.add_argument("--from", dest="giver", help="who hands a bridge role over (handover)")
    do.add_argument("--key", help="idempotency key (default: a fresh one)")
    do.add_argument("--value", type=number, help="the value measured (validated, a measure)")
    do.add_argument(
        "--remark",
        choices=["went-well", "to-change", "process-gap"],
        help="a review remark's heading in the report (note --kind review)",
    )
    add_runs_option(do)
    do.set_defaults(func=cmd_do)


@said_in_one_line
def cmd_do(args: argparse.Namespace) -> int:
    if any(not isinstance(w, str) for w in (args.run, args.action)) or isinstance(
        args.target, list
    ):
        # `RUN -- --`: argparse gives [] for a positional and checks no choices
        print(
            "cutover do: RUN, ACTION and STEP must each be one word (a stray `--`?)",
            file=sys.stderr,
        )
        return 2
    if args.note and args.action not in TAKES_NOTE:  # before anything is written
        print(
            f"cutover do: {args.action} keeps no --note (nothing recorded): record the "
            f"{args.action} without it, and the words with `cutover do RUN note STEP --note ...`",
            file=sys.stderr,
        )
        return 2
    if args.action == "send":  # rendered, queued, delivered by the conductor
        from .comms_commands import cmd_send  # loaded only to send: templates, channels

        return cmd_send(args)
    journal = open_run(args)
    if journal is None:
        return 1
    login = os_login()
    plan = journal.plan
    actor = actor_for(plan, login)
    clock = run_clock(journal, None)  # the run's clock: simulated time on a fast rehearsal
    now = clock.now()
    try:
        at = moment_near(args.at, plan, now) if args.at is not None else now
        args.giver = default_giver(args, journal)  # handover: the role's only holder
        event = build_event(args, plan, actor, at)
    except ValueError as exc:
        print(f"cutover do: {exc}", file=sys.stderr)
        return 2
    if args.at is None:  # a tick-off as it happens: keep this boot's monotonic reading too
        event = event.model_copy(update={"mono": clock.monotonic(), "boot": boot_id()})
    event = event.model_copy(update={"recorded_at": now})  # `at` is checked against it
    if refused_on_broken(journal, "do", args.run):
        return 1
    try:
        stored = journal.append(event, now=clock.now)
    except Refused as refusal:
        print(
            f"cutover do: refused: {refusal} ({describe(journal.state(), login, str(refusal))})",
            file=sys.stderr,
        )
        return 1
    except sqlite3.Error as exc:  # e.g. a login outside the run's group: the file is read-only
        print(f"cutover do: cannot write {journal.path}: {exc}", file=sys.stderr)
        return 1
    if args.key and stored.recorded_at != event.recorded_at:  # an earlier row: a retry?
        refusal = key_reused(journal.state(), stored, event)  # nothing was written
        if refusal:
            said = describe(journal.state(), login)
            print(f"cutover do: refused: {refusal} ({said})", file=sys.stderr)
            return 1
    late = _dated(journal.state(), stored) if args.at is not None else ""
    target = f" {args.target}" if args.target else ""  # an incident raised about nothing names none
    print(f"#{stored.seq} {stored.type}{target} by {stored.actor}{late}")
    said_about_incident(journal, stored)  # INC-3, its owner and SLA
    keep_facts(journal, login, clock.now())  # for the next note's fast path (cli/do_fast.py)
    return 0


def _dated(state, stored: Event) -> str:
    """ ", at 00:01, recorded 00:06:12": a late tick-off's two times on the plan's clock, as
    every screen says them (user pass, 2026-12-02: "recorded 17:01:01Z" beside "00:01"),
    each dated as a refusal dates it (engine/times.stamp) when it is not on the run's night:
    a run begun two days ago echoed "recorded 22:20:03" as if that were tonight's."""
    recorded = stamp(state, stored.recorded_at, seconds=True)
    return f", at {stamp(state, stored.at)}, recorded {recorded}"


def keep_facts(journal, login: str, now: datetime) -> None:
    """This user's facts of a run file at its head, for `cutover do`'s fast path; never
    for PostgreSQL or a locked host (the fast path only writes run files itself)."""
    if type(journal) is not Journal:
        return
    from ..journal import do_facts

    try:
        facts = do_facts.take(journal, login, now)
    except Exception:  # a cache never fails a command: the next note takes the full path
        return
    if facts is None:
        return
    do_facts.keep(facts, prune=True, head=lambda: do_facts.head_of(journal.db))
    try:
        state = journal.state()  # caught up again: a row appended since is never a failure
    except Exception:
        return
    from .facts_refresh import fork_moves

    fork_moves(facts, state)  # the step actions' answers, in a child


def build_event(args: argparse.Namespace, plan: Plan, actor: str, at: datetime) -> Event:
    """The event one `cutover do` asks for; ValueError when an argument is missing or wrong."""
    key = args.key or uuid.uuid4().hex
    return event_for(args.action, args.target, words(args, plan, at), actor=actor, at=at, key=key)


def words(args: argparse.Namespace, plan: Plan, at: datetime) -> Words:
    """The action's words, from the command line (an --eta HH:MM the next after `at`)."""
    return Words(
        reason=args.reason,
        evidence=args.evidence,
        note=args.note,
        eta=eta_after(args.eta, plan, at) if args.eta is not None else None,
        kind=args.kind,
        risks=tuple(args.risk),
        duration=args.duration,
        title=args.title,
        owner=args.owner,
        after=tuple(ids(args.after)),
        before=tuple(ids(args.before)),
        phase=args.phase,
        approver=args.approver,
        template=args.template,
        to=tuple(t for part in args.to for t in ids(part)),
        subject=args.subject,
        trigger=args.trigger,
        outcome=args.outcome,
        value=args.value,
        remark=args.remark,
        severity=getattr(args, "severity", None),
        giver=getattr(args, "giver", None),
    )


def number(text: str) -> float:
    """A measured value as typed: a finite number (argparse names the option when not)."""
    value = float(text)
    if value != value or abs(value) == float("inf"):
        raise ValueError(text)
    return value

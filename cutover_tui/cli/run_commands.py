"""`cutover start | runs | do | status | verify | conduct`: a run, driven from a shell.

Every command acts as the OS user running it (matched to the plan's [people] by login), so
the whole night can be driven from scripts as well as from the war room, with the same
checks and the same journal.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import sqlite3
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ..clock.conductor import Conductor, conduct_forever
from ..clocks import Clock, boot_id, speed_problem
from ..engine.events import (
    CheckpointFailed,
    CheckpointPassed,
    CommsSent,
    DependencyChanged,
    EstimateChanged,
    Event,
    GateDecided,
    NoteAdded,
    ReadinessMarked,
    RehearsalExcluded,
    RollbackInvoked,
    RunEnded,
    StepAdded,
    StepCompleted,
    StepFailed,
    StepResumed,
    StepSkipped,
    StepStarted,
    StepSuspended,
    TriggerOverridden,
)
from ..engine.state import Refused
from ..journal.begin import begin_run
from ..journal.identity import actor_for, describe, os_login
from ..journal.run import run_clock
from ..journal.store import Journal, JournalError, runs_dir
from ..locked.client import LockedJournal, open_journal, start_locked
from ..plan import PlanError, load_plan
from ..plan.durations import parse_duration
from ..plan.limits import within_reach
from ..plan.model import Plan
from .status_command import print_status
from .trust_commands import add_verify_arguments, print_runs, refused_on_broken, verify

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
}


def add_runs_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--runs",
        default=None,
        metavar="DIR",
        help="runs directory (default $CUTOVER_RUNS, else `runs` in /etc/cutover/cutover.toml "
        "or $CUTOVER_CONFIG, else ./runs)",
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    start = subparsers.add_parser(
        "start", help="start a run of a plan (a copy of the plan is kept)"
    )
    start.add_argument("plan", metavar="PLAN")
    start.add_argument("--rehearsal", action="store_true", help="a timed dry run, marked so")
    add_runs_option(start)
    start.set_defaults(func=cmd_start)

    runs = subparsers.add_parser("runs", help="list runs and where each stands")
    add_runs_option(runs)
    runs.set_defaults(func=cmd_runs)

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
    do.add_argument("--key", help="idempotency key (default: a fresh one)")
    add_runs_option(do)
    do.set_defaults(func=cmd_do)

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


def _in_words(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
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


# -- start, runs -----------------------------------------------------------------------------


@_in_words
def cmd_start(args: argparse.Namespace) -> int:
    loaded = _load(args.plan)
    if loaded is None:
        return 1
    directory = runs_dir(args.runs)
    try:
        run_id = start_locked(directory, loaded, rehearsal=args.rehearsal)  # a locked host
        if run_id is None:
            run_id = begin_run(directory, loaded, rehearsal=args.rehearsal, login=os_login()).run_id
    except Refused as refusal:  # refused before any file is made
        print(f"cutover start: {refusal}", file=sys.stderr)
        return 1
    except (JournalError, OSError, sqlite3.Error) as exc:
        print(f"cutover start: cannot make the run in {directory}/: {exc}", file=sys.stderr)
        return 1
    print(run_id)
    print(
        f"started {'rehearsal' if args.rehearsal else 'live run'} {run_id} "
        f"of {loaded.plan.plan.title!r} as {actor_for(loaded.plan, os_login())}",
        file=sys.stderr,
    )
    return 0


@_in_words
def cmd_runs(args: argparse.Namespace) -> int:
    return print_runs(runs_dir(args.runs))  # unreadable and damaged runs named as such


# -- do --------------------------------------------------------------------------------------


@_in_words
def cmd_do(args: argparse.Namespace) -> int:
    if args.action == "send":  # rendered, queued, delivered by the conductor
        from .comms_commands import cmd_send  # (it imports this module)

        return cmd_send(args)
    journal = _open(args)
    if journal is None:
        return 1
    login = os_login()
    plan = journal.plan
    actor = actor_for(plan, login)
    clock = _clock_for(journal, None)  # the run's clock: simulated time on a fast rehearsal
    now = clock.now()
    try:
        at = parse_when(args.at, plan, now) if args.at else now
        event = build_event(args, plan, actor, at)
    except ValueError as exc:
        print(f"cutover do: {exc}", file=sys.stderr)
        return 2
    if not args.at:  # a tick-off as it happens: keep this boot's monotonic reading too
        event = event.model_copy(update={"mono": clock.monotonic(), "boot": boot_id()})
    event = event.model_copy(update={"recorded_at": now})  # `at` is checked against it
    if refused_on_broken(journal, "do", args.run):
        return 1
    try:
        stored = journal.append(event, now=clock.now)
    except Refused as refusal:
        print(
            f"cutover do: refused: {refusal} ({describe(journal.state(), login)})",
            file=sys.stderr,
        )
        return 1
    except sqlite3.Error as exc:  # e.g. a login outside the run's group: the file is read-only
        print(f"cutover do: cannot write {journal.path}: {exc}", file=sys.stderr)
        return 1
    late = f", recorded {stored.recorded_at:%H:%M:%S}Z" if args.at else ""
    print(f"#{stored.seq} {stored.type} {args.target or ''} by {stored.actor}{late}".rstrip())
    return 0


def build_event(args: argparse.Namespace, plan: Plan, actor: str, at: datetime) -> Event:
    """The event one `cutover do` asks for; ValueError when an argument is missing or wrong."""
    base = {"actor": actor, "at": at, "key": args.key or uuid.uuid4().hex}
    action, target = args.action, args.target

    def need(value: str | None, what: str) -> str:
        if not value:
            raise ValueError(f"{action} needs {what}")
        return value

    if action not in ("note", "rollback", "end", "comms", "exclude-rehearsal"):
        need(target, "a STEP (or gate, or readiness item)")
    simple = {"start": StepStarted, "complete": StepCompleted, "resume": StepResumed}
    if action in simple:
        return simple[action](step=target, **base)
    if action == "fail":
        return StepFailed(step=target, reason=need(args.reason, "--reason"), **base)
    if action == "skip":
        return StepSkipped(step=target, reason=need(args.reason, "--reason"), **base)
    if action == "suspend":
        eta = parse_when(args.eta, plan, at) if args.eta else None
        return StepSuspended(step=target, reason=need(args.reason, "--reason"), eta=eta, **base)
    if action == "pass":
        return CheckpointPassed(step=target, evidence=need(args.evidence, "--evidence"), **base)
    if action == "fail-check":
        return CheckpointFailed(step=target, evidence=need(args.evidence, "--evidence"), **base)
    if action in ("go", "conditional-go", "no-go"):
        if action == "conditional-go":
            need(args.risk and "x", "at least one --risk")
        if action == "no-go":
            need(args.reason, "--reason")
        return GateDecided(
            step=target,
            approver=args.approver or actor,
            decision=action,
            reason=args.reason,
            risks=args.risk,
            **base,
        )
    if action in ("met", "waived"):
        return ReadinessMarked(item=target, status=action, note=args.note, **base)
    if action == "note":
        return NoteAdded(kind=args.kind, text=need(args.note, "--note"), step=target, **base)
    if action == "estimate":
        duration = parse_duration(need(args.duration, "--duration"))
        return EstimateChanged(
            step=target,
            duration_s=duration.total_seconds(),
            reason=need(args.reason, "--reason"),
            **base,
        )
    if action == "add-step":
        return StepAdded(
            step=target,
            title=need(args.title, "--title"),
            owner=need(args.owner, "--owner"),
            duration_s=parse_duration(need(args.duration, "--duration")).total_seconds(),
            after=_ids(args.after),
            before=_ids(args.before),
            phase=args.phase,
            reason=need(args.reason, "--reason"),
            **base,
        )
    if action == "depend":
        return DependencyChanged(
            step=target, after=_ids(args.after), reason=need(args.reason, "--reason"), **base
        )
    if action == "comms":
        return CommsSent(
            template=need(args.template, "--template"),
            to=[t for part in args.to for t in _ids(part)] or need(None, "--to"),
            subject=need(args.subject, "--subject"),
            body=args.note,
            step=target,
            **base,
        )
    if action == "override":
        return TriggerOverridden(
            trigger=need(target, "a TRIGGER"), reason=need(args.reason, "--reason"), **base
        )
    if action == "rollback":
        return RollbackInvoked(reason=need(args.reason, "--reason"), trigger=args.trigger, **base)
    if action == "exclude-rehearsal":
        return RehearsalExcluded(reason=need(args.reason, "--reason"), **base)
    if action == "end":
        return RunEnded(outcome=need(args.outcome, "--outcome"), reason=args.reason, **base)
    raise ValueError(f"unknown action {action!r}")


def parse_when(text: str, plan: Plan, now: datetime) -> datetime:
    """HH:MM in the plan's zone (the latest such moment not after now + 12h), or ISO time."""
    text = text.strip()
    try:
        hours, minutes = (int(part) for part in text.split(":"))
    except ValueError:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a time: write HH:MM or 2026-11-27T23:40") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=plan.zone)
        return within_reach(moment, now, text)  # years 0001 and 9999 overflowed downstream
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise ValueError(f"{text!r} is not a time of day")
    local = now.astimezone(plan.zone)
    moment = local.replace(hour=hours, minute=minutes, second=0, microsecond=0)
    if moment - local > timedelta(hours=12):
        moment -= timedelta(days=1)
    elif local - moment > timedelta(hours=12):
        moment += timedelta(days=1)
    return moment.astimezone(UTC)


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


# -- status, verify, conduct -----------------------------------------------------------------


@_in_words
def cmd_status(args: argparse.Namespace) -> int:
    journal = _open(args)
    if journal is None:
        return 1
    untrusted = refused_on_broken(journal, "status", args.run)  # said first, loudly
    now = _clock_for(journal, None).now()  # the run's clock: simulated on a fast rehearsal
    ended_at = journal.state().ended_at
    if ended_at is not None:
        # An ended run is shown as it ended: a simulation's clock runs on for ever after,
        # and "rollback by 04:45 (in -38h31m)" says nothing to anyone.
        now = min(now, ended_at)
    try:
        at = parse_when(args.at, journal.plan, now) if args.at else now
    except ValueError as exc:
        print(f"cutover status: {exc}", file=sys.stderr)
        return 2
    shown = print_status(journal, at, args)
    return 1 if untrusted else shown


@_in_words
def cmd_verify(args: argparse.Namespace) -> int:
    journal = _open(args)
    if journal is None:
        return 1
    return verify(journal, args.expect)


@_in_words
def cmd_conduct(args: argparse.Namespace) -> int:
    journal = _open(args)
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
    clock = _clock_for(journal, args.speed)
    conductor = Conductor(journal, clock)
    if conductor.ended:
        print(f"{journal.run_id} has ended: nothing to conduct", file=sys.stderr)
        return 0
    print(
        f"conducting {journal.run_id} as {conductor.holder} until it ends (Ctrl-C to stop)",
        file=sys.stderr,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(conduct_forever(conductor))
    if conductor.problem:
        print(f"cutover conduct: {conductor.problem}", file=sys.stderr)
        return 1
    mine = ", ".join(f"{e.type} {e.key}" for e in conductor.written) or "nothing"
    print(f"{journal.run_id}: stopped conducting; wrote {mine}", file=sys.stderr)
    return 0


def _clock_for(journal: Journal, speed: float | None) -> Clock:
    """The run's clock (see `journal.run.run_clock`): simulated time on a fast rehearsal."""
    return run_clock(journal, speed)


# -- helpers -----------------------------------------------------------------------------------


def _load(path: str):
    try:
        return load_plan(path)
    except PlanError as exc:
        errors = [p for p in exc.problems if p.severity == "error"]
        print(f"{path}: {len(errors)} error(s)", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return None


def _open(args: argparse.Namespace) -> Journal | LockedJournal | None:
    """The run named on the command line: through the service on a locked host."""
    try:
        return open_journal(args.run, runs_dir(args.runs))
    except JournalError as exc:
        print(f"cutover: {exc}", file=sys.stderr)
        return None

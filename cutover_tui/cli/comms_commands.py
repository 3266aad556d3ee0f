"""`cutover comms RUN [--outbox|--drafts|--contacts]`, `cutover comms config`,
`cutover comms test PLAN`, and `cutover do RUN send DRAFT_OR_STEP` (its handler is here).

Everyone may look; only the commander and a communicator may send (engine/outbox.py checks it
in the journal's write transaction). Text from plans and people reaches the terminal through
the CLI's inert output.
"""

from __future__ import annotations

import argparse
import sys

from ..comms.outgoing import Draft, drafts
from ..comms.raci import raci_roles
from ..comms.reach import reach_all
from ..comms.send import find_draft, keyed, other_send, send_events, under_key
from ..comms.settings import CommsConfigError, CommsSettings, load_comms_settings
from ..comms.templates import render
from ..comms.values import values_from
from ..engine.state import Refused, RunState
from ..engine.verdict import assess, forecaster_for
from ..journal.idempotency import used_for
from ..journal.identity import actor_for, describe, os_login
from ..journal.run import run_clock
from ..plan.durations import format_duration
from ..plan.zones import hm
from .inert_output import say_line
from .options import add_runs_option, load_or_say, open_run, said_in_one_line
from .trust_commands import refused_on_broken


def register(subparsers: argparse._SubParsersAction) -> None:
    comms = subparsers.add_parser(
        "comms",
        help="a run's outbox and drafts; `comms config`; `comms test PLAN` (a dry run)",
        description="cutover comms RUN: the outbox, the drafts awaiting a communicator and the "
        "contact matrix. cutover comms config: where this host's channel settings are read "
        "from. cutover comms test PLAN: a test message to every audience by every channel.",
    )
    comms.add_argument("run", metavar="RUN|config|test")
    comms.add_argument("plan", nargs="?", metavar="PLAN", help="the plan (comms test)")
    shown = comms.add_mutually_exclusive_group()
    shown.add_argument("--outbox", action="store_true", help="the outbox only")
    shown.add_argument("--drafts", action="store_true", help="the drafts, in full")
    shown.add_argument("--contacts", action="store_true", help="the contact matrix only")
    add_runs_option(comms)
    comms.set_defaults(func=cmd_comms)


def _settings(command: str) -> CommsSettings | None:
    try:
        return load_comms_settings()
    except CommsConfigError as exc:
        print(f"cutover {command}: {exc}", file=sys.stderr)
        return None


@said_in_one_line
def cmd_comms(args: argparse.Namespace) -> int:
    if args.run == "config":
        return _config()
    if args.run == "test":
        return _test(args.plan)
    journal = open_run(args)
    if journal is None:
        return 1
    state = journal.state()
    now = run_clock(journal, None).now()
    if not (args.drafts or args.contacts):
        _print_outbox(state)
    if not (args.outbox or args.contacts):
        sched, _sight, verdict = assess(state, now, forecaster_for(journal.run_id))
        _print_drafts(state, drafts(state, now, verdict.stage), sched, verdict, full=args.drafts)
    if not (args.outbox or args.drafts):
        _print_contacts(state)
    return 0


# -- showing ---------------------------------------------------------------------------------


def _print_outbox(state: RunState) -> None:
    say_line(f"outbox: {len(state.outbox)} messages")
    for m in state.outbox:
        q = m.queued
        last = m.sent.answer if m.sent else (m.failures[-1].reason if m.failures else "")
        retry = f", next try {hm(m.retry_at, state.plan.zone)}" if m.status == "retrying" else ""
        who = state.name(q.actor)
        say_line(
            f"  {m.status:<13} {q.message:<40} {q.route:<7} to {q.audience} "
            f"(queued {hm(q.at, state.plan.zone)} by {who}; attempts {m.attempts}{retry})"
        )
        say_line(f"    {q.subject}")
        if last:
            say_line(f"    {last}")
        if m.status == "undeliverable":
            told = ", ".join(state.name(k) for k in m.failures[-1].escalated_to) or "nobody"
            say_line(f"    UNDELIVERABLE: escalated to {told}; send it by other means")
        if q.missing:
            say_line(f"    missing when rendered: {', '.join(q.missing)}")


def _print_drafts(state, found: list[Draft], sched, verdict, *, full: bool) -> None:
    say_line(f"drafts awaiting a communicator: {len(found)}")
    for draft in found:
        values = values_from(state, sched, verdict, draft.about)
        text = render(state.plan, draft.template, values)
        say_line(f"  {draft.id}: {draft.why}; to {', '.join(draft.audiences)}")
        say_line(f"    {text.subject}")
        if full:
            for line in text.body.splitlines():
                say_line(f"    | {line}")
        if text.missing:
            say_line(f"    missing now: {', '.join(text.missing)}")
        say_line(f"    send: cutover do RUN send {draft.id}")


def _print_contacts(state: RunState) -> None:
    plan = state.plan
    say_line("contacts:")
    for key, p in plan.people.items():
        audiences = [a.id for a in plan.audience if p.email and p.email in a.email]
        if "resolver" in p.roles:
            audiences.append("resolvers")
        audiences += raci_roles(plan, key)  # "informed:dns", "accountable:dns"
        say_line(
            f"  {p.name} ({key}): {', '.join(p.roles) or 'no role'}; team {p.team or '-'}; "
            f"phone {p.phone or '-'}; email {p.email or '-'}; escalates to "
            f"{p.escalates_to or '-'}; audiences {', '.join(audiences) or '-'}"
        )
    for a in plan.audience:
        ways = [*a.email, *(["webhook"] if a.webhook else [])]
        cadence = f"; every {format_duration(a.cadence)}" if a.cadence else ""
        say_line(f"  audience {a.id} ({a.name}): {', '.join(ways)}{cadence}")


def _config() -> int:
    settings = _settings("comms config")
    if settings is None:
        return 1
    state = "read" if settings.found else "absent: nothing is sent automatically"
    print(f"comms settings: {settings.path} ({state})")
    print("  ($CUTOVER_COMMS_CONFIG names another file; the default is beside the host config)")
    smtp = settings.smtp
    if smtp is None:
        print("  smtp: none (email cannot be sent from this host)")
    else:
        login = (
            f"as {smtp.username}, password from {smtp.password}" if smtp.username else "no login"
        )
        ca = f", CA {smtp.ca_file}" if smtp.ca_file else ""
        print(f"  smtp: {smtp.host}:{smtp.port} {smtp.security}{ca}, from {smtp.sender}, {login}")
    hook = settings.hook
    print(f"  webhooks: {hook.format}, HMAC key from {hook.secret}")
    for audience, h in settings.hooks.items():
        url = f"address from {h.url}" if h.url else "address from the plan"
        print(f"    {audience}: {h.format}, {url}, HMAC key from {h.secret}")
    d = settings.delivery
    print(
        f"  delivery: {d.attempts} attempts, backoff {format_duration(d.backoff)} doubling to "
        f"{format_duration(d.max_backoff)}; "
        f"rehearsals: {d.rehearsals}"
    )
    return 0


def _test(plan_path: str | None) -> int:
    if not plan_path:
        print("cutover comms test: name the plan: cutover comms test PLAN", file=sys.stderr)
        return 2
    loaded = load_or_say(plan_path)
    settings = _settings("comms test")
    if loaded is None or settings is None:
        return 1
    rows = reach_all(loaded.plan, settings)
    print(f"{'audience':<20} {'route':<8} {'address':<32} {'result':<10} {'time':>7}  answer")
    for r in rows:
        result = "delivered" if r.ok else "FAILED"
        print(
            f"{r.audience:<20} {r.route:<8} {r.address:<32} {result:<10} "
            f"{r.seconds * 1000:>5.0f}ms  {r.answer}"
        )
    failed = sum(not r.ok for r in rows)
    print(f"{len(rows) - failed} of {len(rows)} addresses reached")
    return 1 if failed else 0


# -- sending ---------------------------------------------------------------------------------


def cmd_send(args: argparse.Namespace) -> int:
    """`cutover do RUN send DRAFT_OR_STEP`: render the draft now, queue it, close the step.
    Under `--key K` a retry answers with the rows it recorded (and completes a send cut short);
    the key used for anything else is refused, as every other `cutover do` refuses it."""
    journal = open_run(args)
    if journal is None:
        return 1
    if refused_on_broken(journal, "do", args.run):
        return 1
    settings = _settings("do send")
    if settings is None:
        return 1
    login = os_login()
    state = journal.state()
    actor = actor_for(state.plan, login)
    earlier = _sent_before(journal, state, actor, args)
    if isinstance(earlier, str):
        print(f"cutover do: refused: {earlier} ({describe(state, login)})", file=sys.stderr)
        return 1
    now = run_clock(journal, None).now()
    sched, _sight, verdict = assess(state, now, forecaster_for(journal.run_id))
    draft = find_draft(state, now, verdict, args.target or "")
    if draft is None and earlier:  # sent in full: the retry's answer is what it recorded
        return _said(earlier)
    if draft is None:
        known = ", ".join(d.id for d in drafts(state, now, verdict.stage)) or "none now"
        print(f"cutover do: no draft {args.target!r} to send (drafts: {known})", file=sys.stderr)
        return 1
    log_only = state.mode == "rehearsal" and settings.delivery.rehearsals == "log"
    events = send_events(
        state,
        draft,
        actor=actor,
        at=now,
        sched=sched,
        verdict=verdict,
        log_only=log_only,
        subject=args.subject,
        body=args.note,
        key=args.key,
    )
    if args.key:
        events = keyed(events, args.key, fresh=not earlier)
    try:
        stored = [journal.append(e, now=lambda: now) for e in events]
    except Refused as refusal:
        print(
            f"cutover do: refused: {refusal} ({describe(state, login, str(refusal))})",
            file=sys.stderr,
        )
        return 1
    return _said(earlier + stored)


def _sent_before(journal, state: RunState, actor: str, args: argparse.Namespace) -> list | str:
    """What this person recorded under their `--key` before (none: a fresh key, or no key), or
    the refusal when that was another command than this send."""
    if not args.key or args.key not in state.keys:  # the fold's keys: no read of the log
        return []
    earlier = under_key(journal.events(), actor, args.key)
    first = next((e for e in earlier if e.key == args.key), None)
    if first is not None and other_send(first, args.target or "", args.subject, args.note):
        return used_for(state, first)
    return earlier


def _said(stored: list) -> int:
    """One line per row recorded, in the journal's order: what a send answers."""
    for e in sorted({e.seq: e for e in stored}.values(), key=lambda e: e.seq):
        print(f"#{e.seq} {e.type} {getattr(e, 'message', '') or e.step_id or ''} by {e.actor}")
    return 0

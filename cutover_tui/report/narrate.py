"""Say what an event means in one line, for the comms log and the review."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Literal

from ..engine.events import CONDUCTOR, Event
from ..engine.incidents import title_on_plan_clock
from ..engine.outbox import NOT_QUEUED_KEY
from ..engine.spoken_zone import plan_clock_label
from ..plan.durations import format_duration

Category = Literal["step", "decision", "deviation", "alert", "message", "note"]
CATEGORIES: tuple[Category, ...] = ("step", "decision", "deviation", "alert", "message", "note")


@dataclass(frozen=True)
class Line:
    icon: str
    text: str
    category: Category


LATE_AFTER = timedelta(minutes=1)


def recorded_late(event: Event) -> datetime | None:
    """When a late tick-off was recorded (over a minute after it happened), else None: a log
    printed in the journal's order says so, or its times would seem to run backwards."""
    if event.recorded_at is None or event.recorded_at - event.at <= LATE_AFTER:
        return None
    return event.recorded_at


def narrate(
    event: Event, when: Callable[[datetime], str] | None = None, plan_zone: tzinfo | None = None
) -> Line:
    """`event` in one line; `when` writes a time it names (an ETA) as the reader's clock
    does (the war room's zone, `--tz`), else in UTC, said so. `plan_zone`, given when the
    reader's clock is not the plan's, labels the words the conductor stored on the plan's
    clock (a trigger's reason, a window alert): under `--tz` the comms log set "since 22:50"
    (GMT) beside its own times in IST, unlabelled (review, 2026-12-02)."""
    e = event
    stored = stored_clock(e, plan_zone)
    match e.type:
        case "run-started":
            return Line("▶", f"{e.mode} run of {e.plan_id} started", "step")
        case "step-started":
            return Line("▶", f"{e.step} started", "step")
        case "step-completed":
            return Line("✓", f"{e.step} completed" + (f": {e.note}" if e.note else ""), "step")
        case "step-failed":
            return Line("✗", f"{e.step} FAILED: {e.reason}", "deviation")
        case "step-skipped":
            return Line("↷", f"{e.step} skipped: {e.reason}", "deviation")
        case "step-suspended":
            told = (when(e.eta) if when else f"{e.eta:%H:%M} UTC") if e.eta else ""
            eta = f" (ETA {told})" if told else ""
            return Line("⏸", f"{e.step} suspended: {e.reason}{eta}", "deviation")
        case "step-resumed":
            return Line("▶", f"{e.step} resumed", "step")
        case "checkpoint-passed":
            return Line("✓", f"checkpoint {e.step} passed" + _quote(e.evidence), "step")
        case "checkpoint-failed":
            return Line("✗", f"checkpoint {e.step} FAILED" + _quote(e.evidence), "deviation")
        case "check-requested":
            return Line("▷", f"check of {e.step} asked for (the conductor runs it)", "step")
        case "probe-sampled":
            state = "green" if e.ok else "RED"
            slow = f", slowest {e.latency_ms:.0f} ms" if e.latency_ms is not None else ""
            runs = f" ({e.runs} runs, {e.failures} failed{slow})"
            return Line(
                "●" if e.ok else "✗",
                f"probe {e.probe} {state}: {e.detail}{runs}",
                "note" if e.ok else "alert",
            )
        case "gate-decided":
            risks = f"; accepted risks: {'; '.join(e.risks)}" if e.risks else ""
            reason = f": {e.reason}" if e.reason else ""
            return Line(
                "✎", f"{e.approver}: {e.decision.upper()} at {e.step}{reason}{risks}", "decision"
            )
        case "readiness-marked":
            return Line("☑", f"readiness {e.item} {e.status}" + _quote(e.note), "decision")
        case "note-added" if e.actor == CONDUCTOR and e.key.startswith(NOT_QUEUED_KEY):
            return Line("✗", e.text, "alert")  # a message the run owes is not going out
        case "note-added":
            icon = {"decision": "✎", "deviation": "⚠", "info": "•", "review": "✍"}[e.kind]
            about = f"[{e.step}] " if e.step else ""
            category: Category = (
                "decision"
                if e.kind == "decision"
                else ("deviation" if e.kind == "deviation" else "note")
            )
            return Line(icon, f"{e.kind}: {about}{e.text}", category)
        case "step-added":
            return Line(
                "+",
                f"plan amended: step {e.step} added ({format_duration_s(e.duration_s)}): {e.reason}",
                "deviation",
            )
        case "estimate-changed":
            return Line(
                "±",
                f"plan amended: {e.step} now {format_duration_s(e.duration_s)}: {e.reason}",
                "deviation",
            )
        case "dependency-changed":
            return Line(
                "⇄",
                f"plan amended: {e.step} now after {', '.join(e.after) or 'nothing'}: {e.reason}",
                "deviation",
            )
        case "budget-exceeded":
            return Line("⚠", f"{e.step} over budget", "alert")
        case "trigger-fired":
            return Line(
                "🔥" if e.action == "rollback" else "⚠",
                f"trigger {e.trigger} fired: {e.reason}{stored}",
                "alert",
            )
        case "window-alert":
            return Line("⚠", e.text + stored, "alert")
        case "clock-jumped":
            size = f"{'+' if e.seconds >= 0 else '-'}{format_duration_s(abs(e.seconds))}"
            return Line(
                "⏱",
                f"host clock jumped {size}: running steps count only the time that passed",
                "alert",
            )
        case "rollback-invoked":
            return Line("↺", f"ROLLBACK INVOKED: {e.reason}", "decision")
        case "trigger-overridden":
            return Line(
                "✎", f"rollback trigger {e.trigger} OVERRIDDEN, carrying on: {e.reason}", "decision"
            )
        case "rehearsal-excluded":
            return Line("⊘", f"rehearsal excluded from the history: {e.reason}", "decision")
        case "comms-sent":
            return Line("✉", f'sent to {", ".join(e.to)}: "{e.subject}"', "message")
        case "message-queued" | "message-claimed" | "message-sent" | "message-failed":
            return _outbox_line(e)
        case "validation-recorded" | "access-closed" | "handover-accepted" | "runbook-updated":
            return _after_line(e)
        case t if t.startswith("incident-") or t == "role-handed-over":
            from .narrate_incidents import incident_line  # it imports Line from here

            return incident_line(e, when, stored)
        case "run-ended":
            return Line(
                "■", f"run ended: {e.outcome}" + (f": {e.reason}" if e.reason else ""), "decision"
            )
    return Line("•", e.type, "note")


def stored_clock(e: Event, plan_zone: tzinfo | None) -> str:
    """ " (times in GMT, the plan's zone)" after words the conductor wrote on the plan's clock,
    when the reader's is another; else ""."""
    plan_words = e.type in ("trigger-fired", "window-alert") or (
        e.type == "incident-raised" and title_on_plan_clock(e)
    )
    return plan_clock_label(e.at, plan_zone) if plan_words else ""


def _outbox_line(e: Event) -> Line:
    """The outbox in the comms log: queued, sent or failed, per message and audience."""
    if e.type == "message-queued":
        return Line("✉", f'queued for {e.audience} by {e.route}: "{e.subject}"', "message")
    if e.type == "message-claimed":
        doubt = ", the last attempt in doubt" if e.in_doubt else ""
        return Line("…", f"sending {e.message} (attempt {e.attempt}{doubt})", "note")
    if e.type == "message-sent":
        return Line("✉", f"sent {e.message}: {e.answer}", "message")
    if e.retry_at is not None:
        return Line("⚠", f"{e.message} not sent (attempt {e.attempt}): {e.reason}", "deviation")
    told = ", ".join(e.escalated_to) or "nobody"
    return Line("✗", f"UNDELIVERABLE {e.message}: {e.reason}; told {told}", "alert")


def _after_line(e: Event) -> Line:
    """After the night (engine/aftercare.py); a measure's pass or failure is the fold's."""
    if e.type == "validation-recorded":
        seen = f" measured {e.value:g}" if e.value is not None else ""
        said = "" if e.passed is None else (" passed" if e.passed else " FAILED")
        return Line("☑", f"validation {e.check}{seen}{said}" + _quote(e.note), "step")
    if e.type == "access-closed":
        return Line("✓", f"temporary access {e.access} closed" + _quote(e.note), "step")
    if e.type == "handover-accepted":
        return Line("✎", "handover accepted" + _quote(e.note), "decision")
    return Line("✎", "runbook updated" + _quote(e.note), "step")


def _quote(text: str) -> str:
    return f' "{text}"' if text else ""


def format_duration_s(seconds: float) -> str:
    from datetime import timedelta

    return format_duration(timedelta(seconds=seconds))

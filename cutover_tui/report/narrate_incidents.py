"""Incident events and role hand-overs in one line each, for the comms log and the review
(report/narrate.py hands them here)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..engine.events import Event
from ..engine.incidents import label
from .narrate import Line


def incident_line(
    e: Event, when: Callable[[datetime], str] | None = None, stored: str = ""
) -> Line:
    """`e` in one line; `when` writes the time a reminder names, and `stored` labels a title
    the conductor wrote on the plan's clock, as in `narrate`."""
    if e.type == "incident-raised":
        about = f" [{e.step}]" if e.step else ""
        owner = f", assigned to {e.owner}" if e.owner else ""
        said = f"{e.severity.upper()} incident raised{about}: {e.title}{stored}{owner}"
        return Line("🚨", said, "alert")
    if e.type == "role-handed-over":
        return Line(
            "⇄", f"{e.role} role handed from {e.giver} to {e.taker}: {e.reason}", "decision"
        )
    inc = label(e.incident)
    match e.type:
        case "incident-acknowledged":
            return Line("✓", f"{inc} acknowledged by {e.actor}", "decision")
        case "incident-updated":
            return Line("•", f"{inc} update: {e.text}", "note")
        case "incident-assigned":
            why = f": {e.reason}" if e.reason else ""
            return Line("⇄", f"{inc} re-assigned to {e.owner}{why}", "decision")
        case "incident-severity-changed":
            return Line("±", f"{inc} now {e.severity.upper()}: {e.reason}", "decision")
        case "incident-resolved":
            return Line("✓", f"{inc} resolved: {e.resolution}", "decision")
        case "incident-escalated":
            return Line(
                "⚠",
                f"{inc} ESCALATED to {e.to}: not acknowledged in time (level {e.level})",
                "alert",
            )
    due = when(e.due) if when else f"{e.due:%H:%M} UTC"
    return Line("⏰", f"{inc}: update from {e.owner} overdue since {due}", "alert")

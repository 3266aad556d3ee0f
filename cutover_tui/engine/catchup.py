"""Joining the bridge mid-night: what changed since this person last looked, in a few lines.

`cutover run` recalls the last event this login saw of the run (journal/seen.py, kept per
login in the user's own state directory) before it opens the war room, and the war room says
this once: steps done, decisions, incidents, alerts (the trigger fired, the window warning:
what moves the level). Pure: the events after that seq and the state now.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .events import Event

if TYPE_CHECKING:
    from .runstate import RunState

_DECISIONS = {"gate-decided", "rollback-invoked", "trigger-overridden", "run-ended"}
_ALERTS = {"trigger-fired", "window-alert", "budget-exceeded"}
_MAX_NAMED = 4  # step ids named before "and N more"


def catch_up(
    state: RunState,
    events: Iterable[Event],
    since_seq: int,
    levels: tuple[str, str] | None = None,
) -> list[str]:
    """Lines saying what happened after event `since_seq` (empty when nothing did);
    `levels`: the verdict's word when they last looked and now (the one verdict's)."""
    new = [e for e in events if e.seq > since_seq]
    if not new:
        return []
    done = [e.step for e in new if e.type in ("step-completed", "checkpoint-passed")]
    failed = [e.step for e in new if e.type in ("step-failed", "checkpoint-failed")]
    decisions = [e for e in new if e.type in _DECISIONS or _decision_note(e)]
    alerts = [e for e in new if e.type in _ALERTS]
    raised = [e for e in new if e.type == "incident-raised"]
    escalated = [e for e in new if e.type == "incident-escalated"]
    resolved = [e for e in new if e.type == "incident-resolved"]
    events_word = "event" if len(new) == 1 else "events"
    out = [f"{len(new)} {events_word} since you last looked ({state.when(new[0].at)} on)"]
    if levels and levels[0] != levels[1]:
        out.append(f"level: {levels[0]} when you last looked, {levels[1]} now")
    if done or failed:
        out.append(
            f"steps done: {_named(done)}" + (f"; FAILED: {_named(failed)}" if failed else "")
        )
    if decisions:
        out.append(f"decisions: {len(decisions)} (" + _named([_what(e) for e in decisions]) + ")")
    if alerts:
        out.append(f"alerts: {_named([_what(e) for e in alerts])}")
    if raised or escalated or resolved:
        still = len(state.incidents.open())
        out.append(
            f"incidents: {len(raised)} raised, {len(escalated)} escalated, "
            f"{len(resolved)} resolved; {still} open now"
        )
    return out


def _decision_note(e: Event) -> bool:
    return e.type == "note-added" and e.kind == "decision"


def _what(e: Event) -> str:
    match e.type:
        case "gate-decided":
            return f"{e.decision} at {e.step}"
        case "rollback-invoked":
            return "ROLLBACK invoked"
        case "trigger-overridden":
            return f"{e.trigger} overridden"
        case "run-ended":
            return f"run ended {e.outcome}"
        case "trigger-fired":
            return f"trigger {e.trigger} fired"
        case "window-alert":
            return e.alert
        case "budget-exceeded":
            return f"{e.step} over budget"
    return "a decision noted"


def _named(items: list[str]) -> str:
    if not items:
        return "none"
    shown = ", ".join(items[:_MAX_NAMED])
    more = len(items) - _MAX_NAMED
    return shown + (f" and {more} more" if more > 0 else "")

"""Incident alerts through the outbox: the person an incident now waits for hears of it.

- raised by a person: its owner (the person it is assigned to);
- re-assigned: its new owner;
- escalated: the person it went to (the next of its chain, the commander last);
- reminded: its owner, whose update is overdue.

Each is one message to one person (the audience is the people key), by email when the person
has an address and the run sends, else on the comms log. The id says what it is
(`incident-3.esc-0-1.lead.email`), so queueing is idempotent like every other message.
`comms/outgoing.due` calls `incident_alerts` with its own arguments.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..engine.events import IncidentAssigned, IncidentEscalated, IncidentReminded
from ..engine.incidents import Incident, level_of
from ..engine.state import RunState
from .values import About


def person_routes(
    state: RunState, person: str, log_only: bool
) -> list[tuple[str, tuple[str, ...]]]:
    """(route, addresses) for a message to one person of the plan."""
    email = state.plan.people[person].email if person in state.plan.people else None
    return [("email", (email,))] if email and not log_only else [("log", ())]


def incident_alerts(state: RunState, queue: Any, common: dict) -> list:
    """The alerts the outbox does not hold yet; `queue` is comms.outgoing.queue."""
    out: list = []
    for incident in state.incidents:
        for prefix, person, reason in _alerts(state, incident):
            out += queue(
                state,
                template="incident",
                audiences=[person],
                prefix=prefix,
                cause=f"incident:{incident.number}",
                about=About(
                    incident.raised.step,
                    _trigger_of(state, incident),
                    reason,
                    raised_at=incident.raised.at,
                ),
                **common,
            )
    return out


def _trigger_of(state: RunState, incident: Incident) -> str:
    """The alert's `{trigger}`: the trigger that opened it, else who raised it (an alert
    said "Trigger: [no trigger yet]", a value that would never come; user pass 2026-12-02)."""
    kind, _, name = incident.raised.cause.partition(":")
    if kind == "trigger" and name:
        return name
    if kind == "checkpoint" and name:
        return f"none (checkpoint {name} failed)"
    return f"none (raised by {state.name(incident.raised.actor)})"


def _alerts(state: RunState, incident: Incident) -> Iterator[tuple[str, str, str]]:
    if not incident.open:  # resolved: nobody is paged for it any more
        return
    base = f"incident-{incident.number}"
    level = level_of(state, incident.severity)
    what = f"{incident.label} {incident.severity.upper()} {incident.raised.title}"
    first_owner = incident.first_owner
    # One the conductor opened for a trigger or a checkpoint: the resolvers already had the
    # trigger's or the checkpoint's alert (comms/outgoing.py), so not a second page.
    if first_owner and not incident.raised.cause:
        yield (
            f"{base}.raised",
            first_owner,
            f"{what}: assigned to you; acknowledge within {_mins(level.respond)}",
        )
    rounds = 0
    for e in incident.history:
        if isinstance(e, IncidentAssigned):
            rounds += 1
            yield (
                f"{base}.assigned-{rounds}",
                e.owner,
                f"{what}: re-assigned to you; acknowledge within {_mins(level.respond)}",
            )
        elif isinstance(e, IncidentEscalated):
            yield (
                f"{base}.esc-{e.round}-{e.level}",
                e.to,
                f"{what}: not acknowledged in time by {state.name(incident.owner)}; "
                f"escalated to you (level {e.level})",
            )
        elif isinstance(e, IncidentReminded):
            yield (
                f"{base}.remind-{e.due:%Y%m%dT%H%M%S}",
                e.owner,
                f"{what}: your update was due at {state.when(e.due)}",
            )


def _mins(delta) -> str:
    return f"{int(delta.total_seconds() // 60)} min"

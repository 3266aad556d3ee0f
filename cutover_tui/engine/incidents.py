"""Incidents and the bridge's roles, folded from the journal, and the rules for recording them.

An incident's life, each step one event (engine/events.py), all in the run's hash chain:

    incident-raised            by anyone with a role but a watcher, or by the conductor for a
                               fired trigger or a failed checkpoint (once per cause)
    incident-acknowledged      by its owner, someone it was escalated to, or the commander
    incident-updated           the same people, or a communicator
    incident-assigned          by its owner or the commander: the new owner acknowledges again
    incident-severity-changed  by its owner or the commander, with a reason
    incident-resolved          by its owner or the commander, with the resolution
    incident-escalated         the conductor: not acknowledged within the severity's SLA
    incident-reminded          the conductor: acknowledged, and its update is overdue

Incidents are numbered 1, 2, ... in journal order (INC-1): every process folds the same
numbers. `role-handed-over` moves a bridge role (commander, communicator, resolver) from one
person to another for the rest of the night; `RunState.roles_of` reads it.

Pure: no I/O, no clock. fold.py calls `APPLY`; `RunState.incidents` holds the fold. Who may
record what, and when, is engine/incident_rules.py; what time makes due, engine/escalation.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..plan.severity import SeverityLevel, chain_for, severities, severity_by_id
from .events import (
    CONDUCTOR,
    Event,
    IncidentAcknowledged,
    IncidentAssigned,
    IncidentEscalated,
    IncidentRaised,
    IncidentReminded,
    IncidentResolved,
    IncidentSeverityChanged,
    IncidentUpdated,
    RoleHandedOver,
)

if TYPE_CHECKING:
    from .runstate import RunState

INCIDENT_TYPES = frozenset(
    {
        "incident-raised",
        "incident-acknowledged",
        "incident-updated",
        "incident-assigned",
        "incident-severity-changed",
        "incident-resolved",
        "incident-escalated",
        "incident-reminded",
        "role-handed-over",
    }
)
BY_CONDUCTOR = frozenset({"incident-escalated", "incident-reminded"})
BRIDGE_ROLES = ("commander", "communicator", "resolver")


def label(number: int) -> str:
    return f"INC-{number}"


def title_on_plan_clock(raised: IncidentRaised) -> bool:
    """A fired trigger's incident, raised by the conductor: its title quotes the trigger's
    reason, written on the plan's clock ("trigger t fired: 'load' has run since 22:50")."""
    return raised.actor == CONDUCTOR and raised.cause.startswith("trigger:")


@dataclass
class Incident:
    number: int
    raised: IncidentRaised
    severity: str
    owner: str | None
    assigned_at: datetime  # when the current owner got it: its SLA counts from here
    round: int = 0  # re-assignments so far
    acked: IncidentAcknowledged | None = None
    updates: list[IncidentUpdated] = field(default_factory=list)
    escalations: list[IncidentEscalated] = field(default_factory=list)  # every round's
    reminders: list[IncidentReminded] = field(default_factory=list)
    resolved: IncidentResolved | None = None
    history: list[Event] = field(default_factory=list)  # every event about it, in order
    first_owner: str | None = None  # who had it when it was raised

    @property
    def label(self) -> str:
        return label(self.number)

    @property
    def open(self) -> bool:
        return self.resolved is None

    @property
    def first_ack(self) -> IncidentAcknowledged | None:
        return next((e for e in self.history if isinstance(e, IncidentAcknowledged)), None)

    def round_escalations(self) -> list[IncidentEscalated]:
        return [e for e in self.escalations if e.round == self.round]

    def escalated_to(self) -> set[str]:
        return {e.to for e in self.round_escalations()}

    def last_word(self) -> datetime | None:
        """When its owner last spoke: the acknowledgement or the latest update."""
        moments = [e.at for e in self.updates]
        if self.acked is not None:
            moments.append(self.acked.at)
        return max(moments) if moments else None


@dataclass
class IncidentBook:
    incidents: dict[int, Incident] = field(default_factory=dict)
    causes: dict[str, int] = field(default_factory=dict)  # "trigger:t1" -> its incident
    handovers: list[RoleHandedOver] = field(default_factory=list)
    gained: dict[str, set[str]] = field(default_factory=dict)  # person -> roles handed to them
    lost: dict[str, set[str]] = field(default_factory=dict)  # person -> roles handed away
    # Who holds each role, and the severity levels: asked for every open incident each tick.
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __iter__(self) -> Iterator[Incident]:
        return iter(self.incidents.values())

    def open(self) -> list[Incident]:
        return [i for i in self.incidents.values() if i.open]


# -- what the fold knows ----------------------------------------------------------------------


def level_of(state: RunState, severity: str) -> SeverityLevel:
    cache = state.incidents.cache
    by_id = cache.get("levels")
    if by_id is None:
        by_id = cache["levels"] = severity_by_id(state.plan)
    return by_id.get(severity) or severities(state.plan)[-1]


def holders(state: RunState, role: str) -> list[str]:
    """Who holds a bridge role tonight (the plan's, with hand-overs), in the plan's order."""
    book = state.incidents
    # What roles_of reads besides the plan: who started the run, in which mode, hand-overs.
    key = (role, state.started_by, state.mode, len(book.handovers))
    found = book.cache.get(key)
    if found is None:
        people = [*state.plan.people, *book.gained]
        if state.started_by:
            people.append(state.started_by)
        found = book.cache[key] = [p for p in dict.fromkeys(people) if role in state.roles_of(p)]
    return list(found)


def the_commander(state: RunState) -> str:
    """ "the commander (Omar Diaz (ops))" for a refusal: who holds the role now, as tonight's
    hand-overs left it, not the plan's original commander (who may have handed it over)."""
    now = holders(state, "commander")
    return f"the commander ({', '.join(state.name(p) for p in now)})" if now else "the commander"


def commander(state: RunState) -> str | None:
    found = holders(state, "commander")
    return found[0] if found else None


def default_owner(state: RunState, severity: str, step: str | None) -> str | None:
    """Who an incident goes to when the raiser names nobody: the severity's chain, else the
    step owner's team chain, else the first resolver, else the commander."""
    plan = state.plan
    level = severity_by_id(plan).get(severity)
    if level and level.chain:
        return level.chain[0]
    owner = state.steps[step].owner if step in state.steps else None
    team = plan.people[owner].team if owner in plan.people else None
    by_team = next((e.chain for e in plan.escalation if team and e.team == team), None)
    if by_team:
        return by_team[0]
    resolvers = holders(state, "resolver")
    return resolvers[0] if resolvers else commander(state)


def chain(state: RunState, incident: Incident) -> list[str]:
    """Its escalation chain tonight: the owner first, the commander last."""
    return chain_for(state.plan, incident.owner, incident.severity, commander(state))


def respond_due(state: RunState, incident: Incident) -> datetime | None:
    """When its next escalation falls due (None: acknowledged, resolved, or at the chain's end)."""
    if not incident.open or incident.acked is not None:
        return None
    level = len(incident.round_escalations()) + 1
    if level >= len(chain(state, incident)):
        return None
    return incident.assigned_at + level * level_of(state, incident.severity).respond


def update_due(state: RunState, incident: Incident) -> datetime | None:
    """When its owner's next update falls due (None: not acknowledged, or resolved)."""
    last = incident.last_word()
    if not incident.open or incident.acked is None or last is None:
        return None
    cadence = level_of(state, incident.severity).update
    due = last + cadence
    if incident.reminders and incident.reminders[-1].due >= due:
        due = incident.reminders[-1].due + cadence
    return due


def sla_left(state: RunState, incident: Incident, now: datetime) -> timedelta | None:
    """Time left to whatever it owes next: an acknowledgement, or an update."""
    due = respond_due(state, incident) or update_due(state, incident)
    return None if due is None else due - now


# -- apply ------------------------------------------------------------------------------------


def _raised(state: RunState, e: IncidentRaised) -> None:
    book = state.incidents
    number = len(book.incidents) + 1
    owner = e.owner or default_owner(state, e.severity, e.step)
    book.incidents[number] = Incident(
        number, e, e.severity, owner, e.at, history=[e], first_owner=owner
    )
    if e.cause:
        book.causes[e.cause] = number


def _with(handler):
    """Apply `handler(incident, event)` to the incident the event names, and keep the event."""

    def apply(state: RunState, e) -> None:
        incident = state.incidents.incidents[e.incident]
        incident.history.append(e)
        handler(incident, e)

    return apply


def _assigned(incident: Incident, e: IncidentAssigned) -> None:
    incident.owner, incident.assigned_at = e.owner, e.at
    incident.round += 1
    incident.acked = None


def _severity(incident: Incident, e: IncidentSeverityChanged) -> None:
    incident.severity = e.severity


def _handover(state: RunState, e: RoleHandedOver) -> None:
    book = state.incidents
    book.handovers.append(e)
    book.lost.setdefault(e.giver, set()).add(e.role)
    book.gained.get(e.giver, set()).discard(e.role)
    book.gained.setdefault(e.taker, set()).add(e.role)
    book.lost.get(e.taker, set()).discard(e.role)


APPLY = {
    "incident-raised": _raised,
    "incident-acknowledged": _with(lambda i, e: setattr(i, "acked", e)),
    "incident-updated": _with(lambda i, e: i.updates.append(e)),
    "incident-assigned": _with(_assigned),
    "incident-severity-changed": _with(_severity),
    "incident-resolved": _with(lambda i, e: setattr(i, "resolved", e)),
    "incident-escalated": _with(lambda i, e: i.escalations.append(e)),
    "incident-reminded": _with(lambda i, e: i.reminders.append(e)),
    "role-handed-over": _handover,
}

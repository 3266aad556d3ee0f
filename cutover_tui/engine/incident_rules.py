"""Who may record an incident event or a role hand-over, and whether it may happen now.

`permission` (the roles alone: who may raise, acknowledge, update, re-assign, change the
severity, resolve, hand a role over) and `LEGALITY` (the incident exists and is open, it is
not acknowledged twice, the severity and the people are the plan's, the conductor writes only
what is due). Every refusal is one sentence naming who and why. engine/rules.py calls these;
the data and the fold are engine/incidents.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..plan.errors import nearest
from ..plan.severity import severity_by_id
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
from .incidents import (
    BY_CONDUCTOR,
    Incident,
    chain,
    label,
    respond_due,
    the_commander,
    update_due,
)
from .texts import says_nothing

if TYPE_CHECKING:
    from .runstate import RunState


# -- permission -------------------------------------------------------------------------------


def permission(state: RunState, event: Event) -> str | None:
    actor, kind = event.actor, event.type
    if kind in BY_CONDUCTOR:
        return None if actor == CONDUCTOR else f"only the conductor records {kind}"
    if actor == CONDUCTOR:
        if isinstance(event, IncidentRaised) and event.cause:
            return None
        return f"the conductor does not record {kind}"
    who, roles = state.name(actor), state.roles_of(actor)
    if isinstance(event, IncidentRaised):
        if roles - {"watcher"}:
            return None
        return _refusal(
            who,
            state.roles_said(actor),
            "raise an incident",
            "someone with a role tonight other than watcher",  # not "in the plan": see rules.py
        )
    if isinstance(event, RoleHandedOver):
        if "commander" in roles:
            return None
        return _refusal(
            who, state.roles_said(actor), f"hand the {event.role} role over", the_commander(state)
        )
    incident = state.incidents.incidents.get(getattr(event, "incident", 0))
    if incident is None or "commander" in roles or actor == incident.owner:
        return None  # an unknown incident is a legality problem, said with the count
    owner = state.name(incident.owner) if incident.owner else "nobody yet"
    commander = the_commander(state)
    escalated = actor in incident.escalated_to()
    if isinstance(event, IncidentAcknowledged) and escalated:
        return None
    if isinstance(event, IncidentUpdated) and (escalated or "communicator" in roles):
        return None
    allowed = {
        "incident-acknowledged": f"its owner ({owner}), someone it was escalated to, or {commander}",
        "incident-updated": f"its owner ({owner}), someone it was escalated to, a communicator or {commander}",
    }.get(kind, f"its owner ({owner}) or {commander}")
    return _refusal(who, state.roles_said(actor), f"{_VERBS[kind]} {incident.label}", allowed)


_VERBS = {
    "incident-acknowledged": "acknowledge",
    "incident-updated": "update",
    "incident-assigned": "re-assign",
    "incident-severity-changed": "change the severity of",
    "incident-resolved": "resolve",
}


def _refusal(who: str, shown: str, action: str, allowed: str) -> str:
    """`shown`: the person's roles as `RunState.roles_said` says them."""
    return f"{who} [{shown}] may not {action}: only {allowed} may"


def after_end(event: Event) -> bool:
    """What an ended run still takes about incidents: an update, a resolution."""
    return event.type in ("incident-updated", "incident-resolved")


# -- legality ---------------------------------------------------------------------------------


def _severity_problem(state: RunState, severity: str) -> str | None:
    levels = severity_by_id(state.plan)
    if severity in levels:
        return None
    return f"there is no severity {severity!r} (this plan has {', '.join(levels)})"


def _person_problem(state: RunState, person: str) -> str | None:
    if person in state.plan.people:
        return None
    hint = nearest(person, state.plan.people)
    return f"{person!r} is not in the plan's people" + (f"; did you mean {hint!r}?" if hint else "")


def _check_raised(state: RunState, e: IncidentRaised) -> str | None:
    if e.cause and e.actor != CONDUCTOR:  # or a person could pre-empt the conductor's own
        return "only the conductor opens an incident for a trigger or a checkpoint (its cause)"
    if e.cause in state.incidents.causes:
        earlier = state.incidents.incidents[state.incidents.causes[e.cause]]
        return (
            f"{earlier.label} was already opened for {e.cause} at {state.when(earlier.raised.at)}"
        )
    if says_nothing(e.title):
        return "an incident needs a title: what is wrong"
    if e.step is not None and e.step not in state.steps:
        hint = nearest(e.step, state.steps)
        return f"there is no step {e.step!r}" + (f"; did you mean {hint!r}?" if hint else "")
    return _severity_problem(state, e.severity) or (
        _person_problem(state, e.owner) if e.owner else None
    )


def _open_incident(state: RunState, number: int) -> tuple[Incident | None, str | None]:
    incident = state.incidents.incidents.get(number)
    if incident is None:
        count = len(state.incidents.incidents)
        return None, f"there is no incident {label(number)}; the run has {count}"
    if incident.resolved is not None:
        r = incident.resolved
        return (
            incident,
            f"{incident.label} was resolved by {state.name(r.actor)} at {state.when(r.at)}",
        )
    return incident, None


def _check_ack(state: RunState, e: IncidentAcknowledged) -> str | None:
    incident, problem = _open_incident(state, e.incident)
    if problem or incident is None:
        return problem
    if incident.acked is not None:
        a = incident.acked
        return f"{incident.label} was already acknowledged by {state.name(a.actor)} at {state.when(a.at)}"
    return None


def _check_update(state: RunState, e: IncidentUpdated) -> str | None:
    problem = _open_incident(state, e.incident)[1]
    return problem or (
        None if not says_nothing(e.text) else "an update needs text: what is happening"
    )


def _check_assigned(state: RunState, e: IncidentAssigned) -> str | None:
    incident, problem = _open_incident(state, e.incident)
    if problem or incident is None:
        return problem
    if e.owner == incident.owner:
        return f"{incident.label} is already {state.name(e.owner)}'s"
    return _person_problem(state, e.owner)


def _check_severity(state: RunState, e: IncidentSeverityChanged) -> str | None:
    incident, problem = _open_incident(state, e.incident)
    if problem or incident is None:
        return problem
    if e.severity == incident.severity:
        return f"{incident.label} is already {e.severity.upper()}"
    if says_nothing(e.reason):
        return "say why the severity changes: the reason goes into the log and the review"
    return _severity_problem(state, e.severity)


def _check_resolved(state: RunState, e: IncidentResolved) -> str | None:
    problem = _open_incident(state, e.incident)[1]
    return problem or (
        None if not says_nothing(e.resolution) else "say how it was resolved (--resolution)"
    )


def _check_escalated(state: RunState, e: IncidentEscalated) -> str | None:
    incident, problem = _open_incident(state, e.incident)
    if problem or incident is None:
        return problem
    due = respond_due(state, incident)
    level = len(incident.round_escalations()) + 1
    if due is None or (e.level, e.round) != (level, incident.round):
        return f"{incident.label} is not due to escalate at level {e.level}"
    if e.to != chain(state, incident)[level]:
        return f"{incident.label} escalates to {chain(state, incident)[level]}, not {e.to}"
    return None


def _check_reminded(state: RunState, e: IncidentReminded) -> str | None:
    incident, problem = _open_incident(state, e.incident)
    if problem or incident is None:
        return problem
    if update_due(state, incident) != e.due:
        return f"{incident.label} has no update due at {state.when(e.due)}"
    return None


def _check_handover(state: RunState, e: RoleHandedOver) -> str | None:
    if e.role not in state.roles_of(e.giver):
        return f"{state.name(e.giver)} does not hold the {e.role} role tonight"
    if e.giver == e.taker:
        return f"{state.name(e.giver)} cannot hand the {e.role} role to themselves"
    if says_nothing(e.reason):
        return "say why the role is handed over: the reason goes into the log"
    if state.roles_of(e.taker) == {"watcher"}:  # a watcher only watches, as on their own step
        return (
            f"{state.name(e.taker)} only watches tonight (watcher): hand the {e.role} role "
            "to someone with another role"
        )
    return _person_problem(state, e.taker)


LEGALITY = {
    "incident-raised": _check_raised,
    "incident-acknowledged": _check_ack,
    "incident-updated": _check_update,
    "incident-assigned": _check_assigned,
    "incident-severity-changed": _check_severity,
    "incident-resolved": _check_resolved,
    "incident-escalated": _check_escalated,
    "incident-reminded": _check_reminded,
    "role-handed-over": _check_handover,
}

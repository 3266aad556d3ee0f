"""The incidents' and the bridge's events: raised, acknowledged, updated, assigned, severity
changed, resolved, escalated, reminded, a role handed over (engine/incidents.py folds them).

Split out of engine/events.py unchanged; events.py re-exports every name here, and imports
this module where these classes stood, so the union and EVENT_TYPES keep their order.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime

from .events_base import EventBase

# -- incidents and the bridge (engine/incidents.py folds these and holds their rules) -------


class IncidentRaised(EventBase):
    """An incident opened: by a person, or by the conductor for a fired trigger or a failed
    checkpoint (`cause`: "trigger:t1", "checkpoint:c1"). The fold numbers incidents 1, 2, ...
    in journal order; the others name that number."""

    type: Literal["incident-raised"] = "incident-raised"
    severity: str
    title: str
    step: str | None = None  # the step or checkpoint concerned
    owner: str | None = None  # None: the severity's or the step's chain decides
    cause: str = ""


class IncidentAcknowledged(EventBase):
    type: Literal["incident-acknowledged"] = "incident-acknowledged"
    incident: int


class IncidentUpdated(EventBase):
    type: Literal["incident-updated"] = "incident-updated"
    incident: int
    text: str


class IncidentAssigned(EventBase):
    """Re-assigned: the new owner acknowledges it again, its SLA counting from now."""

    type: Literal["incident-assigned"] = "incident-assigned"
    incident: int
    owner: str
    reason: str = ""


class IncidentSeverityChanged(EventBase):
    type: Literal["incident-severity-changed"] = "incident-severity-changed"
    incident: int
    severity: str
    reason: str


class IncidentResolved(EventBase):
    type: Literal["incident-resolved"] = "incident-resolved"
    incident: int
    resolution: str


class IncidentEscalated(EventBase):
    """Written once by the conductor: the incident was not acknowledged within its SLA."""

    type: Literal["incident-escalated"] = "incident-escalated"
    incident: int
    level: int  # 1 for the first breach since it was (re-)assigned
    to: str  # the people key it went to
    round: int = 0  # how many times it had been assigned before: a new owner, a new count


class IncidentReminded(EventBase):
    """Written once by the conductor: an acknowledged incident's update is overdue."""

    type: Literal["incident-reminded"] = "incident-reminded"
    incident: int
    owner: str
    due: AwareDatetime  # the update that was due


class RoleHandedOver(EventBase):
    """A role on the bridge handed from one person to another, by the commander."""

    type: Literal["role-handed-over"] = "role-handed-over"
    role: Literal["commander", "communicator", "resolver"]
    giver: str
    taker: str
    reason: str

"""Incidents as every front end shows them at `now`: the rows of the war room's incidents
screen, the lines of `cutover status`, and the response figures of `cutover incidents --json`
(time to acknowledge, time to resolve, SLA met or breached) that the review reads.

Pure: `now` is an argument; one function per view, all reading engine/incidents.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from .incidents import (
    Incident,
    chain,
    holders,
    level_of,
    respond_due,
    title_on_plan_clock,
    update_due,
)

if TYPE_CHECKING:
    from .runstate import RunState

Waiting = Literal["ack", "update", "none"]


@dataclass(frozen=True)
class IncidentRow:
    number: int
    label: str  # INC-3
    severity: str  # sev1
    title: str
    step: str | None
    owner: str | None
    status: Literal["open", "acknowledged", "resolved"]
    raised_at: datetime
    age: timedelta  # since raised (to the resolution when resolved)
    waiting: Waiting  # what it owes next
    due: datetime | None
    left: timedelta | None  # to `due`; negative when overdue
    chain: tuple[str, ...]
    escalated_to: tuple[str, ...]  # this round's escalations, in order
    cause: str
    title_stored: bool  # the conductor's words on the plan's clock (a trigger's incident)


def row(state: RunState, incident: Incident, now: datetime) -> IncidentRow:
    ack_due, upd_due = respond_due(state, incident), update_due(state, incident)
    due = ack_due or upd_due
    waiting: Waiting = "ack" if ack_due else ("update" if upd_due else "none")
    if incident.open and incident.acked is None and due is None:
        waiting = "ack"  # at the chain's end: still owed, nobody left to escalate to
    end = incident.resolved.at if incident.resolved else now
    status = "resolved" if incident.resolved else ("acknowledged" if incident.acked else "open")
    return IncidentRow(
        number=incident.number,
        label=incident.label,
        severity=incident.severity,
        title=incident.raised.title,
        step=incident.raised.step,
        owner=incident.owner,
        status=status,
        raised_at=incident.raised.at,
        age=end - incident.raised.at,
        waiting=waiting,
        due=due,
        left=None if due is None else due - now,
        chain=tuple(chain(state, incident)),
        escalated_to=tuple(e.to for e in incident.round_escalations()),
        cause=incident.raised.cause,
        title_stored=title_on_plan_clock(incident.raised),
    )


def rows(state: RunState, now: datetime, *, resolved: bool = True) -> list[IncidentRow]:
    """Open incidents first, most severe first, then by number; resolved ones last."""
    order = {s: n for n, s in enumerate(_levels(state))}
    out = [row(state, i, now) for i in state.incidents if resolved or i.open]
    return sorted(out, key=lambda r: (r.status == "resolved", order.get(r.severity, 99), r.number))


def worst_open(state: RunState) -> Incident | None:
    """The most severe open incident (the badge names an open SEV1)."""
    order = {s: n for n, s in enumerate(_levels(state))}
    found = sorted(state.incidents.open(), key=lambda i: (order.get(i.severity, 99), i.number))
    return found[0] if found else None


def _levels(state: RunState) -> list[str]:
    from ..plan.severity import severities

    return [s.id for s in severities(state.plan)]


def figures(state: RunState, incident: Incident, now: datetime) -> dict:
    """Response figures for the review: time to acknowledge and resolve, SLA met or breached.

    The acknowledgement SLA is the severity it was raised with; `ack_sla_met` is None while an
    unacknowledged incident is still inside it."""
    raised = incident.raised
    respond = level_of(state, raised.severity).respond
    first_ack = incident.first_ack
    to_ack = first_ack.at - raised.at if first_ack else None
    if to_ack is not None:
        met: bool | None = to_ack <= respond
    else:
        waited = (incident.resolved.at if incident.resolved else now) - raised.at
        met = False if waited > respond else None
    return {
        "time_to_acknowledge_s": _s(to_ack),
        "time_to_resolve_s": _s(incident.resolved.at - raised.at if incident.resolved else None),
        "ack_sla_s": respond.total_seconds(),
        "ack_sla_met": met,
        "escalations": len(incident.escalations),
        "reminders": len(incident.reminders),
        "updates": len(incident.updates),
    }


def as_json(state: RunState, now: datetime) -> dict:
    """`cutover incidents RUN --json` and the `incidents` of `cutover status --json`."""
    out = []
    for r in rows(state, now):
        incident = state.incidents.incidents[r.number]
        out.append(
            {
                "id": r.label,
                "number": r.number,
                "severity": r.severity,
                "raised_severity": incident.raised.severity,  # the ack SLA's (figures below)
                "title": r.title,
                "step": r.step,
                "owner": r.owner,
                "status": r.status,
                "raised_at": r.raised_at.isoformat(),
                "raised_by": incident.raised.actor,
                "cause": r.cause or None,
                "waiting_for": r.waiting,
                "due": r.due.isoformat() if r.due else None,
                "left_s": _s(r.left),
                "chain": list(r.chain),
                "escalated_to": list(r.escalated_to),
                "resolution": incident.resolved.resolution if incident.resolved else None,
                **figures(state, incident, now),
            }
        )
    return {
        "as_of": now.isoformat(),
        "bridge": {
            role: holders(state, role) for role in ("commander", "communicator", "resolver")
        },
        "incidents": out,
    }


def _s(delta: timedelta | None) -> float | None:
    return None if delta is None else delta.total_seconds()

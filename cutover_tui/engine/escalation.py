"""What time makes due about incidents, for the conductor to write once each.

- a fired trigger, or a failed checkpoint, with no incident yet: one is opened (the severity
  from the plan's `[incidents]`: SEV1 for a rollback trigger or a checkpoint whose failure
  calls for the rollback, SEV2 otherwise);
- an incident not acknowledged `respond` after it was raised (or re-assigned): escalated to
  the next person of its chain, again at each further `respond`, up to the commander;
- an acknowledged incident with no word from its owner for `update`: a reminder.

Every event is dated when it fell due (not when a conductor got to it) and carries a key that
names it (`escalate:3:0:1`: incident 3, round 0, level 1), and the rules accept only the next
level due: a conductor that took over after a failover writes each exactly once.

Pure: no I/O, no clock; `now` is an argument.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ..plan.severity import policy, severities
from .events import CONDUCTOR, Event, IncidentEscalated, IncidentRaised, IncidentReminded
from .incidents import chain, respond_due, update_due

if TYPE_CHECKING:
    from .runstate import RunState


def due_incident_events(state: RunState, now: datetime) -> list[Event]:
    """The incident events that came due by `now` and the journal does not hold yet."""
    if state.phase not in ("running", "rollback"):
        return []
    out: list[Event] = list(_opened(state))
    for incident in state.incidents.open():
        due = respond_due(state, incident)
        if due is not None and due <= now:
            level = len(incident.round_escalations()) + 1
            out.append(
                IncidentEscalated(
                    actor=CONDUCTOR,
                    at=due,
                    incident=incident.number,
                    level=level,
                    to=chain(state, incident)[level],
                    round=incident.round,
                    key=f"escalate:{incident.number}:{incident.round}:{level}",
                )
            )
        due = update_due(state, incident)
        if due is not None and due <= now and incident.owner:
            out.append(
                IncidentReminded(
                    actor=CONDUCTOR,
                    at=due,
                    incident=incident.number,
                    owner=incident.owner,
                    due=due,
                    key=f"remind:{incident.number}:{due.isoformat()}",
                )
            )
    return out


def incident_moments(state: RunState) -> list[datetime]:
    """When something about the open incidents falls due next (the conductor's date jobs)."""
    moments = []
    for incident in state.incidents.open():
        due = respond_due(state, incident) or update_due(state, incident)
        if due is not None:
            moments.append(due)
    return moments


def _opened(state: RunState):
    """Incidents for fired triggers and failed checkpoints that have none yet."""
    rules = policy(state.plan)
    causes = state.incidents.causes
    # One failure, one incident: a trigger that fires on a checkpoint's failure and the
    # failed checkpoint itself opened two, each paged and resolved apart (user pass): the
    # first of them stands for both.
    on_failure = {t.id: t.step for t in state.plan.trigger if t.condition == "failed"}
    said_by_trigger = {on_failure[t] for t in state.fired if t in on_failure}
    for trigger, fired in state.fired.items():
        cause = f"trigger:{trigger}"
        watched = on_failure.get(trigger)
        if (
            watched is not None
            and f"checkpoint:{watched}" in causes
            and (fired.action == "alert" or state.steps[watched].on_fail == "rollback")
        ):  # the checkpoint's own incident says this failure, as severe (a rollback trigger
            continue  # on a checkpoint that only holds still opens its own, graver one)
        if cause not in causes:
            wanted = rules.rollback_trigger if fired.action == "rollback" else rules.alert_trigger
            severity = _known(state, wanted, fired.action == "rollback")
            yield _raise(
                fired.at, severity, f"trigger {trigger} fired: {fired.reason}", fired.step, cause
            )
    for sid in _checkpoints(state):
        st = state.status[sid]
        cause = f"checkpoint:{sid}"
        if sid in said_by_trigger:
            continue  # its trigger's incident says this failure
        if st.failed_at is not None and cause not in causes:
            rollback = state.steps[sid].on_fail == "rollback"
            severity = _known(
                state, rules.rollback_trigger if rollback else rules.failed_checkpoint, rollback
            )
            why = f"checkpoint {sid} failed" + (f": {st.evidence}" if st.evidence else "")
            yield _raise(st.failed_at, severity, why, sid, cause)


def _known(state: RunState, wanted: str, worst: bool) -> str:
    """`wanted` when the plan has that level; else its most severe level for a rollback, its
    second for the rest (a plan naming its own levels need not write `[incidents]`)."""
    levels = severities(state.plan)
    if any(level.id == wanted for level in levels):
        return wanted
    return levels[0 if worst or len(levels) < 2 else 1].id


def _raise(at: datetime, severity: str, title: str, step: str, cause: str) -> IncidentRaised:
    return IncidentRaised(
        actor=CONDUCTOR,
        at=at,
        severity=severity,
        title=title[:200],
        step=step,
        cause=cause,
        key=f"incident:{cause}",
    )


def _checkpoints(state: RunState) -> list[str]:
    """The plan's checkpoints, kept with the plan's derived structures (asked every tick)."""
    found = state.derived.get("plan:checkpoints")
    if found is None:
        found = state.derived["plan:checkpoints"] = [
            sid for sid, step in state.steps.items() if step.kind == "checkpoint"
        ]
    return found

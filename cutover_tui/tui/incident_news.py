"""What the war room says about incidents: the badge's word for an open incident of the worst
severity, and the toasts for incidents raised, escalated and reminded, in every process
(tui/alerts.py and widgets/status.py each call this with one line)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from ..engine.events import Event
from ..engine.incident_view import worst_open
from ..engine.state import RunState
from ..plan.severity import severities
from ..report.narrate import narrate
from .frame import Frame


def badge_word(state: RunState) -> str:
    """` · SEV1 INC-3` while an incident of the plan's worst severity is open, else ''."""
    incident = worst_open(state)
    if incident is None or incident.severity != severities(state.plan)[0].id:
        return ""
    return f" · {incident.severity.upper()} {incident.label}"


_TITLES = {
    "incident-raised": "Incident",
    "incident-escalated": "Incident ESCALATED",
    "incident-reminded": "Incident update overdue",
    "incident-assigned": "Incident re-assigned",
    "role-handed-over": "Bridge",
}


def incident_notices(frame: Frame, new: Iterable[Event]) -> list[tuple[Hashable, object]]:
    """(key, Notice) for each incident event worth a toast; a reminder's due time on the
    frame's clock (`--tz`), as the comms log beside it says it."""
    from .alerts import Notice  # alerts.py calls this module

    out: list[tuple[Hashable, object]] = []
    worst = severities(frame.state.plan)[0].id
    for event in new:
        title = _TITLES.get(event.type)
        if title is None:
            continue
        severe = event.type == "incident-escalated" or getattr(event, "severity", "") == worst
        text = f"{narrate(event, frame.dated, frame.plan_zone_if_other).text} ({frame.person(event.actor)})"
        notice = Notice(title, text, "error" if severe else "warning")
        out.append((("event", event.seq, event.key), notice))
    return out

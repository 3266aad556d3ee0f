"""The review's incidents: each with its response figures against its SLA.

The figures are engine/incident_view.figures, the ones `cutover incidents RUN --json` gives, so
the review and the CLI cannot disagree. Blameless: an incident is named by its label, severity
and title; who held it is not said, only how the bridge responded.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..engine.events import IncidentAssigned
from ..engine.incident_view import figures
from ..engine.incidents import Incident
from ..engine.runstate import RunState
from ..plan.durations import format_duration


def incident_lines(state: RunState, now: datetime) -> list[tuple[datetime, str]]:
    """(raised at, what happened) per incident, in the order they were raised."""
    out = []
    for incident in sorted(state.incidents, key=lambda i: i.number):
        raised = incident.raised
        said = figures(state, incident, now)
        text = f"{incident.label} {_severity(incident)} {raised.title}: {_response(said)}"
        moved = sum(isinstance(e, IncidentAssigned) for e in incident.history)
        if moved:
            text += f", re-assigned {'once' if moved == 1 else f'{moved} times'}"
        if incident.resolved and incident.resolved.resolution:
            text += f"; resolution: {incident.resolved.resolution}"
        out.append((raised.at, text))
    return out


def _severity(incident: Incident) -> str:
    """Raised as, and now if changed ("SEV2→SEV1"): `cutover incidents` shows the severity
    now and the SLA below is the one it was raised with (user pass, 2026-12-02: the review
    said SEV2 where `cutover incidents` said SEV1, the change unsaid)."""
    raised, now = incident.raised.severity.upper(), incident.severity.upper()
    return raised if raised == now else f"{raised}→{now}"


def _response(said: dict) -> str:
    sla = _took(said["ack_sla_s"])
    ack = said["time_to_acknowledge_s"]
    if ack is not None:
        verdict = "met" if said["ack_sla_met"] else "BREACHED"
        parts = [f"acknowledged in {_took(ack)} (SLA {sla}: {verdict})"]
    elif said["ack_sla_met"] is False:
        parts = [f"never acknowledged (SLA {sla}: BREACHED)"]
    else:
        parts = [f"not yet acknowledged (SLA {sla})"]
    resolve = said["time_to_resolve_s"]
    parts.append(f"resolved in {_took(resolve)}" if resolve is not None else "still open")
    for name in ("escalations", "reminders", "updates"):
        if said[name]:
            parts.append(f"{said[name]} {name if said[name] != 1 else name[:-1]}")
    return ", ".join(parts)


def _took(seconds: float) -> str:
    return format_duration(timedelta(seconds=seconds))

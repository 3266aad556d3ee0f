"""Incident actions and their words, turned into events: the mapping `cutover do` and the war
room's incident keys share (engine/actions.py hands these actions here).

    raise [STEP]            --severity S --title T [--owner P]
    ack INC                 acknowledge
    update INC              --note TEXT
    assign INC              --owner P [--reason]
    severity INC            --severity S --reason
    resolve INC             --note RESOLUTION
    handover ROLE           --owner TAKER --from GIVER --reason

INC is `3` or `INC-3`. Whether the person may do it now is the rules' question.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from .events import (
    Event,
    IncidentAcknowledged,
    IncidentAssigned,
    IncidentRaised,
    IncidentResolved,
    IncidentSeverityChanged,
    IncidentUpdated,
    RoleHandedOver,
)
from .texts import says_nothing

if TYPE_CHECKING:
    from .actions import Words

INCIDENT_ACTIONS = {
    "raise": "raise an incident (--severity, --title; STEP optional; --owner to assign it)",
    "ack": "acknowledge an incident (INC: 3 or INC-3)",
    "update": "update an incident (INC, --note)",
    "assign": "re-assign an incident (INC, --owner, --reason)",
    "severity": "change an incident's severity (INC, --severity, --reason)",
    "resolve": "resolve an incident (INC, --note: the resolution)",
    "handover": "hand a bridge role over (ROLE, --owner: who takes it, --from, --reason; commander)",
}
_NUMBER = re.compile(r"^(?:inc-?)?(\d{1,9})$", re.I)


def incident_number(text: str | None) -> int:
    """3 from `3`, `INC-3` or `inc3`; ValueError naming what was typed."""
    match = _NUMBER.match((text or "").strip())
    if not match:
        raise ValueError(f"{text or 'nothing'!r} is not an incident: write INC-3 or 3")
    return int(match.group(1))


def incident_event(
    action: str, target: str | None, words: Words, *, actor: str, at: datetime, key: str
) -> Event:
    def need(value: str | None, what: str) -> str:
        if not value or says_nothing(value):
            raise ValueError(f"{action} needs {what}")
        return value

    base = {"actor": actor, "at": at, "key": key}
    if action == "raise":
        return IncidentRaised(
            severity=need(words.severity, "--severity (sev1 is the worst)").lower(),
            title=need(words.title, "--title"),
            step=target or None,
            owner=words.owner,
            **base,
        )
    if action == "handover":
        role = need(target, "a ROLE: commander, communicator or resolver")
        if role not in ("commander", "communicator", "resolver"):
            raise ValueError(f"{role!r} is not a bridge role: commander, communicator or resolver")
        return RoleHandedOver(
            role=role,
            giver=need(words.giver, "--from (who hands it over)"),
            taker=need(words.owner, "--owner (who takes it)"),
            reason=need(words.reason, "--reason"),
            **base,
        )
    number = incident_number(target)
    if action == "ack":
        return IncidentAcknowledged(incident=number, **base)
    if action == "update":
        return IncidentUpdated(incident=number, text=need(words.note, "--note"), **base)
    if action == "assign":
        owner = need(words.owner, "--owner (a people key)")
        return IncidentAssigned(incident=number, owner=owner, reason=words.reason, **base)
    if action == "severity":
        return IncidentSeverityChanged(
            incident=number,
            severity=need(words.severity, "--severity").lower(),
            reason=need(words.reason, "--reason"),
            **base,
        )
    if action == "resolve":
        return IncidentResolved(
            incident=number, resolution=need(words.note, "--note (the resolution)"), **base
        )
    raise ValueError(f"unknown action {action!r}")

"""Severity levels, escalation chains and the bridge's incident policy (`[[severity]]`,
`[[escalation]]`, `[incidents]`).

A severity says how fast an incident must be acknowledged (`respond`) and how often its owner
updates it once acknowledged (`update`). A plan without `[[severity]]` has SEV1..SEV4
(`DEFAULT_SEVERITIES`). Levels are listed most severe first.

Who hears about an unacknowledged incident, in order (`chain_for`): the severity's own
`chain`, else the `[[escalation]]` chain of the owner's team, else the owner's `escalates_to`
links; the commander always closes the chain. This module holds the models, the chain and
their reference checks; model.py and checks.py each call it with one line.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from .durations import format_duration, parse_duration
from .errors import nearest
from .findings import Finding

if TYPE_CHECKING:
    from .findings import Known
    from .model import Plan

_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"  # model.ID_PATTERN (model.py imports this module)
_MAX_SLA = timedelta(days=1)  # an SLA longer than a day escalates nothing in a night


def _sla(value: Any) -> timedelta:
    parsed = value if isinstance(value, timedelta) else parse_duration(value)
    if parsed <= timedelta(0):
        raise ValueError(f"duration {value!r} is zero; an SLA must be positive")
    if parsed > _MAX_SLA:
        raise ValueError(f"duration {value!r} is longer than a day, the longest an SLA may be")
    return parsed


Sla = Annotated[timedelta, BeforeValidator(_sla), PlainSerializer(format_duration, return_type=str)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class SeverityLevel(_Strict):
    """One level of the scale: `sev1` acknowledged within `respond`, updated every `update`."""

    id: str = Field(pattern=_ID_PATTERN)
    name: str
    respond: Sla
    update: Sla
    chain: list[str] = Field(default_factory=list)  # people keys, first hears first

    @property
    def label(self) -> str:
        """How screens name it: `SEV1`."""
        return self.id.upper()


class Escalation(_Strict):
    """The chain for incidents owned by someone of `team`."""

    team: str
    chain: list[str] = Field(min_length=1)


class IncidentPolicy(_Strict):
    """The severities of the incidents the conductor opens by itself."""

    rollback_trigger: str = "sev1"  # a fired trigger whose action is rollback
    alert_trigger: str = "sev2"  # a fired trigger that only alerts
    failed_checkpoint: str = (
        "sev2"  # a failed checkpoint (sev of rollback_trigger if on_fail=rollback)
    )


# Constructed, not validated: literals whose validation would build these models' schemas at
# import, which a cached plan never needs (issue 14); tests/test_plan_cache.py validates them.
DEFAULT_SEVERITIES: tuple[SeverityLevel, ...] = tuple(
    SeverityLevel.model_construct(id=i, name=n, respond=parse_duration(r), update=parse_duration(u))
    for i, n, r, u in (
        ("sev1", "Critical", "5m", "15m"),
        ("sev2", "Major", "15m", "30m"),
        ("sev3", "Minor", "30m", "1h"),
        ("sev4", "Low", "1h", "2h"),
    )
)
DEFAULT_POLICY = IncidentPolicy.model_construct()


def severities(plan: Plan) -> tuple[SeverityLevel, ...]:
    """The plan's scale, most severe first (SEV1..SEV4 when it writes none)."""
    return tuple(plan.severity) or DEFAULT_SEVERITIES


def severity_by_id(plan: Plan) -> dict[str, SeverityLevel]:
    return {s.id: s for s in severities(plan)}


def policy(plan: Plan) -> IncidentPolicy:
    return plan.incidents or DEFAULT_POLICY


def chain_for(plan: Plan, owner: str | None, severity: str, commander: str | None) -> list[str]:
    """Who hears of an unacknowledged incident, in order: the owner first, the commander last.

    Level k of escalation goes to `chain[k]`; nothing goes past the end."""
    chain: list[str] = [owner] if owner else []
    level = severity_by_id(plan).get(severity)
    team = plan.people[owner].team if owner in plan.people else None
    by_team = next((e.chain for e in plan.escalation if team and e.team == team), None)
    written = (level.chain if level else []) or by_team
    if written:
        after = written[written.index(owner) + 1 :] if owner in written else written
        chain += [p for p in after if p not in chain]
    else:
        person = plan.people.get(owner or "")
        while person is not None and person.escalates_to and person.escalates_to not in chain:
            chain.append(person.escalates_to)
            person = plan.people.get(person.escalates_to)
    if commander and commander not in chain:
        chain.append(commander)
    return chain


def severity_findings(plan: Plan, known: Known) -> Iterator[Finding]:
    """Duplicate levels, people and teams the plan does not have, a policy naming no level."""
    seen: dict[str, int] = {}
    for index, level in enumerate(plan.severity):
        loc = ("severity", index)
        if level.id in seen:
            yield Finding(
                (*loc, "id"), f"duplicate severity {level.id!r}, already severity[{seen[level.id]}]"
            )
        seen.setdefault(level.id, index)
        yield from _people(Finding, (*loc, "chain"), level.chain, known)
    teams = {p.team for p in plan.people.values() if p.team}
    for index, esc in enumerate(plan.escalation):
        loc = ("escalation", index)
        if esc.team not in teams:
            yield Finding(
                (*loc, "team"), f"no person is in team {esc.team!r}", nearest(esc.team, teams)
            )
        yield from _people(Finding, (*loc, "chain"), esc.chain, known)
    levels = {s.id for s in severities(plan)}
    if plan.incidents is not None:
        for key in ("rollback_trigger", "alert_trigger", "failed_checkpoint"):
            value = getattr(plan.incidents, key)
            if value not in levels:
                yield Finding(
                    ("incidents", key),
                    f"unknown severity {value!r} (the plan's levels: {', '.join(sorted(levels))})",
                    nearest(value, levels),
                )


def _people(finding: type, loc: tuple, names: list[str], known: Known) -> Iterator[Finding]:
    for n, person in enumerate(names):
        if person not in known.people:
            yield finding(
                (*loc, n), f"{person!r} is not in [people]", nearest(person, known.people)
            )


def incident_tables(plan: Plan) -> list[str]:
    """What `cutover export` leaves in the plan of these tables (no sheet holds them)."""
    counts = (("severity level", len(plan.severity)), ("escalation chain", len(plan.escalation)))
    left = [f"{n} {name}{'s' if n != 1 else ''}" for name, n in counts if n]
    return left + (["[incidents]"] if plan.incidents is not None else [])

"""RACI in the comms: who hears about a step, and audiences named by a step's RACI role.

- A step's `informed` (people or audiences) hear when it starts, finishes, is skipped or
  fails: being kept informed is what the role means, and nobody has to remember to tell them.
- Its `accountable` person hears when it fails, not of a routine start or finish: they answer
  for the outcome and must know of a failure at once, without being woken by every tick-off.
- `consulted` people are asked by the owner before the night, not notified by a machine.
- A comms step may write `to = ["informed:migrate-db"]`: that step's people in that role
  (`responsible` is its owner), expanded when the message is queued (plan/raci.py reads it).

Each piece of news is one message per person or audience, with an id that says what it is
(`raci-migrate-db-failed.dba-lead.email`), so queuing is idempotent like every other message.
News older than NEWS_FRESH when a conductor first sees it (a conductor that took over hours
into the night) is not sent: the comms log has it, and a stale "started" misleads.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from ..engine.state import RunState
from ..plan.model import Plan
from ..plan.raci import members, role_audience
from .values import About

NEWS_FRESH = timedelta(minutes=15)
TEMPLATE = "step-update"  # built in (comms/builtin.py); a plan's own template replaces it


def expand(plan: Plan, names: Iterable[str]) -> list[str]:
    """Audience names with every "role:step" replaced by the people and audiences in that
    role, in order, each once. A name that is not a role (an audience, a person, the
    resolvers) is kept as it is; an unknown step yields nobody (validation refuses it)."""
    out: dict[str, None] = {}
    by_id = plan.step_by_id
    for name in names:
        found = role_audience(name)
        if found is None:
            out[name] = None
            continue
        role, sid = found
        step = by_id.get(sid)
        for who in members(step, role) if step is not None else []:
            out[who] = None
    return list(out)


def raci_people(plan: Plan) -> list[str]:
    """People keys a step names informed or accountable: comms may reach them by email."""
    found: dict[str, None] = {}
    for step in plan.step_by_id.values():
        for who in [*step.informed, *([step.accountable] if step.accountable else [])]:
            if who in plan.people:
                found[who] = None
    return list(found)


def raci_roles(plan: Plan, key: str) -> list[str]:
    """The RACI roles a person holds, as audience names ("accountable:dns"), for the contact
    matrix: who hears what is read from there before the night."""
    return [
        f"{role}:{sid}"
        for sid, step in plan.step_by_id.items()
        for role in ("accountable", "informed")
        if key in members(step, role)
    ]


def news_owed(state: RunState, now: datetime | None) -> list[tuple[str, list[str], About]]:
    """(message prefix, audiences, what it is about) for every piece of step news the RACI
    calls for at `now`: the newest moment of each step's life, when fresh enough."""
    plan = state.plan
    out: list[tuple[str, list[str], About]] = []
    for sid, step in plan.step_by_id.items():
        if not step.informed and step.accountable is None:
            continue
        st = state.status.get(sid)
        if st is None:
            continue
        for what, moment, who, text in _moments(st, list(step.informed), step.accountable):
            if moment is None or not who:
                continue
            if now is not None and not (timedelta(0) <= now - moment <= NEWS_FRESH):
                continue
            reason = f"{text} at {state.when(moment)}"
            out.append((f"raci-{sid}-{what}", who, About(step=sid, reason=reason)))
    return out


def _moments(
    st, informed: list[str], accountable: str | None
) -> list[tuple[str, datetime | None, list[str], str]]:
    """(what, when, to whom, in words) for each moment of a step's life worth telling."""
    failed_to = informed + ([accountable] if accountable and accountable not in informed else [])
    why = f": {st.reason}" if st.reason else ""
    return [
        ("started", st.started_at, informed, "started"),
        ("done", st.finished_at if st.status == "done" else None, informed, "finished"),
        ("skipped", st.finished_at if st.status == "skipped" else None, informed, f"skipped{why}"),
        ("failed", st.failed_at, failed_to, f"failed{why}"),
    ]

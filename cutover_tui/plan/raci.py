"""RACI per step: responsible is the step's owner; accountable, consulted and informed are
optional (`accountable = "alice"`, `consulted = ["dan"]`, `informed = ["branch-managers"]`).

Accountable and consulted name people; informed names people or audiences (comms can reach
an audience). checks.py calls `raci_findings` with one line.

A comms step may name an audience by a RACI role of a step, `to = ["informed:migrate-db"]`:
the people and audiences in that role (`responsible` is the owner). `role_audience` reads
such a name, `members` says who it is (comms/raci.py expands it when a message is queued), and
`to_finding` refuses one that names no step or no role.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .errors import nearest
from .findings import Finding, _step_lists

if TYPE_CHECKING:
    from .findings import Known
    from .model import Plan, StepBase

RACI_ROLES = ("responsible", "accountable", "consulted", "informed")


def role_audience(name: str) -> tuple[str, str] | None:
    """("informed", "migrate-db") for "informed:migrate-db"; None for a plain audience id
    (an id cannot hold a colon, so the two never collide)."""
    role, colon, step = name.partition(":")
    return (role, step) if colon else None


def members(step: StepBase, role: str) -> list[str]:
    """The people keys (and, for informed, audience ids) holding `role` on `step`."""
    if role == "responsible":
        return [step.owner]
    if role == "accountable":
        return [step.accountable] if step.accountable else []
    if role == "consulted":
        return list(step.consulted)
    if role == "informed":
        return list(step.informed)
    return []


def to_finding(loc: tuple, name: str, known: Known) -> Finding | None:
    """A comms step's `to` entry that names a RACI role: refused unless both parts are known."""
    role, step = role_audience(name) or ("", "")
    if role not in RACI_ROLES:
        return Finding(
            loc,
            f"{name!r} names no RACI role: write responsible, accountable, consulted or "
            "informed before the colon",
            nearest(role, RACI_ROLES),
        )
    steps = known.steps | known.rollback_steps
    if step not in steps:
        return Finding(loc, f"{name!r}: unknown step {step!r}", nearest(step, steps))
    return None


def raci_findings(plan: Plan, known: Known) -> Iterator[Finding]:
    people = known.people
    reachable = people | known.audiences
    for prefix, steps in _step_lists(plan):
        for index, step in enumerate(steps):
            loc = (*prefix, index)
            if step.accountable is not None and step.accountable not in people:
                yield Finding(
                    (*loc, "accountable"),
                    f"{step.accountable!r} (accountable for {step.id!r}) is not in [people]",
                    nearest(step.accountable, people),
                )
            for n, who in enumerate(step.consulted):
                if who not in people:
                    yield Finding(
                        (*loc, "consulted", n),
                        f"{who!r} (consulted on {step.id!r}) is not in [people]",
                        nearest(who, people),
                    )
            for n, who in enumerate(step.informed):
                if who not in reachable:
                    yield Finding(
                        (*loc, "informed", n),
                        f"{who!r} (informed of {step.id!r}) is neither in [people] nor an audience",
                        nearest(who, reachable),
                    )

"""RACI per step: responsible is the step's owner; accountable, consulted and informed are
optional (`accountable = "alice"`, `consulted = ["dan"]`, `informed = ["branch-managers"]`).

Accountable and consulted name people; informed names people or audiences (comms can reach
an audience). checks.py calls `raci_findings` with one line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .errors import nearest

if TYPE_CHECKING:
    from .checks import Finding, Known
    from .model import AnyStep, Plan


def _step_lists(plan: Plan) -> Iterator[tuple[tuple[str, ...], list[AnyStep]]]:
    yield ("step",), plan.step
    if plan.rollback:
        yield ("rollback", "step"), plan.rollback.step


def raci_findings(plan: Plan, known: Known) -> Iterator[Finding]:
    from .checks import Finding  # late: checks.py imports this module

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

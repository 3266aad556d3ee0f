"""Plan checks on the dependency graph: cycles, and whether the critical path fits the window
(and its buffer rule) and the rollback its RTO (plan/checks.py runs them).

Split out of plan/checks.py unchanged; checks.py re-exports every public name here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta

from .durations import format_duration
from .findings import Finding, Known, _step_lists
from .graph import Baseline, CycleError, baseline, topological_order
from .model import AnyStep, Plan


def _graph(steps: list[AnyStep], pool: set[str]) -> Mapping[str, list[str]]:
    # Self-waits are reported on their own; leave them out of the cycle search. A duplicated
    # id is reported on its own too: keep its first step, or the two merge into a false cycle.
    graph: dict[str, list[str]] = {}
    for s in steps:
        graph.setdefault(s.id, [p for p in s.after if p in pool and p != s.id])
    return graph


def _cycles(plan: Plan, known: Known) -> Iterator[Finding]:
    for prefix, steps in _step_lists(plan):
        if steps is plan.step and _ids_unique(steps) and _baseline_if_acyclic(plan):
            continue  # sorted whole, self-waits included: the baseline the later checks reuse
        try:
            topological_order(_graph(steps, {s.id for s in steps}))
        except CycleError as cycle:
            index = next(i for i, s in enumerate(steps) if s.id == cycle.cycle[0])
            yield Finding((*prefix, index, "after"), f"dependency cycle: {cycle}")


def _acyclic(steps: list[AnyStep]) -> bool:
    try:
        topological_order({s.id: s.after for s in steps})
    except CycleError:
        return False
    return True


def _ids_unique(steps: list[AnyStep]) -> bool:
    return len({s.id for s in steps}) == len(steps)


def _baseline_if_acyclic(plan: Plan) -> Baseline | None:
    """The baseline, or None on a cycle (_cycles reports it): one topological sort, not two."""
    try:
        return baseline(plan.step, plan.window.start)
    except CycleError:
        return None


def _time_fit(plan: Plan, known: Known) -> Iterator[Finding]:
    steps = [s for s in plan.step if known.steps.issuperset(s.after)]
    base = _baseline_if_acyclic(plan) if len(steps) == len(plan.step) else None
    if base is not None:
        window = plan.window
        length = base.length(window.start)
        left = window.end - base.end
        if left < timedelta(0):
            yield Finding(
                ("window",),
                f"the critical path takes {format_duration(length)}: "
                f"{format_duration(-left)} longer than the window "
                f"({format_duration(window.length)})",
                severity="warning",
            )
        elif left < window.buffer_time:
            yield Finding(
                ("window", "buffer"),
                f"the critical path takes {format_duration(length)}, leaving "
                f"{format_duration(left)} of the window free; the buffer rule wants "
                f"{format_duration(window.buffer_time)} ({window.buffer:.0%})",
                severity="warning",
            )
    rollback = plan.rollback
    if rollback and rollback.step and _acyclic(rollback.step):
        length = rollback_length(plan)
        if length > rollback.rto:
            yield Finding(
                ("rollback", "rto"),
                f"the rollback's critical path takes {format_duration(length)}, longer than "
                f"its RTO of {format_duration(rollback.rto)}",
                severity="warning",
            )


def rollback_length(plan: Plan) -> timedelta:
    """The critical path of the rollback steps (zero when there are none)."""
    steps = [
        s.model_copy(update={"not_before": None}) if s.not_before else s
        for s in plan.rollback_steps
    ]
    if not steps:
        return timedelta(0)
    origin = plan.window.start
    return baseline(steps, origin).length(origin)

"""The dependency graph of a plan: order, cycles and the baseline critical path.

Pure functions over (id, duration, after, not_before) so the checks, the engine and the
benchmarks share one implementation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from .ring import show_ring


class StepLike(Protocol):
    id: str
    duration: timedelta
    after: list[str]
    not_before: datetime | None


class CycleError(ValueError):
    def __init__(self, cycle: list[str]) -> None:
        super().__init__(show_ring(cycle))  # capped: a 10,000-step cycle is not one line
        self.cycle = cycle


# The last orders made, each beside a copy of the graph it came from: `validate` sorts the
# plan's steps for its checks (the baseline), then the rollback's, then the plan's again,
# from an equal graph, for the forecast's level graph: 0.15 s a sort on 50,000 steps
# (issue 12). Comparing the keys in order and then the lists runs in C, a tenth of a sort. A
# copy is kept, so a caller changing its lists later cannot make a stale order look
# current; the order is handed out as a copy too.
KEPT_ORDERS = 4
_sorted: list[tuple[list[str], dict[str, list[str]], list[str]]] = []


def topological_order(after: Mapping[str, Sequence[str]]) -> list[str]:
    """Kahn's algorithm, stable in the order ids were given. Unknown predecessors are ignored.

    Raises CycleError naming one cycle.
    """
    nodes = list(after)
    kept = list(_sorted)  # one read: another thread may replace it meanwhile
    for made_nodes, made_from, order in kept:
        if made_nodes == nodes and made_from == after:
            return list(order)
    order = _kahn(after)
    graph = {node: list(preds) for node, preds in after.items()}
    _sorted[:] = [(nodes, graph, order), *kept[: KEPT_ORDERS - 1]]
    return list(order)


def _kahn(after: Mapping[str, Sequence[str]]) -> list[str]:
    # Children only for the nodes that have some, and a predecessor list deduplicated only
    # when it could hold a repeat: on 50,000 steps this was 9 x 20,000 empty lists a validate.
    indegree = dict.fromkeys(after, 0)
    children: dict[str, list[str]] = {}
    for node, preds in after.items():
        for pred in dict.fromkeys(preds) if len(preds) > 1 else preds:
            if pred in indegree:
                indegree[node] += 1
                kids = children.get(pred)
                if kids is None:
                    children[pred] = [node]
                else:
                    kids.append(node)
    ready = [node for node, deg in indegree.items() if deg == 0]
    ready.reverse()
    order: list[str] = []
    while ready:
        node = ready.pop()
        order.append(node)
        for child in reversed(children.get(node, ())):
            left = indegree[child] - 1
            indegree[child] = left
            if left == 0:
                ready.append(child)
    if len(order) != len(indegree):
        raise CycleError(find_cycle(after, {n for n, d in indegree.items() if d > 0}))
    return order


def find_cycle(after: Mapping[str, Sequence[str]], within: Iterable[str]) -> list[str]:
    """One cycle among `within` (nodes left over by Kahn's algorithm), in dependency order."""
    remaining = set(within)
    start = next(iter(sorted(remaining)))
    seen: dict[str, int] = {}
    path: list[str] = []
    node = start
    # Every leftover node has a leftover predecessor, so walking predecessors must loop.
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = next(p for p in after[node] if p in remaining)
    cycle = path[seen[node] :]
    cycle.reverse()
    return cycle


@dataclass(frozen=True)
class Baseline:
    """The plan as written, scheduled from the window start."""

    start: dict[str, datetime]
    finish: dict[str, datetime]
    end: datetime
    critical_path: list[str]

    def length(self, origin: datetime) -> timedelta:
        return self.end - origin


# The last baselines made, each with the very list it was made from: `validate` asks for the
# plan's baseline in its checks, its summary and the engine's file baseline (three sorts of
# 50,000 steps), the rollback's in between. Plan steps are frozen models, so the same list
# object of the same length is the same steps; a different list, or the list grown or
# shrunk, is computed afresh.
KEPT_BASELINES = 4
_last: list[tuple[Sequence[StepLike], int, datetime, Baseline]] = []


def baseline(steps: Sequence[StepLike], origin: datetime) -> Baseline:
    """Earliest start/finish of every step from `origin`, honouring fixed starts."""
    for made_from, count, at, made in _last:
        if made_from is steps and count == len(steps) and at == origin:
            return made
    made = _baseline(steps, origin)
    _last[:] = [(steps, len(steps), origin, made), *_last[: KEPT_BASELINES - 1]]
    return made


def _baseline(steps: Sequence[StepLike], origin: datetime) -> Baseline:
    by_id = {s.id: s for s in steps}
    order = topological_order({s.id: s.after for s in steps})
    start: dict[str, datetime] = {}
    finish: dict[str, datetime] = {}
    driver: dict[str, str | None] = {}
    for sid in order:
        step = by_id[sid]
        begin, why = origin, None
        for pred in step.after:
            if pred in finish and finish[pred] > begin:
                begin, why = finish[pred], pred
        if step.not_before is not None and step.not_before > begin:
            begin, why = step.not_before, None
        start[sid] = begin
        finish[sid] = begin + step.duration
        driver[sid] = why
    if not finish:
        return Baseline(start, finish, origin, [])
    last = max(order, key=lambda sid: finish[sid])
    path: list[str] = []
    node: str | None = last
    while node is not None:
        path.append(node)
        node = driver[node]
    path.reverse()
    return Baseline(start, finish, finish[last], path)

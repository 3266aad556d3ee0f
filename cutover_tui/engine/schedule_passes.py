"""The schedule's passes: each graph (the plan, the rollback) in topological order with its
times in integer microseconds from the window start, and one pass over it at a status date.

`graph_of` builds a graph once and keeps it in `state.derived` until an amendment changes it
(with the baseline and the tails a night with nothing started needs); `project` is the
forward pass (when each step starts and finishes from the status date, and what drives it)
followed by the backward pass (each open step's tail, hence its latest finish and slack);
`critical_path` follows the drivers back from the last open step to finish. The rules are in
`engine.schedule`'s docstring; `engine.step_times` reads a Pass into StepTimes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Literal

from ..plan.graph import baseline, topological_order
from .compact import FRESH, RanStep
from .runstate import RunState, StepState

GraphName = Literal["plan", "rollback"]

US = timedelta(microseconds=1)

# Step codes in a pass.
PENDING, RUNNING, SUSPENDED, RETRY, CLOSED = range(5)
# Why a step starts when it does (driver < 0), when no predecessor sets it.
_BY_NOW, _BY_FIXED_START, _BY_ACTUAL = -1, -2, -3


# -- the graph, cached until an amendment ------------------------------------------------


class Graph:
    """One graph (plan or rollback) in topological order, times in µs from the window start."""

    __slots__ = (
        "base_finish",
        "base_start",
        "continues",
        "dur",
        "fetch",
        "file_order",
        "gate",
        "ids",
        "index",
        "length",
        "name",
        "not_before",
        "out_degree",
        "owner",
        "position",
        "preds",
        "rel_finish",
        "rel_start",
        "rollback_checkpoints",
        "size",
        "tail",
        "total",
    )


def to_us(moment: datetime, origin: datetime) -> int:
    return (moment - origin) // US


def graph_of(state: RunState, which: GraphName, origin: datetime) -> Graph:
    ids = state.order if which == "plan" else state.rollback_order
    key = f"graph:{which}"
    graph = state.derived.get(key)
    if graph is None or graph.size != len(ids):
        graph = _build_graph(state, ids, which, origin)
        state.derived[key] = graph
    return graph


def _build_graph(state: RunState, ids: list[str], which: GraphName, origin: datetime) -> Graph:
    steps = state.steps
    members = set(ids)
    after = {sid: [p for p in dict.fromkeys(steps[sid].after) if p in members] for sid in ids}
    order = topological_order(after)
    index = {sid: i for i, sid in enumerate(order)}
    file_position = {sid: n for n, sid in enumerate(ids)}
    g = Graph()
    g.name = which
    g.ids = order
    g.index = index
    g.size = len(ids)
    g.file_order = tuple(ids)
    g.fetch = _fetcher(order)
    g.preds = [tuple(index[p] for p in after[sid]) for sid in order]
    g.out_degree = [0] * len(order)
    for preds in g.preds:
        for p in preds:
            g.out_degree[p] += 1
    g.position = [file_position[sid] for sid in order]
    g.owner = [steps[sid].owner for sid in order]
    g.dur = [steps[sid].duration // US for sid in order]
    g.not_before = [
        to_us(steps[sid].not_before, origin) if steps[sid].not_before else None  # type: ignore[arg-type]
        for sid in order
    ]
    g.gate = [steps[sid].kind == "gate" for sid in order]
    g.continues = [
        steps[sid].kind == "checkpoint" and steps[sid].on_fail == "continue" for sid in order
    ]
    g.rollback_checkpoints = [
        sid for sid in order if steps[sid].kind == "checkpoint" and steps[sid].on_fail == "rollback"
    ]
    g.total = sum(g.dur)
    # Offsets from the graph's own start, ignoring fixed starts: the rollback's baseline and
    # length (the same rule as plan.checks.rollback_length).
    rel_start = [0] * len(order)
    rel_finish = [0] * len(order)
    for i, preds in enumerate(g.preds):
        begin = max([rel_finish[p] for p in preds], default=0)
        rel_start[i] = begin
        rel_finish[i] = begin + g.dur[i]
    g.rel_start, g.rel_finish = rel_start, rel_finish
    g.length = max(rel_finish, default=0)
    # What must follow each step when nothing has started: the backward pass of most nights.
    g.tail = tails(reversed(range(len(order))), g.preds, rel_start, rel_finish)
    if which == "plan":
        g.base_start, g.base_finish = _plan_baseline(state, g, origin)
    else:
        g.base_start = g.base_finish = []
    return g


def _fetcher(ids: list[str]) -> Callable[[Mapping[str, StepState]], Sequence[StepState]]:
    """Reads the states of `ids` from a status dict, in order (itemgetter loops in C)."""
    if len(ids) > 1:
        return itemgetter(*ids)
    return lambda status: tuple(status[sid] for sid in ids)


def tails(
    backwards: Iterable[int], preds: list[tuple[int, ...]], start: list[int], finish: list[int]
) -> list[int]:
    """The backward pass: each step's tail, the work that must follow it (the spans, finish
    - start, of its successors on the longest path from it to the end), pushed back from the
    steps of `backwards` in reverse topological order; steps not in it push nothing. A
    step's latest finish is the deadline less its tail."""
    tail = [0] * len(preds)
    for i in backwards:
        lead = tail[i] + finish[i] - start[i]
        for p in preds[i]:
            if lead > tail[p]:
                tail[p] = lead
    return tail


def file_baseline(state: RunState, origin: datetime) -> tuple[dict[str, tuple[int, int]], int]:
    """The plan as written (plan.graph.baseline over the file's steps), in µs; never amended."""
    cached = state.derived.get("plan:baseline")
    if cached is None:
        plan = state.plan
        base = baseline(plan.step, plan.window.start)
        times = {
            sid: (to_us(base.start[sid], origin), to_us(base.finish[sid], origin))
            for sid in base.start
        }
        cached = (times, to_us(base.end, origin))
        state.derived["plan:baseline"] = cached
    return cached


def _plan_baseline(state: RunState, g: Graph, origin: datetime) -> tuple[list[int], list[int]]:
    """File steps keep the file's baseline; a step added live is baselined after its
    predecessors' baselines, so that it shows where the plan as written would have put it."""
    file_times, _ = file_baseline(state, origin)
    start = [0] * len(g.ids)
    finish = [0] * len(g.ids)
    for i, sid in enumerate(g.ids):
        known = file_times.get(sid)
        if known is not None:
            start[i], finish[i] = known
            continue
        begin = max([finish[p] for p in g.preds[i]], default=0)
        fixed = g.not_before[i]
        if fixed is not None and fixed > begin:
            begin = fixed
        start[i], finish[i] = begin, begin + g.dur[i]
    return start, finish


# -- one pass over one graph --------------------------------------------------------------


class Pass:
    """Projected times of one graph at one status date, in µs from the window start.

    For a closed step `finish` holds its actual finish only when that is after the status
    date, and the status date otherwise (all its successors can see of it); its exact times,
    overrun and budget used are worked out from its StepState when its StepTimes is built.
    The latest finish of an open step is `deadline - tail[i]`.
    """

    __slots__ = (
        "_critical",
        "base_finish",
        "base_start",
        "closed_budget",
        "code",
        "deadline",
        "driver",
        "end",
        "failed",
        "finish",
        "g",
        "open",
        "overrun",
        "rollback_origin",
        "running",
        "start",
        "states",
        "t0",
        "tail",
        "unblocked",
    )

    def latest_finish(self, i: int) -> int:
        """When open step `i` must finish for the deadline to hold."""
        return self.deadline - self.tail[i]

    def slack(self, i: int) -> int:
        """Latest finish less projected finish of open step `i`; negative: deadline missed."""
        return self.deadline - self.tail[i] - self.finish[i]

    @property
    def critical(self) -> frozenset[int]:
        """The open steps with the least slack (built on first use)."""
        critical = self._critical
        if critical is None:
            slack = {i: self.slack(i) for i in self.open}
            least = min(slack.values(), default=None)
            critical = frozenset(i for i, s in slack.items() if s == least)
            self._critical = critical
        return critical


def project(state: RunState, g: Graph, t0: int, deadline: int, over: int, origin: datetime) -> Pass:
    """The forward pass over `g` at status date `t0` (closed steps at their actual times,
    running ones from what is left of their budget, pending ones from their predecessors),
    then the backward pass from `deadline`. One loop over the steps in one function on
    purpose: it is most of what a war room's tick costs on a large plan."""
    n = len(g.ids)
    start = [0] * n
    finish = [t0] * n  # what a step closed by the status date shows its successors
    driver = [_BY_ACTUAL] * n
    code = [PENDING] * n  # a list: indexing one is quicker than a bytearray
    overrun: dict[int, float] = {}  # index -> budget used, for running/suspended steps
    states = g.fetch(state.status)
    dur, preds, not_before, continues = g.dur, g.preds, g.not_before, g.continues
    t0_at = origin + timedelta(microseconds=t0)
    opened: list[int] = []  # open steps (not closed), in topological order
    running: list[int] = []
    failed: list[int] = []
    is_open = opened.append
    waiting_for_nobody: list[int] = []  # pending or to retry, every predecessor closed
    unblocked = waiting_for_nobody.append
    open_edges = 0  # edges from an open step into a pending one (or one to retry)
    closed, by_now, by_fixed, fresh, ran = CLOSED, _BY_NOW, _BY_FIXED_START, FRESH, RanStep
    for i in range(n):
        st = states[i]
        if st is not fresh:
            if st.__class__ is ran:  # done in one go, most of a night: closed, as below
                code[i] = closed
                end = st.ended.at
                if end > t0_at:
                    finish[i] = (end - origin) // US
                continue
            s = st.status
            if s == "done" or s == "skipped" or (s == "failed" and continues[i]):
                # Closed: successors start at the latest of the status date and their
                # predecessors' finish, so a finish before the status date counts as it.
                code[i] = closed
                end = st.finished_at
                if end > t0_at:  # type: ignore[operator]
                    finish[i] = (end - origin) // US  # type: ignore[operator]
                continue
            if s == "running" or s == "suspended":
                is_open(i)
                _project_running(
                    st, s == "running", i, dur[i], t0, over, origin, start, finish, code, overrun
                )
                running.append(i)
                continue
            if s != "pending":  # failed, to be retried
                code[i] = RETRY
                failed.append(i)
        # Pending, or failed and to be retried: from now, its predecessors or its fixed start.
        is_open(i)
        begin, why, waiting = t0, by_now, 0
        for p in preds[i]:
            f = finish[p]
            if f > begin:
                begin, why = f, p
            if code[p] != closed:
                waiting += 1
        fixed = not_before[i]
        if fixed is not None and fixed > begin:
            begin, why = fixed, by_fixed
        start[i] = begin
        finish[i] = begin + dur[i]
        driver[i] = why
        if waiting:
            open_edges += waiting
        else:  # every predecessor closed: maybe startable
            unblocked(i)

    result = Pass()
    # The backward pass over the open steps: a step's latest finish is the deadline less its
    # tail. A pending step (or one to retry) spans its budget, so when every edge from an open
    # step leads to one, the tails are the graph's own, worked out with its structure. That
    # is the rule, as a step starts only once its predecessors are closed; a step skipped (or
    # a comms step sent) ahead of them breaks it, and then fewer edges from open steps lead
    # into pending ones than leave open steps.
    if open_edges == sum(map(g.out_degree.__getitem__, opened)):
        result.tail = g.tail
    else:
        result.tail = tails(reversed(opened), preds, start, finish)

    result.g = g
    result.t0 = t0
    result.deadline = deadline
    result.states = states
    result.start, result.finish, result.driver, result.code = start, finish, driver, code
    result.overrun = overrun
    result.open, result.running, result.failed = opened, running, failed
    result.unblocked = waiting_for_nobody
    if opened:  # at or after the status date, so above any finish counted as it
        result.end = max(finish)
    elif states:  # everything closed: the last actual finish
        result.end = (max(st.finished_at for st in states) - origin) // US  # type: ignore[type-var,operator]
    else:
        result.end = t0
    result.closed_budget = g.total - sum(map(dur.__getitem__, opened))
    result.base_start, result.base_finish = g.base_start, g.base_finish
    result._critical = None
    return result


def _project_running(
    st: StepState,
    running: bool,
    i: int,
    d: int,
    t0: int,
    over: int,
    origin: datetime,
    start: list[int],
    finish: list[int],
    code: list[int],
    overrun: dict[int, float],
) -> None:
    """A running step finishes at the status date plus what is left of its budget; a
    suspended one at its resume ETA (not before the status date) plus what was left when it
    stopped. Over budget: at the status date plus `over`, and flagged."""
    began = (st.started_at - origin) // US  # type: ignore[operator]
    if running:
        elapsed = t0 - began - st.off_clock // US  # time suspended, jumps: not run
        resume = t0
        code[i] = RUNNING
    else:
        stopped = (st.suspended_at - origin) // US  # type: ignore[operator]
        elapsed = stopped - began - st.off_clock_to_suspension // US
        resume = t0
        if st.resume_eta is not None:
            resume = max(t0, (st.resume_eta - origin) // US)
        code[i] = SUSPENDED
    left = d - elapsed
    if left < 0:
        left = over
        overrun[i] = elapsed / d if d else 1.0
    start[i] = began
    finish[i] = resume + left


def critical_path(p: Pass) -> tuple[str, ...]:
    """One chain of open steps, from now to the last open step to finish."""
    code, finish = p.code, p.finish
    if not p.open:
        return ()
    # The first of the latest open steps: the first step to finish at the end (a scan in C)
    # if it is open, else a search among the open ones.
    last = finish.index(p.end)
    if code[last] == CLOSED:
        last = max(p.open, key=finish.__getitem__)
    chain: list[str] = []
    while last >= 0 and code[last] != CLOSED:
        chain.append(p.g.ids[last])
        last = p.driver[last]
    chain.reverse()
    return tuple(chain)

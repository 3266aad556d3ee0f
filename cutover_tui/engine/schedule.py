"""schedule(state, now) -> Schedule: when every step will start and finish, from here on.

The status-date method of project tools, over tonight's plan (`state.steps`: the file with live
amendments applied), with `now` as the status date:

- closed steps (done, skipped, or a failed checkpoint whose `on_fail` is "continue") stay at
  their actual times; a skipped step is zero-length at the moment it was skipped;
- a running step finishes at now + what is left of its budget (time suspended does not count);
  once over budget, at now + `overrun_minimum`, flagged `overrun`;
- a suspended step finishes at max(now, its resume ETA) + what is left of its budget;
- a failed step (not closed) is projected as if restarted now with its full budget (`retry`);
- a pending step starts at the latest of now, its predecessors' projected finish and its fixed
  start (`not_before`). Before the run starts, now is the window start at the earliest.

A backward pass from the deadline gives each open step its latest finish and total slack; the
open steps with the least slack are `critical`, and one chain of them, from now to the
projected finish, is the `critical_path`.

The active graph is the plan, or the rollback runbook once rollback was invoked (and after a
run that ended rolled back). Before rollback the rollback steps are scheduled too, as "if rollback
started now" (`back_out_finish`), baselined from the last safe rollback start.

Levels (`on-track` | `at-risk` | `late`), with W = `window.warning`:
- the run is late when the projected finish is past the deadline; at risk when less than W of
  buffer is left, or when it has slipped against the baseline (delta > 0) and the buffer left is
  below the plan's buffer rule (`window.buffer` of the window); on track otherwise. A plan that
  never met the buffer rule but runs to its baseline stays on track: validation already said so.
- an open step is late when it overran its budget or its slack is negative; at risk when its
  slack is under W, it has used more than 80% of its budget, or it failed and must be retried.
  A closed step is late when it overran its budget, on track otherwise.

Triggers are computed from the plan's `[[trigger]]` table, the state and now alone, so every
process agrees without waiting for the conductor: running-over fires at started + limit,
failed at the moment the step failed, not-done-by at `at` when the step was not closed by then.
A failed checkpoint with `on_fail = "rollback"` is a rollback signal even without a trigger.
Triggers the conductor recorded (TriggerFired) are included too. Nothing fires on a plan step
after rollback was invoked, or on any step after the run ended.

Pure and fast: no I/O, no clock, no textual. Times are int microseconds from the window start
inside; the graph structure is cached in `state.derived` until an amendment changes it, and the
per-step StepTimes are built on first access.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Literal

from ..plan.durations import format_duration
from ..plan.graph import baseline, topological_order
from ..plan.model import Trigger
from .compact import FRESH, RanStep
from .runstate import RunState, StepState, StepStatus

Level = Literal["on-track", "at-risk", "late"]
GraphName = Literal["plan", "rollback"]

_US = timedelta(microseconds=1)
_ZERO = timedelta(0)
BUDGET_WARNING = 0.8  # a running step past this fraction of its budget is at risk

# Step codes in a pass.
_PENDING, _RUNNING, _SUSPENDED, _RETRY, _CLOSED = range(5)
# Why a step starts when it does (driver < 0), when no predecessor sets it.
_BY_NOW, _BY_FIXED_START, _BY_ACTUAL = -1, -2, -3


# -- the public result ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepTimes:
    """One step on tonight's timeline: where the plan put it, where it is now projected to be.

    `start` and `finish` are projected (the actual times once the step is closed). Slack is
    measured against the deadline of its graph (`Schedule.deadline` for the active graph).
    """

    step: str
    status: StepStatus
    baseline_start: datetime
    baseline_finish: datetime
    start: datetime
    finish: datetime
    latest_finish: datetime | None  # None for a closed step: it cannot move any more
    slack: timedelta | None  # latest finish - projected finish; negative: deadline missed
    critical: bool  # on a least-slack chain: any delay to it delays the projected finish
    level: Level
    overrun: bool  # past its budget (running, suspended, or finished that way)
    retry: bool  # failed; projected as if restarted now with its full budget
    budget_used: float | None  # elapsed / budget while running or suspended; actual when closed
    driver: str | None  # the predecessor that sets its start, if one does

    @property
    def delta(self) -> timedelta:
        """Projected finish against the baseline: positive is behind plan."""
        return self.finish - self.baseline_finish


@dataclass(frozen=True, slots=True)
class FiredTrigger:
    """A rollback trigger (or alert) that has fired, or a failed rollback checkpoint."""

    trigger: str | None  # None for a checkpoint whose on_fail is "rollback"
    step: str
    condition: Literal["running-over", "failed", "not-done-by", "checkpoint-failed"]
    action: Literal["rollback", "alert"]
    fired_at: datetime
    reason: str
    recorded: bool  # the conductor has written TriggerFired for it


@dataclass(frozen=True, slots=True)
class ArmedTrigger:
    """A trigger that has not fired yet, with how close it is."""

    trigger: str
    step: str
    condition: Literal["running-over", "failed", "not-done-by"]
    action: Literal["rollback", "alert"]
    closeness: float  # 0 (far) .. 1 (about to fire); 0 when it cannot be measured
    time_left: timedelta | None  # until it fires if nothing changes; None when not timed
    fires_at: datetime | None  # when it fires if the projection holds; None if it does not
    projected_to_fire: bool  # the projection says it will fire
    describe: str  # "rollback if smoke-tests runs over 30m"


@dataclass(frozen=True)
class Schedule:
    """The war room's answer to "will we make it?" at one moment.

    Headline figures are about the active graph (`graph`): the plan, or the rollback runbook
    once rollback was invoked. `steps` has every step of both graphs.
    """

    now: datetime
    as_of: datetime  # the status date of the active graph (now; the window start before it)
    graph: GraphName
    steps: Mapping[str, StepTimes]
    deadline: datetime  # window.end, or `rollback_deadline` for the rollback graph
    projected_finish: datetime
    baseline_finish: datetime
    delta: timedelta  # projected - baseline finish; positive is behind plan
    buffer_left: timedelta  # deadline - projected finish; negative: deadline projected missed
    level: Level
    percent_done: float  # budget of closed steps / budget of all steps, 0..1
    ready: tuple[str, ...]  # startable now (and gates ready for decision), most urgent first
    running: tuple[str, ...]  # running or suspended, in file order
    failed: tuple[str, ...]  # failed and not closed: to retry, skip or roll back
    critical_path: tuple[str, ...]  # open steps driving the projected finish, in order
    rollback_length: timedelta  # the rollback runbook's critical path
    last_safe_rollback_start: datetime  # window.end - rollback_length
    rollback_time_left: timedelta  # until the last safe rollback start; negative once passed
    back_out_finish: datetime | None  # service restored by, if rollback started now (or since)
    rollback_deadline: datetime | None  # earlier of rollback_at + RTO and window.end
    rollback_met: bool | None  # the rollback is projected to finish by rollback_deadline
    fired: tuple[FiredTrigger, ...]  # by fire time
    armed: tuple[ArmedTrigger, ...]  # closest first
    ready_by_owner: Mapping[str, tuple[str, ...]]  # the ready queue by owner (people key)

    @property
    def rollback_signalled(self) -> bool:
        """A fired trigger or a failed checkpoint calls for rollback."""
        return any(f.action == "rollback" for f in self.fired)

    def ready_for(self, owner: str) -> tuple[str, ...]:
        """What `owner` (a people key) may start or decide now, most urgent first."""
        return self.ready_by_owner.get(owner, ())


# -- the graph, cached until an amendment ------------------------------------------------


class _Graph:
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


def _us(moment: datetime, origin: datetime) -> int:
    return (moment - origin) // _US


def _graph(state: RunState, which: GraphName, origin: datetime) -> _Graph:
    ids = state.order if which == "plan" else state.rollback_order
    key = f"graph:{which}"
    graph = state.derived.get(key)
    if graph is None or graph.size != len(ids):
        graph = _build_graph(state, ids, which, origin)
        state.derived[key] = graph
    return graph


def _build_graph(state: RunState, ids: list[str], which: GraphName, origin: datetime) -> _Graph:
    steps = state.steps
    members = set(ids)
    after = {sid: [p for p in dict.fromkeys(steps[sid].after) if p in members] for sid in ids}
    order = topological_order(after)
    index = {sid: i for i, sid in enumerate(order)}
    file_position = {sid: n for n, sid in enumerate(ids)}
    g = _Graph()
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
    g.dur = [steps[sid].duration // _US for sid in order]
    g.not_before = [
        _us(steps[sid].not_before, origin) if steps[sid].not_before else None  # type: ignore[arg-type]
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
    g.tail = _tails(reversed(range(len(order))), g.preds, rel_start, rel_finish)
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


def _tails(
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


def _file_baseline(state: RunState, origin: datetime) -> tuple[dict[str, tuple[int, int]], int]:
    """The plan as written (plan.graph.baseline over the file's steps), in µs; never amended."""
    cached = state.derived.get("plan:baseline")
    if cached is None:
        plan = state.plan
        base = baseline(plan.step, plan.window.start)
        times = {
            sid: (_us(base.start[sid], origin), _us(base.finish[sid], origin)) for sid in base.start
        }
        cached = (times, _us(base.end, origin))
        state.derived["plan:baseline"] = cached
    return cached


def _plan_baseline(state: RunState, g: _Graph, origin: datetime) -> tuple[list[int], list[int]]:
    """File steps keep the file's baseline; a step added live is baselined after its
    predecessors' baselines, so that it shows where the plan as written would have put it."""
    file_times, _ = _file_baseline(state, origin)
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


class _Pass:
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


def _project(
    state: RunState, g: _Graph, t0: int, deadline: int, over: int, origin: datetime
) -> _Pass:
    n = len(g.ids)
    start = [0] * n
    finish = [t0] * n  # what a step closed by the status date shows its successors
    driver = [_BY_ACTUAL] * n
    code = [_PENDING] * n  # a list: indexing one is quicker than a bytearray
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
    closed, by_now, by_fixed, fresh, ran = _CLOSED, _BY_NOW, _BY_FIXED_START, FRESH, RanStep
    for i in range(n):
        st = states[i]
        if st is not fresh:
            if st.__class__ is ran:  # done in one go, most of a night: closed, as below
                code[i] = closed
                end = st.ended.at
                if end > t0_at:
                    finish[i] = (end - origin) // _US
                continue
            s = st.status
            if s == "done" or s == "skipped" or (s == "failed" and continues[i]):
                # Closed: successors start at the latest of the status date and their
                # predecessors' finish, so a finish before the status date counts as it.
                code[i] = closed
                end = st.finished_at
                if end > t0_at:  # type: ignore[operator]
                    finish[i] = (end - origin) // _US  # type: ignore[operator]
                continue
            if s == "running" or s == "suspended":
                is_open(i)
                _project_running(
                    st, s == "running", i, dur[i], t0, over, origin, start, finish, code, overrun
                )
                running.append(i)
                continue
            if s != "pending":  # failed, to be retried
                code[i] = _RETRY
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

    result = _Pass()
    # The backward pass over the open steps: a step's latest finish is the deadline less its
    # tail. A pending step (or one to retry) spans its budget, so when every edge from an open
    # step leads to one, the tails are the graph's own, worked out with its structure. That
    # is the rule, as a step starts only once its predecessors are closed; a step skipped (or
    # a comms step sent) ahead of them breaks it, and then fewer edges from open steps lead
    # into pending ones than leave open steps.
    if open_edges == sum(map(g.out_degree.__getitem__, opened)):
        result.tail = g.tail
    else:
        result.tail = _tails(reversed(opened), preds, start, finish)

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
        result.end = (max(st.finished_at for st in states) - origin) // _US  # type: ignore[type-var,operator]
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
    began = (st.started_at - origin) // _US  # type: ignore[operator]
    if running:
        elapsed = t0 - began - st.paused // _US
        resume = t0
        code[i] = _RUNNING
    else:
        elapsed = (st.suspended_at - origin) // _US - began - st.paused // _US  # type: ignore[operator]
        resume = t0
        if st.resume_eta is not None:
            resume = max(t0, (st.resume_eta - origin) // _US)
        code[i] = _SUSPENDED
    left = d - elapsed
    if left < 0:
        left = over
        overrun[i] = elapsed / d if d else 1.0
    start[i] = began
    finish[i] = resume + left


def _critical_path(p: _Pass) -> tuple[str, ...]:
    """One chain of open steps, from now to the last open step to finish."""
    code, finish = p.code, p.finish
    if not p.open:
        return ()
    # The first of the latest open steps: the first step to finish at the end (a scan in C)
    # if it is open, else a search among the open ones.
    last = finish.index(p.end)
    if code[last] == _CLOSED:
        last = max(p.open, key=finish.__getitem__)
    chain: list[str] = []
    while last >= 0 and code[last] != _CLOSED:
        chain.append(p.g.ids[last])
        last = p.driver[last]
    chain.reverse()
    return tuple(chain)


# -- the lazy mapping of StepTimes ---------------------------------------------------------


class _StepTimesMap(Mapping[str, StepTimes]):
    """StepTimes for every step, built on first access (a 5,000-step plan costs nothing
    until a pane asks for a step)."""

    # Everything it reads was captured when the schedule was made (the StepState objects of
    # the pass are replaced, not edited, by a later `apply`), so it keeps answering for that
    # moment while a follower folds new events into the same RunState.
    __slots__ = ("_built", "_ended", "_origin", "_passes", "_warning")

    def __init__(self, state: RunState, passes: list[_Pass], origin: datetime) -> None:
        self._passes = passes
        self._origin = origin
        self._warning = state.plan.window.warning // _US
        self._ended = state.phase == "ended"  # nothing is critical once the run is over
        self._built: dict[str, StepTimes] = {}

    def _locate(self, sid: str) -> tuple[_Pass, int]:
        for p in self._passes:
            i = p.g.index.get(sid)
            if i is not None:
                return p, i
        raise KeyError(sid)

    def __getitem__(self, sid: str) -> StepTimes:
        times = self._built.get(sid)
        if times is None:
            times = self._build(*self._locate(sid))
            self._built[sid] = times
        return times

    def __contains__(self, sid: object) -> bool:
        return any(sid in p.g.index for p in self._passes)

    def __iter__(self) -> Iterator[str]:
        for p in self._passes:
            yield from p.g.file_order

    def __len__(self) -> int:
        return sum(len(p.g.ids) for p in self._passes)

    def _build(self, p: _Pass, i: int) -> StepTimes:
        origin = self._origin
        sid = p.g.ids[i]
        st = p.states[i]
        code = p.code[i]

        def at(us: int) -> datetime:
            return origin + timedelta(microseconds=us)

        if p.g.name == "plan":
            base_start, base_finish = at(p.base_start[i]), at(p.base_finish[i])
        else:  # rollback: from the invocation, or from the last safe rollback start
            base_start = at(p.rollback_origin + p.g.rel_start[i])
            base_finish = at(p.rollback_origin + p.g.rel_finish[i])
        dur = p.g.dur[i]
        used: float | None = None
        start_us, finish_us = p.start[i], p.finish[i]
        if code == _CLOSED:  # its actual times, from its state
            finish_us = start_us = (st.finished_at - origin) // _US  # type: ignore[operator]
            overrun = False
            if st.status != "skipped" and st.started_at is not None:
                start_us = (st.started_at - origin) // _US
                took = finish_us - start_us - st.paused // _US
                overrun = took > dur
                used = took / dur if dur else 1.0
        else:
            overrun = i in p.overrun
        if code in (_RUNNING, _SUSPENDED):
            if overrun:
                used = p.overrun[i]
            else:
                until = (
                    p.t0 if code == _RUNNING else (st.suspended_at - origin) // _US  # type: ignore[operator]
                )
                elapsed = until - start_us - st.paused // _US
                used = elapsed / dur if dur else 1.0
        if code == _CLOSED:
            latest = slack = None
            level: Level = "late" if overrun else "on-track"
        else:
            slack_us = p.slack(i)
            latest, slack = at(p.latest_finish(i)), timedelta(microseconds=slack_us)
            if overrun or slack_us < 0:
                level = "late"
            elif (
                slack_us < self._warning
                or code == _RETRY
                or (used is not None and used > BUDGET_WARNING)
            ):
                level = "at-risk"
            else:
                level = "on-track"
        driver = p.driver[i]
        return StepTimes(
            step=sid,
            status=st.status,
            baseline_start=base_start,
            baseline_finish=base_finish,
            start=at(start_us),
            finish=at(finish_us),
            latest_finish=latest,
            slack=slack,
            critical=not self._ended and i in p.critical,
            level=level,
            overrun=overrun,
            retry=code == _RETRY,
            budget_used=used,
            driver=p.g.ids[driver] if driver >= 0 else None,
        )


# -- schedule ------------------------------------------------------------------------------


def schedule(
    state: RunState, now: datetime, *, overrun_minimum: timedelta = timedelta(minutes=5)
) -> Schedule:
    """Project every step of tonight's plan from `now` (an aware datetime) against the deadline."""
    plan = state.plan
    window = plan.window
    origin = window.start
    now_us = _us(now, origin)
    over = max(0, overrun_minimum // _US)
    end_us = _us(window.end, origin)
    warning = window.warning // _US
    phase = state.phase
    rollback_at = _us(state.rollback_at, origin) if state.rollback_at is not None else None
    ended_at = _us(state.ended_at, origin) if state.ended_at is not None else None

    # Status dates: the plan stops at the rollback (or the end); the rollback at the end.
    if rollback_at is not None:
        plan_t0 = rollback_at
    elif ended_at is not None:
        plan_t0 = ended_at
    else:
        plan_t0 = max(now_us, 0) if phase == "not-started" else now_us
    if rollback_at is not None:
        rollback_t0 = max(ended_at if ended_at is not None else now_us, rollback_at)
    else:
        rollback_t0 = plan_t0

    plan_graph = _graph(state, "plan", origin)
    rollback_graph = _graph(state, "rollback", origin)
    rollback_length = rollback_graph.length
    last_safe = end_us - rollback_length
    rto = plan.rollback.rto // _US if plan.rollback else 0
    rollback_origin = rollback_at if rollback_at is not None else rollback_t0
    rollback_deadline = min(rollback_origin + rto, end_us)

    plan_pass = _project(state, plan_graph, plan_t0, end_us, over, origin)
    passes = [plan_pass]
    rollback_pass = None
    if rollback_graph.ids:
        rollback_pass = _project(
            state, rollback_graph, rollback_t0, rollback_deadline, over, origin
        )
        rollback_pass.rollback_origin = rollback_at if rollback_at is not None else last_safe
        passes.append(rollback_pass)

    in_rollback = rollback_at is not None and rollback_pass is not None
    active = rollback_pass if in_rollback else plan_pass
    assert active is not None
    g = active.g
    if in_rollback:
        deadline = rollback_deadline
        baseline_finish = rollback_at + rollback_length  # type: ignore[operator]
    else:
        deadline = end_us
        baseline_finish = _file_baseline(state, origin)[1]
    projected = active.end
    buffer_left = deadline - projected
    delta = projected - baseline_finish
    if buffer_left < 0:
        level: Level = "late"
    elif buffer_left < warning or (
        not in_rollback and delta > 0 and buffer_left < window.buffer_time // _US
    ):
        level = "at-risk"
    else:
        level = "on-track"

    ready, running, failed, by_owner = _queues(state, active, now_us)

    def at(us: int) -> datetime:
        return origin + timedelta(microseconds=us)

    fired, armed = _triggers(state, now, passes, origin)
    steps_map = _StepTimesMap(state, passes, origin)
    return Schedule(
        now=now,
        as_of=at(active.t0),
        graph="rollback" if in_rollback else "plan",
        steps=steps_map,
        deadline=at(deadline),
        projected_finish=at(projected),
        baseline_finish=at(baseline_finish),
        delta=timedelta(microseconds=delta),
        buffer_left=timedelta(microseconds=buffer_left),
        level=level,
        percent_done=(active.closed_budget / g.total)
        if g.total
        else float(all(c == _CLOSED for c in active.code)),
        ready=ready,
        running=running,
        failed=failed,
        critical_path=() if phase == "ended" else _critical_path(active),
        rollback_length=timedelta(microseconds=rollback_length),
        last_safe_rollback_start=at(last_safe),
        rollback_time_left=at(last_safe) - now,
        back_out_finish=at(rollback_pass.end) if rollback_pass is not None else None,
        rollback_deadline=at(rollback_deadline) if in_rollback else None,
        rollback_met=(rollback_pass.end <= rollback_deadline)  # type: ignore[union-attr]
        if in_rollback
        else None,
        fired=fired,
        armed=armed,
        ready_by_owner=by_owner,
    )


def _queues(
    state: RunState, p: _Pass, now_us: int
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], dict[str, tuple[str, ...]]]:
    """Ready (least slack first, then file order), running and failed (file order), and the
    ready queue by owner."""
    g = p.g
    code, position = p.code, g.position
    ready: list[int] = []
    if state.phase in ("running", "rollback"):
        gate, not_before = g.gate, g.not_before
        ready = [
            i
            for i in p.unblocked
            # A gate that said no-go is not offered again; a fixed start waits for its time.
            if not (gate[i] and code[i] == _RETRY)
            and (not_before[i] is None or not_before[i] <= now_us)  # type: ignore[operator]
        ]
        ready.sort(key=position.__getitem__)
        ready.sort(key=p.slack)  # stable: file order among equal slack
    ids, owner = g.ids, g.owner
    by_owner: dict[str, list[str]] = {}
    for i in ready:
        queue = by_owner.get(owner[i])
        if queue is None:
            by_owner[owner[i]] = [ids[i]]
        else:
            queue.append(ids[i])
    running = sorted(p.running, key=position.__getitem__)
    failed = sorted(p.failed, key=position.__getitem__)
    return (
        tuple(ids[i] for i in ready),
        tuple(ids[i] for i in running),
        tuple(ids[i] for i in failed),
        {who: tuple(queue) for who, queue in by_owner.items()},
    )


# -- triggers ------------------------------------------------------------------------------


def _triggers(
    state: RunState, now: datetime, passes: list[_Pass], origin: datetime
) -> tuple[tuple[FiredTrigger, ...], tuple[ArmedTrigger, ...]]:
    plan = state.plan
    fired: list[FiredTrigger] = []
    armed: list[ArmedTrigger] = []
    when = state.when
    rollback_at, ended_at = state.rollback_at, state.ended_at
    active_graph = passes[-1] if rollback_at is not None and len(passes) > 1 else passes[0]

    def locate(sid: str) -> tuple[_Pass, int] | None:
        for p in passes:
            i = p.g.index.get(sid)
            if i is not None:
                return p, i
        return None

    for trigger in plan.trigger:
        sid = trigger.step
        step = state.steps.get(sid)
        st = state.status.get(sid)
        if step is None or st is None:
            continue
        # Nothing fires on a plan step after rollback, or on any step after the end.
        until = now
        if not step.rollback and rollback_at is not None:
            until = min(until, rollback_at)
        if ended_at is not None:
            until = min(until, ended_at)
        closed = st.closed or (
            st.status == "failed" and step.kind == "checkpoint" and step.on_fail == "continue"
        )
        hit: tuple[datetime, str] | None = None
        if trigger.condition == "running-over":
            limit = trigger.limit or _ZERO
            if st.started_at is not None and st.status not in ("pending", "skipped"):
                end = until if st.status in ("running", "suspended") else st.finished_at or until
                if end - st.started_at > limit:
                    if st.status in ("running", "suspended"):
                        how = (
                            f"{sid!r} has run {format_duration(end - st.started_at)} since "
                            f"{when(st.started_at)}, over its {format_duration(limit)} limit"
                        )
                    else:
                        how = (
                            f"{sid!r} ran {format_duration(end - st.started_at)} "
                            f"({when(st.started_at)}-{when(end)}), over its "
                            f"{format_duration(limit)} limit"
                        )
                    hit = (st.started_at + limit, how)
        elif trigger.condition == "failed":
            failed_at = st.failed_at or (st.finished_at if st.status == "failed" else None)
            if failed_at is not None:
                why = f": {st.reason}" if st.reason and st.status == "failed" else ""
                hit = (failed_at, f"{sid!r} failed at {when(failed_at)}{why}")
        else:  # not-done-by
            due = trigger.at
            assert due is not None
            if until > due and (
                not closed or (st.finished_at is not None and st.finished_at > due)
            ):
                if closed:
                    how = f"{sid!r} was done at {when(st.finished_at)}, after {when(due)}"
                else:
                    how = f"{sid!r} was not done by {when(due)}"
                hit = (due, how)
        recorded = state.fired.get(trigger.id)
        if hit is not None:
            fired.append(
                FiredTrigger(
                    trigger.id,
                    sid,
                    trigger.condition,
                    trigger.action,
                    hit[0],
                    hit[1],
                    recorded is not None,
                )
            )
            continue
        if recorded is not None:  # the conductor saw it, on its clock: believe the journal
            fired.append(
                FiredTrigger(
                    trigger.id,
                    sid,
                    trigger.condition,
                    recorded.action,
                    recorded.at,
                    recorded.reason,
                    True,
                )
            )
            continue
        if closed or state.phase == "ended" or sid not in active_graph.g.index:
            continue
        where = locate(sid)
        assert where is not None
        armed.append(_armed(state, trigger, where[0], where[1], now, origin))

    # A failed checkpoint whose on_fail is "rollback" calls for rollback by itself.
    signalled = {f.step for f in fired if f.action == "rollback" and f.condition == "failed"}
    for p in passes:
        for sid in p.g.rollback_checkpoints:
            st = state.status[sid]
            failed_at = st.failed_at or (st.finished_at if st.status == "failed" else None)
            if failed_at is None or sid in signalled:
                continue
            evidence = f": {st.evidence}" if st.evidence else ""
            fired.append(
                FiredTrigger(
                    None,
                    sid,
                    "checkpoint-failed",
                    "rollback",
                    failed_at,
                    f"checkpoint {sid!r} failed at {when(failed_at)}{evidence}; "
                    "its on_fail is rollback",
                    False,
                )
            )
    fired.sort(key=lambda f: f.fired_at)
    armed.sort(key=lambda a: (-a.closeness, a.time_left if a.time_left is not None else _MAX))
    return tuple(fired), tuple(armed)


_MAX = timedelta.max


def _armed(
    state: RunState, trigger: Trigger, p: _Pass, i: int, now: datetime, origin: datetime
) -> ArmedTrigger:
    st = state.status[trigger.step]
    sid = trigger.step
    action = trigger.action
    proj_start = origin + timedelta(microseconds=p.start[i])
    proj_finish = origin + timedelta(microseconds=p.finish[i])
    closeness = 0.0
    time_left: timedelta | None = None
    fires_at: datetime | None = None
    if trigger.condition == "running-over":
        limit = trigger.limit
        describe = f"{action} if {sid} runs over {format_duration(limit)}"
        if st.status in ("running", "suspended") and st.started_at is not None:
            due = st.started_at + limit
            time_left = due - now
            closeness = (now - st.started_at) / limit if limit else 1.0
            projected = proj_finish > due
        else:
            due = proj_start + limit
            projected = proj_finish - proj_start > limit
        fires_at = due if projected else None
    elif trigger.condition == "not-done-by":
        due = trigger.at
        describe = f"{action} if {sid} is not done by {state.when(due)}"
        time_left = due - now
        since = state.started_at or state.plan.window.start
        closeness = (now - since) / (due - since) if due > since else 1.0
        projected = proj_finish > due
        fires_at = due if projected else None
    else:
        describe = f"{action} if {sid} fails"
        projected = False
    return ArmedTrigger(
        trigger=trigger.id,
        step=sid,
        condition=trigger.condition,
        action=action,
        closeness=min(1.0, max(0.0, closeness)),
        time_left=time_left,
        fires_at=fires_at,
        projected_to_fire=projected,
        describe=describe,
    )


__all__ = ["ArmedTrigger", "FiredTrigger", "Level", "Schedule", "StepTimes", "schedule"]

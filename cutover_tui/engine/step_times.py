"""StepTimes, one step on tonight's timeline, and the lazy map of them a Schedule holds.

A Schedule's `steps` builds each StepTimes from its pass (`engine.schedule_passes`) when a
pane first asks for it: a 5,000-step plan costs nothing for the steps nobody looks at.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, NamedTuple

from .runstate import RunState, StepStatus
from .schedule_passes import CLOSED, PENDING, RETRY, RUNNING, SUSPENDED, US, Pass

Level = Literal["on-track", "at-risk", "late"]

BUDGET_WARNING = 0.8  # a running step past this fraction of its budget is at risk


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


# -- the lazy mapping of StepTimes ---------------------------------------------------------


class StepTimesMap(Mapping[str, StepTimes]):
    """StepTimes for every step, built on first access (a 5,000-step plan costs nothing
    until a pane asks for a step)."""

    # Everything it reads was captured when the schedule was made (the StepState objects of
    # the pass are replaced, not edited, by a later `apply`), so it keeps answering for that
    # moment while a follower folds new events into the same RunState.
    __slots__ = ("_built", "_ended", "_origin", "_passes", "_warning")

    def __init__(self, state: RunState, passes: list[Pass], origin: datetime) -> None:
        self._passes = passes
        self._origin = origin
        self._warning = state.plan.window.warning // US
        self._ended = state.phase == "ended"  # nothing is critical once the run is over
        self._built: dict[str, StepTimes] = {}

    def _locate(self, sid: str) -> tuple[Pass, int]:
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

    def _build(self, p: Pass, i: int) -> StepTimes:
        origin = self._origin

        def at(us: int) -> datetime:
            return origin + timedelta(microseconds=us)

        f = self._figures(p, i)
        return StepTimes(
            step=p.g.ids[i],
            status=p.states[i].status,
            baseline_start=at(f.base_start),
            baseline_finish=at(f.base_finish),
            start=at(f.start),
            finish=at(f.finish),
            latest_finish=None if f.latest is None else at(f.latest),
            slack=None if f.slack is None else timedelta(microseconds=f.slack),
            critical=not self._ended and i in p.critical,
            level=f.level,
            overrun=f.overrun,
            retry=p.code[i] == RETRY,
            budget_used=f.used,
            driver=p.g.ids[p.driver[i]] if p.driver[i] >= 0 else None,
        )

    def _figures(self, p: Pass, i: int) -> _Figures:
        """Step `i`'s times in µs from the window start, and its level: what `_build` and
        `span` need, without a datetime per figure."""
        origin = self._origin
        st = p.states[i]
        code = p.code[i]
        if p.g.name == "plan":
            base_start, base_finish = p.base_start[i], p.base_finish[i]
        else:  # rollback: from the invocation, or from the last safe rollback start
            base_start = p.rollback_origin + p.g.rel_start[i]
            base_finish = p.rollback_origin + p.g.rel_finish[i]
        dur = p.g.dur[i]
        used: float | None = None
        start_us, finish_us = p.start[i], p.finish[i]
        if code == CLOSED:  # its actual times, from its state
            finish_us = start_us = (st.finished_at - origin) // US  # type: ignore[operator]
            overrun = False
            if st.status != "skipped" and st.started_at is not None:
                start_us = (st.started_at - origin) // US
                took = finish_us - start_us - st.off_clock // US
                overrun = took > dur
                used = took / dur if dur else 1.0
        else:
            overrun = i in p.overrun
        if code in (RUNNING, SUSPENDED):
            if overrun:
                used = p.overrun[i]
            else:
                if code == RUNNING:
                    elapsed = p.t0 - start_us - st.off_clock // US
                else:
                    stopped = (st.suspended_at - origin) // US  # type: ignore[operator]
                    elapsed = stopped - start_us - st.off_clock_to_suspension // US
                used = elapsed / dur if dur else 1.0
        latest: int | None = None
        slack_us: int | None = None
        if code == CLOSED:
            level: Level = "late" if overrun else "on-track"
        else:
            slack_us = p.slack(i)
            latest = p.latest_finish(i)
            if overrun or slack_us < 0:
                level = "late"
            elif (
                slack_us < self._warning
                or code == RETRY
                or (used is not None and used > BUDGET_WARNING)
            ):
                level = "at-risk"
            else:
                level = "on-track"
        return _Figures(
            base_start, base_finish, start_us, finish_us, latest, slack_us, level, overrun, used
        )

    def span(self, sids: Iterable[str], kept: dict | None = None) -> Span:
        """The earliest start, latest finish (projected and baseline) and the levels of a
        group of steps (a phase on the timeline): one pass over integers, no StepTimes each
        (a 5,000-step plan's phases took 100 ms through StepTimes, every refresh). `kept`
        holds the figures of closed plan steps from one call to the next, by their StepState
        (replaced, never edited, when the step changes): pass `state.derived`."""
        closed: dict[str, tuple[object, tuple]] = {}
        if kept is not None:
            closed = kept.setdefault("span:closed", {})
        starts: list[int] = []
        finishes: list[int] = []
        base_starts: list[int] = []
        base_finishes: list[int] = []
        levels: set[str] = set()
        warning = self._warning
        for sid in sids:
            p, i = self._locate(sid)
            if p.code[i] == PENDING and p.g.name == "plan":
                # Most of a plan's open steps: `_figures` for a pending step, inline.
                f_us = p.finish[i]
                slack = p.deadline - p.tail[i] - f_us
                starts.append(p.start[i])
                finishes.append(f_us)
                base_starts.append(p.base_start[i])
                base_finishes.append(p.base_finish[i])
                levels.add("late" if slack < 0 else "at-risk" if slack < warning else "on-track")
                continue
            st = p.states[i]
            hit = closed.get(sid)
            if hit is not None and hit[0] is st:
                f = hit[1]
            else:
                g = self._figures(p, i)
                f = (g.base_start, g.base_finish, g.start, g.finish, g.level)
                if kept is not None and p.code[i] == CLOSED and p.g.name == "plan":
                    closed[sid] = (st, f)
            base_starts.append(f[0])
            base_finishes.append(f[1])
            starts.append(f[2])
            finishes.append(f[3])
            levels.add(f[4])
        start = min(starts, default=None)
        if start is None:
            raise ValueError("a span of no steps")

        def at(us: int) -> datetime:
            return self._origin + timedelta(microseconds=us)

        return Span(
            at(start),
            at(max(finishes)),
            at(min(base_starts)),
            at(max(base_finishes)),
            frozenset(levels),
        )


class _Figures(NamedTuple):
    base_start: int
    base_finish: int
    start: int
    finish: int
    latest: int | None
    slack: int | None
    level: Level
    overrun: bool
    used: float | None


class Span(NamedTuple):
    """A group of steps on the timeline: from its first start to its last finish."""

    start: datetime
    finish: datetime
    base_start: datetime
    base_finish: datetime
    levels: frozenset[str]

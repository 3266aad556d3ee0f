"""StepTimes, one step on tonight's timeline, and the lazy map of them a Schedule holds.

A Schedule's `steps` builds each StepTimes from its pass (`engine.schedule_passes`) when a
pane first asks for it: a 5,000-step plan costs nothing for the steps nobody looks at.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from .runstate import RunState, StepStatus
from .schedule_passes import CLOSED, RETRY, RUNNING, SUSPENDED, US, Pass

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
        if code == CLOSED:  # its actual times, from its state
            finish_us = start_us = (st.finished_at - origin) // US  # type: ignore[operator]
            overrun = False
            if st.status != "skipped" and st.started_at is not None:
                start_us = (st.started_at - origin) // US
                took = finish_us - start_us - st.paused // US
                overrun = took > dur
                used = took / dur if dur else 1.0
        else:
            overrun = i in p.overrun
        if code in (RUNNING, SUSPENDED):
            if overrun:
                used = p.overrun[i]
            else:
                until = (
                    p.t0 if code == RUNNING else (st.suspended_at - origin) // US  # type: ignore[operator]
                )
                elapsed = until - start_us - st.paused // US
                used = elapsed / dur if dur else 1.0
        if code == CLOSED:
            latest = slack = None
            level: Level = "late" if overrun else "on-track"
        else:
            slack_us = p.slack(i)
            latest, slack = at(p.latest_finish(i)), timedelta(microseconds=slack_us)
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
            retry=code == RETRY,
            budget_used=used,
            driver=p.g.ids[driver] if driver >= 0 else None,
        )

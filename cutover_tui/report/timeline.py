"""The night planned against actual, per step and per phase, from the folded journal.

Planned times are the schedule's baselines: the plan's steps as the file placed them from
the window's start, rollback steps from the moment rollback was invoked. A step's variance is
its actual duration against its budget; its slip, its actual finish against the planned one
(what it did to whatever came after it). A gate's actual is its meeting, from when it could
meet (engine.timings.timed_start), as in `cutover rehearsals`. A phase runs from its first
step's start to its last step's finish. A meeting and a phase count only the time that passed:
the host clock's recorded jumps inside them are left out, as a step's duration leaves them out
(RunState.real_span). Pure: the review (report/review.py) and the exports read these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..engine.compact import initial_state
from ..engine.schedule import Schedule, schedule
from ..engine.state import RunState
from ..engine.timings import ticked_off, timed_start

TICKED_OFF = "ticked off"  # the actual column of a step done without a timing


@dataclass(frozen=True)
class StepLine:
    id: str
    title: str
    phase: str  # a phase id, "rollback", or "" when the plan has no phases
    owner: str
    kind: str
    status: str
    planned_start: datetime
    planned_finish: datetime
    actual_start: datetime | None
    actual_finish: datetime | None
    budget: timedelta
    actual: timedelta | None  # time it ran, suspended time taken out; None if not timed
    on_planned_critical_path: bool
    rollback: bool
    added: bool  # added live, not in the file
    # Done without a timing (engine/timings.ticked_off): its span is no time it ran, as
    # `cutover rehearsals` leaves it out (review, 2026-12-02: the review said 0m, -100 %).
    ticked_off: bool = False

    @property
    def variance(self) -> timedelta | None:
        """Actual against budget: positive ran long."""
        return None if self.actual is None else self.actual - self.budget

    @property
    def slip(self) -> timedelta | None:
        """Actual finish against the planned finish: positive finished late."""
        return None if self.actual_finish is None else self.actual_finish - self.planned_finish


@dataclass(frozen=True)
class PhaseLine:
    id: str
    title: str
    planned_start: datetime
    planned_finish: datetime
    actual_start: datetime | None
    actual_finish: datetime | None  # None unless every step of it closed
    jumped: timedelta = timedelta(0)  # host clock jumps recorded inside it: no time passed

    @property
    def planned(self) -> timedelta:
        return self.planned_finish - self.planned_start

    @property
    def actual(self) -> timedelta | None:
        if self.actual_start is None or self.actual_finish is None:
            return None
        return self.actual_finish - self.actual_start - self.jumped

    @property
    def variance(self) -> timedelta | None:
        return None if self.actual is None else self.actual - self.planned

    @property
    def slip(self) -> timedelta | None:
        return None if self.actual_finish is None else self.actual_finish - self.planned_finish


def planned_schedule(state: RunState) -> Schedule:
    """The plan as the file has it, before anything happened: its baseline and critical path."""
    return schedule(initial_state(state.plan), state.plan.window.start)


def step_lines(final: RunState, end: datetime) -> list[StepLine]:
    """Every step that ran or was planned: the plan's, then the rollback's once invoked."""
    planned = planned_schedule(final)
    now_sched = schedule(final, end)
    critical = set(planned.critical_path)
    ids = list(final.order) + (list(final.rollback_order) if final.rollback_at else [])
    out = []
    for sid in ids:
        step, st = final.steps[sid], final.status[sid]
        base = planned.steps.get(sid) if not step.rollback and not step.added else None
        times = base or now_sched.steps[sid]
        ended = st.status in ("done", "failed")
        start = timed_start(final, sid) if ended else st.started_at
        untimed = ticked_off(step, st)
        out.append(
            StepLine(
                id=sid,
                title=step.title,
                phase="rollback" if step.rollback else (step.phase or ""),
                owner=step.owner,
                kind=step.kind,
                status=st.status,
                planned_start=times.baseline_start,
                planned_finish=times.baseline_finish,
                actual_start=start,
                actual_finish=st.finished_at if ended else None,
                budget=step.duration,
                actual=_actual(final, sid, start) if ended and not untimed else None,
                on_planned_critical_path=sid in critical,
                rollback=step.rollback,
                added=step.added,
                ticked_off=untimed,
            )
        )
    return out


def _actual(final: RunState, sid: str, start: datetime | None) -> timedelta | None:
    """A gate's meeting (from when it could meet to its decision); any other step's time
    running, suspended time taken out. Neither counts a host clock jump."""
    st = final.status[sid]
    if final.steps[sid].kind == "gate" and start is not None and st.finished_at is not None:
        return final.real_span(start, st.finished_at)
    return st.actual


def phase_lines(final: RunState, steps: list[StepLine]) -> list[PhaseLine]:
    """The plan's phases (and the rollback as one), each spanning its steps."""
    titles = {p.id: p.title for p in final.plan.phase}
    if final.rollback_at is not None:
        titles["rollback"] = "Rollback"
    out = []
    for pid, title in titles.items():
        mine = [s for s in steps if s.phase == pid]
        if not mine:
            continue
        starts = [s.actual_start for s in mine if s.actual_start is not None]
        closed = all(final.status[s.id].closed for s in mine)
        finishes = [s.actual_finish for s in mine if s.actual_finish is not None]
        start = min(starts) if starts else None
        finish = max(finishes) if closed and finishes else None
        out.append(
            PhaseLine(
                id=pid,
                title=title,
                planned_start=min(s.planned_start for s in mine),
                planned_finish=max(s.planned_finish for s in mine),
                actual_start=start,
                actual_finish=finish,
                jumped=_jumped(final, start, finish),
            )
        )
    return out


def _jumped(final: RunState, start: datetime | None, finish: datetime | None) -> timedelta:
    """The wall time inside a span that did not pass (the host clock's recorded jumps)."""
    if start is None or finish is None:
        return timedelta(0)
    return finish - start - final.real_span(start, finish)


def biggest_variances(steps: list[StepLine], count: int = 5) -> list[StepLine]:
    """The steps that ran longest over their budgets, worst first (none that ran short)."""
    over = [s for s in steps if s.variance is not None and s.variance > timedelta(0)]
    return sorted(over, key=lambda s: s.variance, reverse=True)[:count]  # type: ignore[arg-type, return-value]

"""Which finished steps are timings, and which are tick-offs after the fact.

A step started and completed "live" (each recorded as it happened, no `--at`) a few seconds
apart was not timed: somebody ticked it off after doing it. Its span says nothing of how long
the work took, so the night's pace, the rehearsal comparison and calibration leave it out
(counting it would say a 55-minute load ran in 20 seconds). A step whose times were given with
`--at` is a timing, however short: somebody said when it started and ended; unless it started
and ended at one moment (the same `--at` twice), which says only that it was done.

The rule, for a step with a budget: started and completed live, and apart by less than
`TICK_OFF` (when that is under half the budget: a 1-minute step may well take 40 s), or by
less than `TICK_OFF_SHARE` of its budget (a 5-hour step "done" in 10 minutes).

A gate's time is its meeting: the engine opens a gate only at its first decision, so its own
start is the meeting's end; it is timed from the moment it could meet (`timed_start`), in the
rehearsal comparison and the review alike, and so are the phases it opens. The night's pace
times a gate by its decisions, unless they came at once (`decided_at_once`): then, as a step
done at one moment, it is done without a timing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .events import Event
    from .state import PlannedStep, RunState, StepState

LIVE = timedelta(seconds=5)  # recorded this close to its `at`: as it happened, not with --at
TICK_OFF = timedelta(seconds=60)
TICK_OFF_SHARE = 0.05


def recorded_live(event: Event) -> bool:
    """Recorded as it happened (not a late tick-off with --at); unknown (no recorded_at,
    an event never journalled) counts as not live, so its times stand."""
    recorded = event.recorded_at
    return recorded is not None and abs(recorded - event.at) <= LIVE


def ticked_off(step: PlannedStep, st: StepState) -> bool:
    """Whether a done step's span is a tick-off, not a timing (see the module's doc)."""
    if st.status != "done" or st.started_at is None or st.finished_at is None:
        return False
    budget = step.duration
    if budget <= timedelta(0) or step.kind == "gate":
        return False  # a gate opens and closes at its decision: its time is its meeting
    return _no_time_given(st, budget)


def decided_at_once(step: PlannedStep, st: StepState) -> bool:
    """Whether a gate done was decided at once: its approvers' decisions at one moment, or
    live seconds apart. Its span, first decision to last, is then no meeting's length, so the
    night's pace does not time it, as it does not time a step done at one moment (a 5-minute
    gate decided by two approvers 3 s apart was a "0.0x outlier")."""
    if st.status != "done" or st.started_at is None or st.finished_at is None:
        return False
    return step.kind == "gate" and _no_time_given(st, step.duration)


def _no_time_given(st: StepState, budget: timedelta) -> bool:
    """A done span that is no timing: one moment, or live and seconds apart."""
    assert st.started_at is not None and st.finished_at is not None
    span = st.finished_at - st.started_at  # as recorded: a tick-off is about the records
    if span <= timedelta(0):
        return True  # started and done at one moment, even with --at: no time was given
    if not (st.start_live and st.finish_live):
        return False
    return (span < TICK_OFF and span < budget / 2) or span < budget * TICK_OFF_SHARE


def tick_offs(state: RunState, ids: list[str] | None = None) -> list[str]:
    """The done steps (of `ids`, default all) whose spans are tick-offs, in order."""
    return [
        sid
        for sid in (state.all_ids() if ids is None else ids)
        if ticked_off(state.steps[sid], state.status[sid])
    ]


def tick_offs_said(state: RunState, ids: list[str]) -> str:
    """How the tick-offs `ids` were recorded, for "N ticked off: ...": at one moment (the
    same --at twice) is not "seconds after starting"."""
    spans = [_span(state.status[sid]) for sid in ids]
    at_once = sum(span <= timedelta(0) for span in spans)
    if at_once == len(spans):
        return "started and completed at one moment"
    return "started and completed " + ("at one moment or " if at_once else "") + "seconds apart"


def _span(st: StepState) -> timedelta:
    assert st.started_at is not None and st.finished_at is not None  # done: ticked_off
    return st.finished_at - st.started_at


def meeting_from(state: RunState, sid: str) -> datetime:
    """When a gate could meet: the run's start (or the rollback's), its predecessors and its
    criteria that are steps done, its fixed start."""
    step = state.steps[sid]
    moments = [state.started_at or state.plan.window.start]
    if step.rollback and state.rollback_at is not None:
        moments.append(state.rollback_at)
    for other in [*step.after, *step.criteria]:
        done = state.status.get(other)
        if done is not None and done.finished_at is not None:
            moments.append(done.finished_at)
    if step.not_before is not None:
        moments.append(step.not_before)
    return max(moments)


def timed_start(state: RunState, sid: str) -> datetime | None:
    """Where the step's time starts: a decided gate's from when it could meet (never after
    its decision), any other step's from its start."""
    st = state.status[sid]
    if state.steps[sid].kind == "gate" and st.finished_at is not None:
        return min(meeting_from(state, sid), st.finished_at)
    return st.started_at

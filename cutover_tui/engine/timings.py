"""Which finished steps are timings, and which are tick-offs after the fact.

A step started and completed "live" (each recorded as it happened, no `--at`) a few seconds
apart was not timed: somebody ticked it off after doing it. Its span says nothing of how long
the work took, so the night's pace, the rehearsal comparison and calibration leave it out
(counting it would say a 55-minute load ran in 20 seconds). A step whose times were given with
`--at` is a timing, however short: somebody said when it started and ended.

The rule, for a step with a budget: started and completed live, and apart by less than
`TICK_OFF` (when that is under half the budget: a 1-minute step may well take 40 s), or by
less than `TICK_OFF_SHARE` of its budget (a 5-hour step "done" in 10 minutes).
"""

from __future__ import annotations

from datetime import timedelta
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
    if budget <= timedelta(0) or not (st.start_live and st.finish_live):
        return False
    span = st.finished_at - st.started_at  # as recorded: a tick-off is about the records
    return (span < TICK_OFF and span < budget / 2) or span < budget * TICK_OFF_SHARE


def tick_offs(state: RunState, ids: list[str] | None = None) -> list[str]:
    """The done steps (of `ids`, default all) whose spans are tick-offs, in order."""
    return [
        sid
        for sid in (state.all_ids() if ids is None else ids)
        if ticked_off(state.steps[sid], state.status[sid])
    ]

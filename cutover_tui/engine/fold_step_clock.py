"""Time off a step's clock, folded: a suspension (the span it stood still, counted when it
resumes) and the host clock's recorded jumps (wall time that did not pass). Both are left out
of the time a step ran (`StepState.off_clock`): its budget, its running-over triggers, its
duration. Part of the fold (engine/fold.py's `_APPLY` names these)."""

from __future__ import annotations

import math
from datetime import timedelta

from ..plan.limits import MAX_AT_REACH
from .compact import copied
from .events import ClockJumped, StepResumed, StepSuspended
from .runstate import RunState


def suspended(state: RunState, e: StepSuspended) -> None:
    st = state.status[e.step]
    st.status = "suspended"
    st.suspended_at, st.resume_eta = e.at, e.eta
    st.suspend_jumped = timedelta(0)
    st.reason = e.reason


def resumed(state: RunState, e: StepResumed) -> None:
    st = state.status[e.step]
    if st.suspended_at is not None:
        # The wall span less the jumps recorded meanwhile: `jumped` takes those out already.
        st.paused += max(timedelta(0), e.at - st.suspended_at - st.suspend_jumped)
    st.suspend_jumped = timedelta(0)
    st.status = "running"
    st.suspended_at = st.resume_eta = None


MAX_JUMP_S = MAX_AT_REACH.total_seconds()  # a jump counted; summed, kept in date arithmetic


def clock_jumped(state: RunState, e: ClockJumped) -> None:
    """The wall clock moved by `e.seconds` that did not pass: each step running (or suspended)
    across it notes them, so its running-over triggers, its budget and its duration count
    only the time that did (StepState.off_clock)."""
    if not math.isfinite(e.seconds) or abs(e.seconds) > MAX_JUMP_S:
        return  # a forged row (NaN, 1e300): no host jumps so far; it made the run unreadable
    step = timedelta(seconds=e.seconds)
    for sid, st in state.status.items():
        if st.status in ("running", "suspended") and abs(st.jumped + step) <= MAX_AT_REACH:
            st = state.status[sid] = copied(st)
            st.jumped += step
            if st.status == "suspended":
                st.suspend_jumped += step

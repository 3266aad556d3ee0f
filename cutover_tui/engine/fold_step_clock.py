"""Time off a step's clock, folded: a suspension (the span it stood still, counted when it
resumes) and the host clock's recorded jumps (wall time that did not pass). Both are left out
of the time a step ran (`StepState.off_clock`): its budget, its running-over triggers, its
duration. Part of the fold (engine/fold.py's `_APPLY` names these). Each piece is kept with
its moment too (`StepState.pauses`, `jumps`), so the step can be read as it stood at a moment
past (`stood_at`, for engine/alarm.rewind)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from ..plan.limits import MAX_AT_REACH
from .compact import copied
from .events import ClockJumped, StepResumed, StepSuspended
from .runstate import Jump, Pause, RunState, StepState


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
        counted = max(timedelta(0), e.at - st.suspended_at - st.suspend_jumped)
        st.paused += counted
        st.pauses = (*st.pauses, Pause(st.suspended_at, e.at, counted, st.resume_eta))
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
    # Spans across steps leave it out too (the review's). A new list: a shallow copy of the
    # state (rehearse/simulate's scratch) shares the old one.
    state.clock_jumps = [*state.clock_jumps, (e.at, step)]
    for sid, st in state.status.items():
        if st.status in ("running", "suspended") and abs(st.jumped + step) <= MAX_AT_REACH:
            st = state.status[sid] = copied(st)
            st.jumped += step
            if st.status == "suspended":
                st.suspend_jumped += step
            st.jumps = (*st.jumps, Jump(e.at, step, st.status == "suspended"))


def stood_at(st: StepState, at: datetime) -> StepState:
    """A step started by `at` and not closed by then, as it stood at `at`: running, or
    suspended if one of its suspensions spans `at`, with only the time off its clock that
    was recorded by then (engine/alarm.rewind: the odds as they were at a moment past)."""
    pauses = tuple(p for p in st.pauses if p.since <= at)
    ended = tuple(p for p in pauses if p.until <= at)
    jumps = tuple(j for j in st.jumps if j.at <= at)
    since, eta = None, None
    if len(ended) < len(pauses):  # a suspension that ended after `at`
        since, eta = pauses[len(ended)].since, pauses[len(ended)].eta
    elif st.suspended_at is not None and st.suspended_at <= at:  # the one that still lasts
        since, eta = st.suspended_at, st.resume_eta
    zero = timedelta(0)
    return StepState(
        status="running" if since is None else "suspended",
        started_at=st.started_at,
        started_by=st.started_by,
        attempts=max(1, st.attempts),
        started_mono=st.started_mono,
        start_live=st.start_live,
        suspended_at=since,
        resume_eta=eta,
        paused=sum((p.counted for p in ended), zero),
        jumped=sum((j.by for j in jumps), zero),
        suspend_jumped=sum((j.by for j in jumps if since and j.suspended and j.at >= since), zero),
        pauses=ended,
        jumps=jumps,
    )

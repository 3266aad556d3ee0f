"""Recorded times within the run's life: the rule `check` applies to every event's `at`.

A person may record something late (`--at`, a late tick-off), but not something that cannot
have happened: before the run started, a step finished (failed, suspended, passed) before
it started, resumed before it was suspended, retried before it failed, a rollback step
started before rollback was invoked or before a step it waits for ended, or anything
later than now. "Now" is the moment of
recording (the journal stamps `recorded_at` before it checks), with a small allowance for
hosts whose clocks disagree. A refusal names the person and both times.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..plan.durations import format_duration
from ..plan.limits import MAX_WINDOW
from ..plan.zones import hm
from .events import (
    DERIVED_TYPES,
    CheckpointFailed,
    CheckpointPassed,
    Event,
    GateDecided,
    RunStarted,
    StepCompleted,
    StepFailed,
    StepResumed,
    StepStarted,
    StepSuspended,
)
from .spoken_zone import spoken_zone
from .timings import recorded_live

if TYPE_CHECKING:
    from .state import RunState

CLOCK_SKEW = timedelta(minutes=2)  # how far ahead of the recording host's clock a time may be

_ENDS = (StepCompleted, StepFailed, StepSuspended, CheckpointPassed, CheckpointFailed)
_WHAT = {
    "step-completed": "the completion",
    "step-failed": "the failure",
    "step-suspended": "the suspension",
    "checkpoint-passed": "the pass",
    "checkpoint-failed": "the failure",
    "step-resumed": "the resumption",
    "step-started": "the start",
}


def time_problem(state: RunState, event: Event, now: datetime | None) -> str | None:
    """Why `event.at` cannot be true (None when it can). `now` None: no future check."""
    at = event.at
    who = state.name(event.actor)
    # A simulation's RunStarted is dated at its window's start by design (its `recorded_at`
    # is the real moment that anchors the simulated clock): not a time in the future.
    simulated = isinstance(event, RunStarted) and event.simulated
    if now is not None and at > now + CLOCK_SKEW and not simulated:
        told, now_told = stamps(state, at, now)
        return (
            f"{who} dated {_what(event)} {told}, later than now "
            f"({now_told}); a time may be at most {format_duration(CLOCK_SKEW)} ahead"
        )
    if isinstance(event, RunStarted) or event.type in DERIVED_TYPES:
        return None  # the conductor's times are when something came due, worked out
    if state.started_at is not None and at < state.started_at:
        told, started = stamps(state, at, state.started_at)
        return f"{who} dated {_what(event)} {told}, before the run started at {started}"
    return _step_problem(state, event, who)


def _step_problem(state: RunState, event: Event, who: str) -> str | None:
    sid = event.step_id
    st = state.status.get(sid) if sid is not None else None
    if st is None:
        return None
    at = event.at
    earlier: tuple[str, datetime | None] = ("", None)
    if isinstance(event, _ENDS) and st.status in ("running", "suspended"):
        earlier = ("it started", st.started_at)
    elif isinstance(event, StepResumed):
        earlier = ("it was suspended", st.suspended_at)
    elif isinstance(event, StepStarted):
        if st.status == "failed":
            earlier = ("it failed", st.finished_at)
        elif state.steps[sid].rollback and _before(at, state.rollback_at):
            earlier = ("rollback was invoked", state.rollback_at)
        else:
            earlier = _last_predecessor(state, event)
    elif st.status == "pending" and isinstance(event, (*_ENDS, GateDecided)):
        earlier = _last_predecessor(state, event)  # begun and ended in one (a tick-off)
    if isinstance(event, StepSuspended) and event.eta and event.eta - at > MAX_WINDOW:
        return (
            f"{who} expects {sid!r} back at {stamp(state, event.eta)}, more than "
            f"{MAX_WINDOW.days} days after the suspension: an ETA is within a window's length"
        )
    since, moment = earlier
    if moment is not None and at < moment:
        told, then = stamps(state, at, moment)
        return f"{who} dated {_what(event)} of {sid!r} {told}, before {since} at {then}"
    return None


def _before(at: datetime, moment: datetime | None) -> bool:
    return moment is not None and at < moment


def _last_predecessor(state: RunState, event: Event) -> tuple[str, datetime | None]:
    """The predecessor that closed last, when `event` begins its step before that: a step
    cannot have begun before the steps it waits for had ended (a late `--at` once put a
    start minutes before its predecessor's completion, and the timeline drew them
    overlapping). A start recorded live gets the clock skew allowed a time ahead: its
    predecessor may have been closed from a host whose clock runs that much ahead."""
    allowance = CLOCK_SKEW if recorded_live(event) else timedelta(0)
    latest: tuple[str, datetime | None] = ("", None)
    for pred in state.steps[event.step_id].after:
        st = state.status.get(pred)  # its end: done, skipped, or failed and gone past
        finished = st.finished_at if st is not None else None
        too_early = finished is not None and event.at + allowance < finished
        if too_early and (latest[1] is None or finished > latest[1]):
            latest = (f"its predecessor {pred!r} ended", finished)
    return latest


def _what(event: Event) -> str:
    return _WHAT.get(event.type, f"this {event.type}")


def stamps(state: RunState, moment: datetime, other: datetime) -> tuple[str, str]:
    """Two times a refusal sets against each other, with their seconds when their minutes
    are the same ("16:59, before it started at 16:59" read as no refusal at all)."""
    told = stamp(state, moment), stamp(state, other)
    if told[0] != told[1]:
        return told
    return stamp(state, moment, seconds=True), stamp(state, other, seconds=True)


def stamp(state: RunState, moment: datetime, *, seconds: bool = False) -> str:
    """HH:MM in the plan's zone (a viewer's inside `told_in`), with the date when it is more
    than a day from the run's start (a time 11 days off must not read as tonight) or before
    it on an earlier date ("dated 18:00, before the run started at 07:57" read as a
    contradiction: it was yesterday's 18:00, typed with a +14:00 offset)."""
    ref = state.started_at or state.plan.window.start
    try:
        local = moment.astimezone(spoken_zone(state.plan.zone))
    except OverflowError:  # a moment at the very end of what dates can hold
        return moment.isoformat()
    # names BST or GMT in the hour a clock change repeats
    clock = hm(local, local.tzinfo, seconds=True) if seconds else state.when(local)
    same_night = moment >= ref or local.date() == ref.astimezone(local.tzinfo).date()
    if abs(moment - ref) < timedelta(days=1) and same_night:
        return clock
    return f"{local:%Y-%m-%d} {clock}"

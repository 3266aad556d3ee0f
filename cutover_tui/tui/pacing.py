"""When the war room works the run out again: on news, and on the clock's boundaries that matter.

Between two events only the clock moves, and what the panes show changes at known moments: a
running step's budget end, an armed trigger's fire time, the last safe rollback start, the
window's start and end, and the countdowns, which are shown in whole minutes (rounded, so
`left 5m` becomes `4m` half a minute before a whole 4 minutes are left) and in seconds under a
minute and a half. `next_boundary` names the first such moment after `now`; `RecomputeGate`
says whether a tick must recompute (a new event, an amendment, a boundary crossed, a clock
that went back) or only move the status line's clock. Every other figure that moves with the
clock (an elapsed time, a bar edge) is refreshed at least once a minute of the run's clock.

Headless: no textual import, no clock read; `now` is passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..engine.schedule import Schedule
from ..engine.state import RunState

MINUTE = timedelta(minutes=1)
# A countdown is shown rounded to the minute: `k` minutes from k:29.5 left down to (k-1):30;
# at k:29 left (a whole second, so rounding a half never decides) it reads the new figure.
HALF = timedelta(seconds=29)
SECOND = timedelta(seconds=1)
SECONDS_BELOW = timedelta(seconds=90)  # a countdown this close is shown to the second


def next_minute(now: datetime) -> datetime:
    """The next whole minute after `now` (whole minutes of UTC: every zone but a few
    historical ones changes its minute at the same instant)."""
    floor = now.astimezone(UTC).replace(second=0, microsecond=0)
    return floor + MINUTE


def countdown_change(anchor: datetime, now: datetime) -> datetime | None:
    """The next moment after `now` at which a countdown to `anchor`, shown rounded to the
    minute (`format_duration`), shows another figure; None once `anchor` has passed."""
    left = anchor - now
    if left <= timedelta(0):
        return None
    if left <= SECONDS_BELOW:
        # Seconds are shown under a minute; a second's step is the finest that is shown.
        return now + timedelta(seconds=1) - timedelta(microseconds=now.microsecond)
    # The rounded figure drops when `left` falls through k minutes and 29 seconds.
    steps = (left - HALF) // MINUTE
    change = anchor - HALF - steps * MINUTE
    return change if change > now else change + MINUTE


def moments(state: RunState, sched: Schedule) -> Iterable[datetime]:
    """The moments at which the run changes by the clock alone (a budget runs out, a trigger
    fires, the rollback point or the window's end passes)."""
    window = state.plan.window
    yield window.start
    yield window.end
    yield sched.deadline
    if state.rollback_order:
        yield sched.last_safe_rollback_start
    for sid in sched.running:
        st = state.status[sid]
        if st.started_at is not None:
            yield st.started_at + st.off_clock + state.steps[sid].duration
    for armed in sched.armed:
        if armed.fires_at is not None:
            yield armed.fires_at


def next_boundary(state: RunState, sched: Schedule, now: datetime) -> datetime:
    """The first moment after `now` at which a recompute could show something new."""
    candidates = [next_minute(now)]
    for moment in moments(state, sched):
        # At the moment and just after it: a trigger fires, a step overruns, only once its
        # moment has passed (strictly), so one recompute exactly on it shows nothing yet.
        candidates.extend(m for m in (moment, moment + SECOND) if m > now)
    if any(a.fires_at is not None and a.fires_at <= now for a in sched.armed):
        candidates.append(now + SECOND)  # projected to have fired, and not yet: look again
    if state.phase != "ended":
        for anchor in (state.plan.window.end, sched.deadline, sched.last_safe_rollback_start):
            change = countdown_change(anchor, now)
            if change is not None:
                candidates.append(change)
    return min(candidates)


def marker(state: RunState) -> tuple[int, int, int]:
    """What changes whenever an event is folded in (or the plan is amended)."""
    return (id(state), state.event_count, state.revision)


@dataclass
class RecomputeGate:
    """Remembers the last recompute and says when the next one is due."""

    done_at: datetime | None = None
    due_at: datetime | None = None
    seen: tuple[int, int, int] | None = None
    recomputes: int = 0  # how many recomputes it let through (tests and benchmarks read it)

    def due(self, state: RunState, now: datetime) -> bool:
        return (
            self.done_at is None
            or self.due_at is None
            or marker(state) != self.seen
            or now < self.done_at  # the clock went back (a test, a corrected host clock)
            or now >= self.due_at
        )

    def done(self, state: RunState, sched: Schedule, now: datetime) -> None:
        self.recomputes += 1
        self.done_at = now
        self.seen = marker(state)
        self.due_at = next_boundary(state, sched, now)


__all__ = ["RecomputeGate", "countdown_change", "marker", "next_boundary", "next_minute"]

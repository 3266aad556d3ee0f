"""What time alone has made true, for the conductor to write: each running step's budget end,
fired triggers, the rollback point, the deadline, the window warning, incidents' escalations
(`derived_events`); the moments the next of those falls due (`next_due`); and `Checked`, the
heartbeat's note of when it last looked, so it skips the schedule while nothing can be due.
Pure: the state, its schedule and `now` in, events and moments out (clock/conductor.py writes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..engine.escalation import due_incident_events, incident_moments
from ..engine.events import CONDUCTOR, BudgetExceeded, Event, TriggerFired, WindowAlert
from ..engine.schedule import Schedule
from ..engine.state import RunState
from ..plan.durations import format_duration

_ZERO = timedelta(0)


def derived_events(state: RunState, sched: Schedule, now: datetime) -> list[Event]:
    """What time alone has made true by `now` and the log does not say yet."""
    if state.phase not in ("running", "rollback"):
        return []
    out: list[Event] = []
    for sid in sched.running:
        st, step = state.status[sid], state.steps[sid]
        if st.status != "running" or st.started_at is None:
            continue
        crossed = st.started_at + st.off_clock + step.duration  # a jump is not time run
        if crossed <= now and st.over_budget_attempt < st.attempts:
            out.append(
                BudgetExceeded(
                    actor=CONDUCTOR,
                    at=crossed,
                    step=sid,
                    attempt=st.attempts,
                    key=f"budget:{sid}:{st.attempts}",
                )
            )
    for fired in sched.fired:
        if fired.trigger and not fired.recorded and fired.fired_at <= now:
            out.append(
                TriggerFired(
                    actor=CONDUCTOR,
                    at=fired.fired_at,
                    trigger=fired.trigger,
                    step=fired.step,
                    action=fired.action,
                    reason=fired.reason,
                    key=f"trigger:{fired.trigger}",
                )
            )
    window = state.plan.window
    when = state.when
    alerts: list[tuple[str, datetime, str]] = []
    if state.phase == "running" and state.rollback_order:
        point = sched.last_safe_rollback_start
        alerts.append(
            (
                "rollback-point",
                point,
                f"the last safe rollback start {when(point)} has passed: "
                f"a rollback from now ends after the deadline",
            )
        )
    alerts.append(("deadline", window.end, f"the window closed at {when(window.end)}"))
    for alert, due, text in alerts:
        if due <= now and alert not in state.alerts:
            out.append(
                WindowAlert(actor=CONDUCTOR, at=due, alert=alert, text=text, key=f"alert:{alert}")
            )
    if _breach_near(state, sched) and "breach-warning" not in state.alerts:
        # The window warning: the projected finish came within `window.warning` of the
        # deadline (or past it). Raised once; the screens keep showing the live level.
        if sched.buffer_left < _ZERO:
            text = (
                f"projected finish {when(sched.projected_finish)} is past the deadline "
                f"{when(sched.deadline)} by {format_duration(-sched.buffer_left)}"
            )
        else:
            text = (
                f"projected finish {when(sched.projected_finish)} leaves "
                f"{format_duration(sched.buffer_left)} before the deadline {when(sched.deadline)} "
                f"(the window warning is {format_duration(window.warning)})"
            )
        out.append(
            WindowAlert(
                actor=CONDUCTOR,
                at=now,
                alert="breach-warning",
                text=text,
                key="alert:breach-warning",
            )
        )
    # Incidents opened, escalated, reminded: engine/escalation.py
    out.extend(due_incident_events(state, now))
    return out


def _breach_near(state: RunState, sched: Schedule) -> bool:
    return sched.buffer_left < state.plan.window.warning


def next_due(state: RunState, sched: Schedule, now: datetime) -> list[datetime]:
    """The moments after `now` at which `derived_events` will have something new."""
    moments: list[datetime] = []
    for sid in sched.running:
        st = state.status[sid]
        if st.status == "running" and st.started_at is not None:
            moments.append(st.started_at + st.off_clock + state.steps[sid].duration)
    moments.extend(a.fires_at for a in sched.armed if a.fires_at is not None)
    if state.phase == "running":
        moments.append(sched.last_safe_rollback_start)
        if "breach-warning" not in state.alerts and not _breach_near(state, sched):
            # When the buffer would fall under the warning if the projection slides with the
            # clock (an overrunning step): re-planned, so an early guess costs one tick.
            moments.append(now + (sched.buffer_left - state.plan.window.warning))
    moments.append(state.plan.window.end)
    moments.extend(incident_moments(state))
    return sorted(m for m in moments if m > now)


RECHECK = timedelta(minutes=1)  # of the run's clock: the longest a heartbeat goes unchecked


@dataclass
class Checked:
    """The last look at what came due: while no event arrives and the clock has not reached
    the next moment `next_due` named (or a minute, whichever is first), the heartbeat skips
    the schedule (a 20,000-step plan's costs tens of milliseconds, every second)."""

    seen: tuple[int, int, int] | None = None  # (id(state), last_seq, revision)
    at: datetime | None = None
    until: datetime | None = None

    def due(self, state: RunState, now: datetime) -> bool:
        return (
            self.at is None
            or self.until is None
            or self.seen != (id(state), state.last_seq, state.revision)
            or not self.at <= now < self.until
        )

    def done(self, state: RunState, now: datetime, moments: list[datetime]) -> None:
        self.seen = (id(state), state.last_seq, state.revision)
        self.at = now
        self.until = min([now + RECHECK, *moments[:1]])  # `now` itself: due next heartbeat

"""`rewind` (engine/alarm.py) reads a step's clock as it stood then: its suspensions and the
host clock's jumps up to that moment, no more and no fewer.

Found in review (2026-12-03): rewind rebuilt every step running at the moment asked as
plainly running, without its time suspended (`paused`) or the clock's jumps (`jumped`). The
alarm's history of odds (LATE's hysteresis, `w`'s "since") and the rehearsals' stated odds
(rehearse/reliability.py) then read a step suspended for 50 minutes as having run them:
prep-1 (30m), suspended ten minutes in and resumed at 23:00, had "run" 1h05m at 23:05, not
15 minutes.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cutover_tui.engine.alarm import rewind
from cutover_tui.engine.events import (
    ClockJumped,
    StepCompleted,
    StepResumed,
    StepStarted,
    StepSuspended,
)
from cutover_tui.engine.state import fold
from cutover_tui.plan import parse_plan
from tests.test_foresight import SLOW_START, T0, night, plan_text

PLAN = parse_plan(plan_text(10, SLOW_START)).plan
MINUTE = timedelta(minutes=1)


def at(minutes: float):
    return T0 + minutes * MINUTE


def test_a_step_resumed_has_not_run_its_suspension() -> None:
    events, _ = night(PLAN, {})
    events += [
        StepStarted(actor="lead", at=at(0), step="prep-1"),
        StepSuspended(actor="lead", at=at(10), step="prep-1", reason="vendor", eta=at(60)),
        StepResumed(actor="lead", at=at(60), step="prep-1"),
        ClockJumped(actor="conductor", at=at(62), seconds=120.0, key="j"),
    ]
    past, _ = rewind(fold(PLAN, events), at(65))
    assert past.status["prep-1"].ran_by(at(65)) == 13 * MINUTE  # 10 + 5, less the 2m jump
    # In the middle of its suspension it stood suspended, ten minutes run, its ETA given.
    past, _ = rewind(fold(PLAN, events), at(30))
    then = past.status["prep-1"]
    assert (then.status, then.resume_eta) == ("suspended", at(60))
    assert then.ran_by(at(30)) == 10 * MINUTE


# One step's clock: started, then suspensions, resumptions and host clock jumps, maybe done.
moves = st.lists(
    st.tuples(st.sampled_from(["suspend", "resume", "jump"]), st.integers(1, 40)),
    max_size=8,
)


def one_steps_night(steps: list[tuple[str, int]], finish: bool) -> list:
    events, _ = night(PLAN, {})
    events.append(StepStarted(actor="lead", at=at(0), step="prep-1"))
    now, suspended = 0, False
    for n, (move, gap) in enumerate(steps):
        now += gap
        if move == "suspend" and not suspended:
            eta = at(now + 30)
            events.append(
                StepSuspended(actor="lead", at=at(now), step="prep-1", reason="r", eta=eta)
            )
            suspended = True
        elif move == "resume" and suspended:
            events.append(StepResumed(actor="lead", at=at(now), step="prep-1"))
            suspended = False
        elif move == "jump":
            seconds = 60.0 * (gap % 7 - 3)  # back or forward a few minutes
            events.append(ClockJumped(actor="conductor", at=at(now), seconds=seconds, key=f"j{n}"))
    if finish:
        events.append(StepCompleted(actor="lead", at=at(now + 1), step="prep-1"))
    return events


@settings(max_examples=60, deadline=None)
@given(moves, st.booleans(), st.integers(0, 400))
def test_rewound_clock_is_the_clock_folded_up_to_then(steps, finish, minute) -> None:
    """The step as rewind reads it at any moment is the step folded from the events up to
    that moment: its status, its time run, its time off the clock and its suspension."""
    events = one_steps_night(steps, finish)
    moment = at(minute / 10 * 4)  # every moment of the night, off the minutes too
    past, _ = rewind(fold(PLAN, events), moment)
    then = fold(PLAN, [e for e in events if e.at <= moment]).status["prep-1"]
    now = past.status["prep-1"]
    if then.status == "pending":
        return
    assert now.status == then.status
    assert now.ran_by(moment) == then.ran_by(moment)
    assert (now.off_clock, now.off_clock_to_suspension) == (
        then.off_clock,
        then.off_clock_to_suspension,
    )
    assert (now.suspended_at, now.resume_eta) == (then.suspended_at, then.resume_eta)

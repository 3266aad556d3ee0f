"""The odds' LATE on real nights, under hypothesis (engine/alarm.py through engine/foresight.py):
whatever the steps' times, LATE is never raised on less than its evidence floor, clears only
above its margin, and every process given the same recorded times says the same."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cutover_tui.engine.alarm import MARGIN, MIN_STEPS, MIN_WORK, evidence_of, grid_step, rewind
from cutover_tui.engine.forecast import Forecaster
from cutover_tui.engine.foresight import Thresholds, foresee
from cutover_tui.engine.pace import infer_pace
from cutover_tui.engine.state import apply, fold, initial_state
from cutover_tui.plan import parse_plan
from tests.test_foresight import SLOW_START, T0, night, plan_text

PLAN = parse_plan(plan_text(10, SLOW_START)).plan  # 10 steps, 7 h of budgets, 10 h window
LINE = Thresholds().late_below
ratios = st.lists(st.floats(0.7, 2.4, allow_nan=False), min_size=10, max_size=10)
SETTINGS = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def watch(step_ratios: list[float], every: int = 1):
    """Walk a night on the alarm grid with one long-lived state and forecaster (a war room
    open all night): yields (now, events so far, the long-lived state, its foresight)."""
    events, _ = night(PLAN, {s.id: r for s, r in zip(PLAN.step, step_ratios, strict=True)})
    end = max(e.at for e in events)
    state = initial_state(PLAN)
    forecaster = Forecaster(iterations=150, seed=3)
    grid = grid_step(state)
    k, i = 0, 0
    now = T0
    while now <= end:
        while k < len(events) and events[k].at <= now:
            apply(state, events[k])
            k += 1
        if i % every == 0:
            yield now, events[:k], state, foresee(state, now, forecaster)
        i += 1
        now = T0 + i * grid


@SETTINGS
@given(ratios)
def test_late_is_never_raised_on_less_than_the_evidence_floor(step_ratios) -> None:
    for now, _, state, sight in watch(step_ratios):
        alarm = sight.alarm
        if alarm is None or not alarm.late:
            continue
        assert sight.level == "late"
        assert alarm.evidence.steps >= MIN_STEPS and alarm.evidence.work >= MIN_WORK, now
        assert alarm.raised is not None and alarm.raised <= now
        past, _ = rewind(state, alarm.raised)  # the evidence as it stood when LATE was raised
        then = evidence_of(past, infer_pace(past, alarm.raised))
        assert then.steps >= MIN_STEPS and then.work >= MIN_WORK, alarm.raised


@SETTINGS
@given(ratios)
def test_late_clears_only_above_the_margin(step_ratios) -> None:
    was_late = False
    for now, _, _, sight in watch(step_ratios):
        late = sight.alarm is not None and sight.alarm.late
        if was_late and not late and sight.alarm is not None:
            assert sight.p_in_window >= LINE + MARGIN, now
        was_late = late


@SETTINGS
@given(ratios, st.integers(0, 2))
def test_every_process_agrees_given_the_same_recorded_times(step_ratios, offset) -> None:
    """`cutover status` at any moment (a fresh fold, a fresh forecaster) says what a war room
    open since the start says: the alarm's history is worked out from the recorded times."""
    for n, (now, events, _, sight) in enumerate(watch(step_ratios, every=1)):
        if n % 3 != offset:
            continue
        fresh = foresee(fold(PLAN, events), now, Forecaster(iterations=150, seed=3))
        assert (fresh.level, fresh.reason) == (sight.level, sight.reason), now
        assert fresh.p_in_window == sight.p_in_window
        a, b = fresh.alarm, sight.alarm
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            assert (a.late, a.since, a.raised) == (b.late, b.since, b.raised), now


def test_a_slow_night_does_raise_late() -> None:
    """The properties above are not vacuous: a night 1.9 times its budgets raises LATE."""
    sights = [s for *_, s in watch([1.9] * 10)]
    assert any(s.alarm is not None and s.alarm.late for s in sights)
    assert timedelta(0) < grid_step(initial_state(PLAN))

"""The alarm's walk past the window's end (engine/alarm_after.py) answers as the per-point walk
did: the old `settle`, kept here as the oracle, against the new one on generated runs started
days before the window, inside it or after its end, with steps done, running, failed or
skipped, at several moments."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cutover_tui.engine import alarm
from cutover_tui.engine.alarm import (
    MARGIN,
    Alarm,
    Evidence,
    _odds_at,
    _prior_key,
    _words,
    evidence_of,
    grid_step,
    settle,
)
from cutover_tui.engine.events import (
    RunStarted,
    StepCompleted,
    StepFailed,
    StepSkipped,
    StepStarted,
)
from cutover_tui.engine.forecast import Forecaster
from cutover_tui.engine.pace import PacePrior, infer_pace
from cutover_tui.engine.state import fold
from cutover_tui.plan import parse_plan
from tests.test_foresight import T0, plan_text

MINUTE = timedelta(minutes=1)
PHASES = [("prep", "Preparation", 2, 20), ("move", "Data move", 3, 30)]


def old_settle(state, now, p_now, pace_now, late_below, forecaster, prior) -> Alarm:
    """`alarm.settle` before engine/alarm_after.py: a forecast at every grid point."""
    evidence = evidence_of(state, pace_now)
    clear_at = late_below + MARGIN
    if p_now >= clear_at or state.started_at is None:
        return Alarm(False, p_now < late_below, None, None, evidence, "")
    step = grid_step(state)
    start = max(state.plan.window.start, state.started_at)
    origin = state.plan.window.start
    k = math.floor((now - origin) / step)
    if origin + k * step >= now:
        k -= 1
    history: list[tuple[datetime, float, Evidence]] = [(now, p_now, evidence)]
    prior_key = _prior_key(prior)
    while k >= 0:
        at = origin + k * step
        if at < start:
            break
        p, ev = _odds_at(state, at, forecaster, prior, prior_key)
        history.append((at, p, ev))
        if p >= clear_at:
            break
        k -= 1
    history.reverse()
    points = [(at, p, ev.enough) for at, p, ev in history]
    late, run, since, raised = alarm.replay(points, late_below, state.plan.window.end, step)
    text = _words(state, late, p_now, late_below, since, raised, run, evidence, step)
    return Alarm(late, p_now < late_below, since, raised, evidence, text)


step_taken = st.tuples(st.integers(0, 40), st.floats(0.5, 4.0))  # (idle minutes, x budget)


@st.composite
def runs(draw):
    """(plan, events, nows): a serial night started `begin` minutes after the window opened
    (negative: before it), its first steps finished, the next one open in some way."""
    hours = draw(st.sampled_from([4, 8]))  # a 2.5- or 5-minute grid
    plan = parse_plan(plan_text(hours, PHASES)).plan
    begin = draw(st.integers(-2 * 1440, hours * 60 + 1440))
    at = T0 + begin * MINUTE
    events = [RunStarted(actor="lead", at=at, plan_id=plan.plan.id)]
    taken = draw(st.lists(step_taken, min_size=draw(st.integers(0, 5)), max_size=5))
    for step, (idle, ratio) in zip(plan.step, taken, strict=False):
        at += idle * MINUTE
        events.append(StepStarted(actor="lead", at=at, step=step.id))
        at += step.duration * ratio
        events.append(StepCompleted(actor="lead", at=at, step=step.id))
    if len(taken) < len(plan.step):
        nxt = plan.step[len(taken)].id
        left = draw(st.sampled_from(["pending", "running", "failed", "skipped"]))
        if left != "pending":
            events.append(StepStarted(actor="lead", at=at, step=nxt))
        if left in ("failed", "skipped"):
            at += draw(st.integers(1, 60)) * MINUTE
            kind = StepFailed if left == "failed" else StepSkipped
            events.append(kind(actor="lead", at=at, step=nxt, reason="no"))
    # Moments after the last event: soon after it, or hours after the window's end.
    since = st.sampled_from([at, max(at, plan.window.end)])
    later = st.tuples(since, st.integers(0, 4 * 60)).map(lambda s: s[0] + s[1] * MINUTE)
    return plan, events, sorted(draw(st.lists(later, min_size=1, max_size=3, unique=True)))


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(runs(), st.sampled_from([0.2, 0.35, 0.6, 0.9]))
def test_the_walk_past_the_end_answers_as_a_forecast_per_point(run, late_below) -> None:
    plan, events, nows = run
    prior = PacePrior()
    watching = Forecaster(iterations=64, seed=3)  # one process across the moments, as a war room
    for now in nows:
        state = fold(plan, events)
        pace = infer_pace(state, now, prior)
        sim = watching.simulate(state, now, slowness=pace.slowness)
        p_now = watching.summarise(state, sim).p_in_window
        oracle = Forecaster(iterations=64, seed=3)  # its own cache: nothing shared
        (new, new_points), (old, old_points) = (
            replayed(settle, state, now, p_now, pace, late_below, watching, prior),
            replayed(old_settle, state, now, p_now, pace, late_below, oracle, prior),
        )
        # The same odds and evidence at every grid point walked, not only the same verdict.
        assert new_points == old_points, now
        assert new == old, (now, new, old)


def replayed(settling, *args) -> tuple[Alarm, list]:
    """The alarm, and the grid points (moment, odds, enough) it was replayed from."""
    seen: list = []
    saved = alarm.replay

    def keep(points, *rest):
        seen.append(list(points))
        return saved(points, *rest)

    alarm.replay = keep
    try:
        return settling(*args), seen
    finally:
        alarm.replay = saved


def test_a_run_days_past_its_window_needs_no_forecast_per_point(monkeypatch) -> None:
    """Three days past the end of a 4-hour window (1,700 grid points), a step running: the
    walk forecasts the window's points, not the days after it."""
    plan = parse_plan(plan_text(4, PHASES)).plan
    events = [RunStarted(actor="lead", at=T0, plan_id=plan.plan.id)]
    at = T0
    for step in plan.step[:3]:
        events.append(StepStarted(actor="lead", at=at, step=step.id))
        at += step.duration * 2
        events.append(StepCompleted(actor="lead", at=at, step=step.id))
    events.append(StepStarted(actor="lead", at=at, step=plan.step[3].id))
    state = fold(plan, events)
    now = plan.window.end + timedelta(days=3)
    forecaster, prior = Forecaster(iterations=64, seed=3), PacePrior()
    pace = infer_pace(state, now, prior)
    counted = []

    def counting(*args):
        counted.append(args[1])
        return _odds_at(*args)

    monkeypatch.setattr(alarm, "_odds_at", counting)
    result = settle(state, now, 0.0, pace, 0.35, forecaster, prior)
    assert result.late and result.raised is not None
    assert len(counted) <= 97 and all(at <= plan.window.end for at in counted)

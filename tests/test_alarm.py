"""The odds' LATE with hysteresis and evidence (engine/alarm.py): a sustained spell below the
line, enough finished work, a margin to clear, and one truth from (journal state, now)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cutover_tui.engine import alarm
from cutover_tui.engine.alarm import (
    MARGIN,
    MIN_STEPS,
    SPELL_POINTS,
    grid_step,
    replay,
    rewind,
    spell_needed,
)
from cutover_tui.engine.forecast import Forecaster
from cutover_tui.engine.foresight import Thresholds, foresee
from cutover_tui.engine.state import fold
from cutover_tui.plan import parse_plan
from tests.test_foresight import SLOW_START, T0, night, plan_text

LINE = Thresholds().late_below
CLEAR = LINE + MARGIN
MINUTE = timedelta(minutes=1)

odds = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


def points(ps: list[float], enough: bool | list[bool] = True):
    flags = enough if isinstance(enough, list) else [enough] * len(ps)
    return [(T0 + i * 5 * MINUTE, p, e) for i, (p, e) in enumerate(zip(ps, flags, strict=True))]


def longest_run_below(ps: list[float]) -> int:
    best = run = 0
    for p in ps:
        run = run + 1 if p < LINE else 0
        best = max(best, run)
    return best


@given(st.lists(odds, max_size=40))
def test_never_late_without_a_sustained_spell_below_the_line(ps: list[float]) -> None:
    late, *_ = replay(points(ps), LINE)
    if longest_run_below(ps) < SPELL_POINTS:
        assert not late


@given(st.lists(odds, max_size=30), odds)
def test_one_ticks_noise_never_flips_the_alarm(ps: list[float], p: float) -> None:
    """One more tick raises LATE only if it completes a spell below the line, and clears it
    only if it is above the clearing line: a single dip or a single jump is noise."""
    before, *_ = replay(points(ps), LINE)
    after, *_ = replay(points([*ps, p]), LINE)
    if after and not before:
        assert all(q < LINE for q in [*ps, p][-SPELL_POINTS:]) and len(ps) + 1 >= SPELL_POINTS
    if before and not after:
        assert p >= CLEAR


@given(st.integers(SPELL_POINTS, 10), st.lists(st.floats(LINE, CLEAR - 1e-9), max_size=20))
def test_late_holds_until_the_margin_is_cleared(spell: int, hovering: list[float]) -> None:
    late, *_ = replay(points([0.1] * spell + hovering), LINE)
    assert late  # above the line again, but not above the clearing line: still LATE
    late, *_ = replay(points([0.1] * spell + hovering + [CLEAR]), LINE)
    assert not late


@settings(max_examples=50)
@given(st.integers(SPELL_POINTS, 10))
def test_late_waits_for_enough_evidence(spell: int) -> None:
    thin = points([0.05] * spell, enough=False)
    assert replay(thin, LINE)[0] is False
    grows = points([0.05] * spell, enough=[False] * (spell - 1) + [True])
    assert replay(grows, LINE)[0] is True


# -- on a night ---------------------------------------------------------------------------


def slow_night(ratio: float = 1.7):
    """A 10-hour window, 7 hours of budgets, every step `ratio` times its budget."""
    plan = parse_plan(plan_text(10, SLOW_START)).plan
    return plan, {s.id: ratio for s in plan.step}


def moments(plan, ratios, minutes: range):
    """(now, state) at each minute of `minutes`, the events recorded by then."""
    events, _ = night(plan, ratios)
    for m in minutes:
        now = T0 + m * MINUTE
        yield now, fold(plan, [e for e in events if e.at <= now])


def test_late_comes_after_a_spell_and_every_process_agrees() -> None:
    plan, ratios = slow_night()
    watching = Forecaster(iterations=300, seed=7)  # a war room open all night
    first_below = first_late = None
    for now, state in moments(plan, ratios, range(95, 285, 10)):
        ours = foresee(state, now, watching)
        fresh = foresee(state, now, Forecaster(iterations=300, seed=7))  # `cutover status`
        assert (ours.level, ours.reason) == (fresh.level, fresh.reason), now
        if ours.p_in_window < LINE and first_below is None:
            first_below = now
            assert ours.level == "at-risk"  # below the line, not yet LATE
            assert "LATE if they stay there until" in ours.reason
        if ours.level == "late" and first_late is None:
            first_late = now
            assert ours.alarm is not None and ours.alarm.evidence.enough
            assert f"LATE since {state.when(ours.alarm.raised)}" in ours.reason
            assert ours.alarm.since is not None and ours.alarm.raised is not None
            spell = ours.alarm.raised - ours.alarm.since  # the last point may be now itself
            assert spell > (SPELL_POINTS - 2) * grid_step(state)
    assert first_below is not None and first_late is not None and first_late > first_below


def test_thin_evidence_says_at_risk_and_why() -> None:
    plan = parse_plan(plan_text(10, SLOW_START)).plan
    # The first step has run 6 times its budget and is still running: odds are low, but the
    # pace stands on no finished step.
    events, now = night(plan, {}, running="prep-1", ran=180)
    result = foresee(fold(plan, events), now, Forecaster(iterations=500, seed=7))
    assert result.p_in_window < LINE, result.reason
    assert result.level == "at-risk"
    assert result.alarm is not None and not result.alarm.evidence.enough
    assert f"LATE waits for {MIN_STEPS} steps" in result.reason


def test_rewind_reads_the_run_as_its_step_times_say_it_stood() -> None:
    plan, ratios = slow_night()
    events, _ = night(plan, ratios)
    state = fold(plan, events)
    at = T0 + 100 * MINUTE  # prep-1 (51 min) done, prep-2 running, the rest pending
    past, signature = rewind(state, at)
    assert [past.status[s.id].status for s in plan.step[:3]] == ["done", "running", "pending"]
    then = fold(plan, [e for e in events if e.at <= at])
    assert rewind(then, at)[1] == signature  # the same evidence, whatever came after
    assert state.status["prep-2"].status == "done"  # the state itself is untouched


def test_a_late_tick_off_changes_the_history_it_belongs_to() -> None:
    plan, ratios = slow_night()
    events, _ = night(plan, ratios)
    state = fold(plan, events)
    at = T0 + 100 * MINUTE
    _, signature = rewind(state, at)
    moved = [e for e in events if not (e.type == "step-completed" and e.step == "prep-1")]
    _, other = rewind(fold(plan, moved), at)
    assert other != signature


def test_w_says_how_sure_the_estimate_is() -> None:
    from cutover_tui.tui.frame import Frame
    from cutover_tui.tui.screens.foresight import reasoning

    plan, ratios = slow_night()
    [(now, state)] = list(moments(plan, ratios, range(170, 171)))
    frame = Frame.at(state, now, "lead", Forecaster(iterations=300, seed=7))
    text = "\n".join(str(part) for part in reasoning(frame) if hasattr(part, "plain"))
    assert "Sureness  the pace stands on 3 finished steps (21 % of the planned work)" in text
    assert f"{SPELL_POINTS} checks in a row below the line" in text


# -- a spell sized by the time left (alarm.SPELL_SHARE) --------------------------------------


@given(st.floats(0.0, 0.5), st.floats(0.0, 2000.0), st.floats(0.0, 2000.0))
def test_the_spell_shortens_as_the_window_runs_out(share: float, a: float, b: float) -> None:
    """Never shorter than SPELL_POINTS, never longer with less of the window left."""
    saved = alarm.SPELL_SHARE
    alarm.SPELL_SHARE = share
    try:
        need_a, need_b = spell_needed(a, 5.0), spell_needed(b, 5.0)
    finally:
        alarm.SPELL_SHARE = saved
    assert min(need_a, need_b) >= SPELL_POINTS
    if a <= b:
        assert need_a <= need_b


@given(st.floats(0.01, 0.5), st.lists(odds, max_size=40))
def test_a_spell_sized_by_the_time_left_never_raises_late_sooner(
    share: float, ps: list[float]
) -> None:
    """The share only adds to SPELL_POINTS: LATE comes at the same point or later, and an
    early spell that is long enough without the share may not be long enough with it."""
    pts = points(ps)
    end = T0 + 480 * MINUTE  # an 8-hour window, 5-minute grid
    without = replay(pts, LINE, end, 5 * MINUTE)
    saved = alarm.SPELL_SHARE
    alarm.SPELL_SHARE = share
    try:
        with_share = replay(pts, LINE, end, 5 * MINUTE)
        first = [replay(pts[: i + 1], LINE, end, 5 * MINUTE)[0] for i in range(len(pts))]
    finally:
        alarm.SPELL_SHARE = saved
    assert without[:2] == replay(pts, LINE)[:2]  # share 0: the fixed spell
    if True in first:
        k = first.index(True)
        assert replay(pts[: k + 1], LINE)[0]  # raised with the share: raised without it
    if with_share[0] and without[0]:
        assert with_share[3] >= without[3]


def test_a_spell_early_in_the_night_needs_its_share_of_the_time_left() -> None:
    end = T0 + 480 * MINUTE
    saved = alarm.SPELL_SHARE
    alarm.SPELL_SHARE = 0.1  # 10 % of 8 hours left: 48 minutes, 10 points of 5 min
    try:
        assert spell_needed(480 * MINUTE, 5 * MINUTE) == 10
        # From the window's start the spell completes at its 9th point (440 min left: 9)
        assert replay(points([0.1] * 8), LINE, end, 5 * MINUTE)[0] is False
        assert replay(points([0.1] * 9), LINE, end, 5 * MINUTE)[0] is True
    finally:
        alarm.SPELL_SHARE = saved
    assert replay(points([0.1] * SPELL_POINTS), LINE, end, 5 * MINUTE)[0] is True

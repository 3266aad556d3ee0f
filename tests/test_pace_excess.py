"""The excess of tonight's steps over the pace model's scatter (engine/pace_excess.py): its
shrinkage, its weighting by length, and what it does to the forecast of a lopsided night."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cutover_tui.engine.pace import PacePrior, infer_pace
from cutover_tui.engine.pace_excess import excess, mean_scatter
from cutover_tui.engine.state import fold
from cutover_tui.plan import parse_plan
from tests.test_foresight import night, plan_text

MINUTES = st.lists(st.floats(1.0, 300.0), min_size=1, max_size=40)


def test_no_finished_step_no_excess() -> None:
    assert excess(np.zeros(0), np.zeros(0)) == 0.0


@settings(max_examples=60, deadline=None)
@given(MINUTES, st.floats(0.3, 3.0))
def test_the_excess_follows_the_evidence_and_is_shrunk(expected, ratio) -> None:
    expected = np.array(expected)
    raw = math.log(ratio)
    shrunk = excess(expected * ratio, expected)
    assert math.copysign(1, shrunk) == math.copysign(1, raw) or abs(raw) < 1e-12
    assert abs(shrunk) <= abs(raw) + 1e-12  # never beyond what the steps say
    # More steps of the same kind: closer to what they say.
    more = excess(np.tile(expected * ratio, 4), np.tile(expected, 4))
    assert abs(more) >= abs(shrunk) - 1e-12
    assert excess(expected * ratio, expected, pseudo_steps=math.inf) == 0.0


def test_one_long_step_is_about_one_step_of_evidence() -> None:
    # A 4-hour step and twenty 1-minute ones: barely more evidence than the long step alone.
    expected = np.array([240.0] + [1.0] * 20)
    alone = excess(np.array([480.0]), np.array([240.0]))
    with_short = excess(expected * 2, expected)
    assert with_short < 1.2 * alone


def test_mean_scatter_is_the_forecasts_own() -> None:
    assert mean_scatter(np.array([0.0]), 4.0)[0] == 1.0
    wide, narrow = mean_scatter(np.array([0.4, 0.1]), 4.0)
    assert wide > narrow > 1.0
    # Same figure in every call (fixed draws), so every process agrees.
    assert mean_scatter(np.array([0.2]), 4.0)[0] == mean_scatter(np.array([0.2]), 4.0)[0]


def test_a_lopsided_night_draws_the_rest_longer_without_moving_the_pace() -> None:
    # 30 steps of 10m: 24 on budget, 6 snags of 3x (one in five: far more than the model's).
    plan = parse_plan(plan_text(12, [("work", "Work", 40, 10)])).plan
    ratios = {s.id: (3.0 if n % 5 == 4 else 1.0) for n, s in enumerate(plan.step[:30])}
    events, now = night(plan, ratios)
    pace = infer_pace(fold(plan, events), now)
    plain = infer_pace(fold(plan, events), now, PacePrior(excess_steps=math.inf))
    assert pace.factor == plain.factor  # the pace shown stays the robust one
    assert plain.excess == 1.0
    assert pace.excess > 1.15  # the snags' minutes are carried into the rest of the night
    night_row = pace.slowness.groups.index("night")
    assert pace.slowness.mean[night_row] > plain.slowness.mean[night_row]


def test_a_fast_outlier_set_aside_does_not_shorten_the_rest_of_the_night() -> None:
    """User pass (2026-12-02): one step completed in 0.12x its budget, "set aside as an
    outlier" in `w`, moved the likely finish 74 minutes earlier through the excess."""
    plan = parse_plan(plan_text(12, [("work", "Work", 40, 60)])).plan
    steady = {s.id: 1.0 for s in plan.step[:5]}
    with_fast = {**steady, plan.step[5].id: 0.12}
    base = infer_pace(fold(plan, night(plan, steady)[0]), night(plan, steady)[1])
    events, now = night(plan, with_fast)
    pace = infer_pace(fold(plan, events), now)
    assert pace.outliers == (plan.step[5].id,)
    assert pace.excess >= base.excess - 0.01  # the smearing did not count it (only the fit moved)
    # A slow snag still counts: the rest of the night pays for it in minutes.
    snag = {**steady, plan.step[5].id: 8.0}
    slow = infer_pace(fold(plan, night(plan, snag)[0]), night(plan, snag)[1])
    assert plan.step[5].id in slow.outliers and slow.excess > base.excess


def test_the_pace_of_a_long_night_holds_no_steps_by_draws_matrix() -> None:
    """Issue 14 re-measure (2026-12-03): at 20,000 steps half done the war room's odds peaked
    at 1.44 GB resident (580 MB before the excess): mean_scatter built a (finished steps x
    4,096 draws) float64 matrix three times over (335 MB each) on every refresh."""
    plan = parse_plan(plan_text(30, [("work", "Work", 1500, 1)])).plan
    events, now = night(plan, {s.id: 1.1 for s in plan.step[:1400]})
    state = fold(plan, events)
    one_matrix = 1400 * 4096 * 8  # 46 MB: one such matrix at 1,400 finished steps
    tracemalloc.start()
    try:
        pace = infer_pace(state, now)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sum(e.finished_at is not None for e in pace.steps) == 1400  # all read
    assert peak < one_matrix / 4, f"{peak / 1e6:.0f} MB"


def test_mean_scatter_per_distinct_sd_is_the_figure_per_step() -> None:
    sd = np.array([0.3, 0.1, 0.3, 0.0, 0.45, 0.1] * 50)
    got = mean_scatter(sd, 4.0)
    assert got.shape == sd.shape
    for value in np.unique(sd):
        assert np.all(got[sd == value] == mean_scatter(np.array([value]), 4.0)[0])

"""The drift learnt from the night itself (engine/pace_drift.py): no evidence gives the prior,
the same evidence gives the same answer, and the answer moves toward what the night shows."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cutover_tui.engine.pace import REFERENCE_DRIFT, PacePrior, infer_pace
from cutover_tui.engine.pace_drift import FLOOR, SEGMENT_STEPS, learnt_drift
from cutover_tui.engine.state import fold
from cutover_tui.plan import parse_plan
from tests.test_foresight import night, plan_text

PRIOR = 0.2
RESIDUALS = st.lists(st.floats(-1.5, 1.5), min_size=0, max_size=80)


def drift_of(residual, sd=0.25, weight=1.0, prior=PRIOR, prior_segments=4.0) -> float:
    n = len(residual)
    return learnt_drift(
        np.array(residual, float),
        np.full(n, sd),
        np.full(n, weight),
        np.arange(n, dtype=float),
        prior,
        prior_segments,
    )


@given(st.lists(st.floats(-1.5, 1.5), max_size=2 * SEGMENT_STEPS - 1))
def test_no_evidence_gives_the_prior(residual) -> None:
    assert drift_of(residual) == PRIOR  # fewer than two segments of finished steps
    assert drift_of(residual + [0.0] * 40, prior_segments=math.inf) == PRIOR


@settings(max_examples=80, deadline=None)
@given(RESIDUALS, st.randoms(use_true_random=False))
def test_the_same_evidence_gives_the_same_drift(residual, rnd) -> None:
    """Deterministic, and read in finishing order whatever order the steps come in."""
    n = len(residual)
    when = np.arange(n, dtype=float)
    args = (np.array(residual), np.full(n, 0.25), np.ones(n), when, PRIOR)
    first = learnt_drift(*args)
    assert first == learnt_drift(*args)
    shuffled = list(range(n))
    rnd.shuffle(shuffled)
    idx = np.array(shuffled, dtype=int)
    again = learnt_drift(args[0][idx], args[1][idx], args[2][idx], when[idx], PRIOR)
    assert math.isclose(first, again, rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=80, deadline=None)
@given(RESIDUALS)
def test_the_drift_lies_between_the_prior_and_what_the_night_shows(residual) -> None:
    """The posterior tau^2 is a weighted mean of the prior's and the segments' own estimate:
    never beyond either (then floored)."""
    n = len(residual)
    groups = n // SEGMENT_STEPS
    out = drift_of(residual)
    if groups < 2:
        assert out == PRIOR
        return
    own = 0.0
    for chunk in np.array_split(np.array(residual, float), groups):
        precision = len(chunk) / 0.25**2
        own += float(chunk.mean()) ** 2 - 1 / precision
    own /= groups
    low, high = sorted((PRIOR**2, own))
    assert out >= FLOOR * PRIOR - 1e-12
    assert out**2 <= max(high, (FLOOR * PRIOR) ** 2) + 1e-12
    assert out**2 >= min(max(low, 0.0), PRIOR**2) - 1e-12 or out == FLOOR * PRIOR


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 12))
def test_a_steady_night_narrows_the_drift_more_with_every_segment(segments) -> None:
    steady = [0.0] * (segments * SEGMENT_STEPS)
    longer = steady + [0.0] * SEGMENT_STEPS
    assert FLOOR * PRIOR <= drift_of(longer) <= drift_of(steady) < PRIOR


def test_a_lurching_night_widens_it() -> None:
    # Segments a third slow, then a third fast, in turn: the pace lurches hour to hour.
    lurch = [0.3 if (i // SEGMENT_STEPS) % 2 else -0.3 for i in range(6 * SEGMENT_STEPS)]
    assert drift_of(lurch) > PRIOR


def test_an_outlier_the_fit_set_aside_moves_it_little() -> None:
    steady = [0.0] * (4 * SEGMENT_STEPS)
    snag = list(steady)
    snag[7] = 1.2  # one step at 3.3x its budget ...
    weights = np.ones(len(snag))
    weights[7] = 0.05  # ... which the robust fit weighed at almost nothing
    n = len(snag)
    args = (np.full(n, 0.25), weights, np.arange(n, dtype=float), PRIOR)
    set_aside = learnt_drift(np.array(snag), *args)
    assert set_aside < drift_of(snag) and set_aside < PRIOR


def test_infer_pace_draws_a_steady_nights_rest_with_the_learnt_drift() -> None:
    plan = parse_plan(plan_text(12, [("work", "Work", 40, 10)])).plan
    wobble = [1.0, 0.95, 1.05, 1.1, 0.9]
    ratios = {s.id: wobble[n % 5] for n, s in enumerate(plan.step[:30])}
    events, now = night(plan, ratios)
    state = fold(plan, events)
    learnt = infer_pace(state, now)
    fixed = infer_pace(state, now, PacePrior(drift_segments=math.inf))
    assert fixed.drift == REFERENCE_DRIFT
    assert learnt.drift < REFERENCE_DRIFT
    assert learnt.factor == fixed.factor  # the pace itself is not touched
    night_row = learnt.slowness.groups.index("night")
    assert learnt.slowness.cov[night_row, night_row] < fixed.slowness.cov[night_row, night_row]
    # Before any step finishes: the prior's drift.
    assert infer_pace(fold(plan, events[:1]), now).drift == REFERENCE_DRIFT

"""An amendment changes one step's draws, not the night's (issue 14, engine/forecast_reuse.py).

After estimate changes and steps added live, a forecaster that carried its draws over gives
exactly the figures of a forecaster made afresh for the same seed and evidence; and it made
random streams only for the steps that changed (counted, not timed).
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cutover_tui.engine.events import EstimateChanged, StepAdded
from cutover_tui.engine.forecast import Forecaster, Slowness
from cutover_tui.engine.state import apply
from tests.test_forecast_blocks import SLOWNESS, night

ITERATIONS = 200
OPEN = ["b", "c", "d", "e", "f"]  # night(): a closed, b running, the rest pending


def amendment(kind: str, sid: str, minutes: int, n: int, now):
    who = {"actor": "lead", "at": now, "reason": "live"}
    if kind == "estimate":
        return EstimateChanged(step=sid, duration_s=minutes * 60, **who)
    return StepAdded(
        step=f"new{n}", title="Added", owner="lead", duration_s=minutes * 60, after=[sid], **who
    )


AMENDMENTS = st.lists(
    st.tuples(
        st.sampled_from(["estimate", "added"]),
        st.sampled_from(OPEN),
        st.integers(min_value=1, max_value=180),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(AMENDMENTS, st.sampled_from(range(len(SLOWNESS))))
def test_carried_draws_give_the_figures_of_draws_made_afresh(amendments, which) -> None:
    state, now = night()
    slowness = SLOWNESS[which]
    warm = Forecaster(iterations=ITERATIONS, seed=9)
    warm.simulate(state, now, None, slowness)
    for n, (kind, sid, minutes) in enumerate(amendments):
        apply(state, amendment(kind, sid, minutes, n, now))
        later = now + timedelta(minutes=n + 1)
        carried = warm.simulate(state, later, None, slowness)
        fresh = Forecaster(iterations=ITERATIONS, seed=9).simulate(state, later, None, slowness)
        assert np.array_equal(carried.ends, fresh.ends)
        assert np.array_equal(carried.finish, fresh.finish)
        assert carried.path(carried.quantile_iteration(0.8)) == fresh.path(
            fresh.quantile_iteration(0.8)
        )


def test_an_estimate_change_makes_the_streams_of_that_step_alone() -> None:
    state, now = night()
    noisy = Slowness.shared(1.1, 0.2, step_noise=0.3)  # durations and scatter: 2 streams a step
    forecaster = Forecaster(iterations=ITERATIONS, seed=9)
    forecaster.simulate(state, now, None, noisy)
    steps = len(state.order)
    assert forecaster.streams_made >= 2 * steps  # the first time: every step's
    before = forecaster.streams_made
    apply(state, amendment("estimate", "e", 45, 0, now))
    forecaster.simulate(state, now, None, noisy)
    assert forecaster.streams_made - before == 2  # e's durations and scatter, no other's
    before = forecaster.streams_made
    apply(state, amendment("added", "d", 10, 1, now))
    forecaster.simulate(state, now, None, noisy)
    assert forecaster.streams_made - before == 2  # the new step's, none of the others'


def test_without_a_change_no_stream_is_made_again() -> None:
    state, now = night()
    forecaster = Forecaster(iterations=ITERATIONS, seed=9)
    forecaster.simulate(state, now, None, None)
    before = forecaster.streams_made
    forecaster.simulate(state, now + timedelta(minutes=3), None, None)
    assert forecaster.streams_made == before

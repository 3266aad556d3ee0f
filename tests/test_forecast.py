"""The Monte Carlo forecast against exact answers on small plans."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cutover_tui.engine.events import RunStarted, StepCompleted, StepStarted
from cutover_tui.engine.forecast import Forecaster, triangular_cdf, triangular_ppf
from cutover_tui.engine.state import fold
from cutover_tui.plan import parse_plan

HEAD = """
format = 1
[plan]
id = "f"
title = "Forecast"
timezone = "UTC"
[window]
start = 2026-11-27T22:00:00
end = 2026-11-28T{end}:00
buffer = "10%"
[people.lead]
name = "Lead"
roles = ["commander"]
"""


def step(sid: str, minutes: int, low: int, high: int, after: list[str] = ()) -> str:
    return (
        f'[[step]]\nid = "{sid}"\ntitle = "{sid}"\nowner = "lead"\nduration = "{minutes}m"\n'
        f"after = {list(after)!r}\n".replace("'", '"')
        + f'estimate = {{ low = "{low}m", high = "{high}m" }}\n'
    )


T0 = datetime.fromisoformat("2026-11-27T22:00:00+00:00")


def test_parallel_steps_match_product_of_cdfs() -> None:
    # Window 22:00-23:00: both 40..70m steps must finish within 60m.
    plan = parse_plan(
        HEAD.format(end="00:00").replace("2026-11-28T00:00", "2026-11-27T23:00")
        + step("a", 50, 40, 70)
        + step("b", 55, 40, 70)
    ).plan
    forecaster = Forecaster(iterations=20000, seed=1)
    result = forecaster.forecast(fold(plan, []), T0)
    exact = triangular_cdf(3600, 2400, 3000, 4200) * triangular_cdf(3600, 2400, 3300, 4200)
    assert abs(result.p_in_window - exact) < 4 * result.standard_error + 1e-3


def test_serial_steps_match_numerical_convolution() -> None:
    plan = parse_plan(
        HEAD.format(end="00:00") + step("a", 50, 40, 80) + step("b", 60, 45, 90, ["a"])
    ).plan
    forecaster = Forecaster(iterations=20000, seed=2)
    result = forecaster.forecast(fold(plan, []), T0)
    # P(a + b <= 120 min), by integrating over a fine grid of a.
    grid = np.linspace(40 * 60, 80 * 60, 4001)
    cdf_a = np.array([triangular_cdf(x, 2400, 3000, 4800) for x in grid])
    density = np.diff(cdf_a)
    mid = (grid[:-1] + grid[1:]) / 2
    exact = sum(
        d * triangular_cdf(7200 - m, 2700, 3600, 5400) for d, m in zip(density, mid, strict=True)
    )
    assert abs(result.p_in_window - exact) < 4 * result.standard_error + 1e-3


def test_finished_run_is_certain() -> None:
    plan = parse_plan(HEAD.format(end="00:00") + step("a", 50, 40, 80)).plan
    end = T0 + timedelta(minutes=61)
    events = [
        RunStarted(actor="lead", at=T0, plan_id="f"),
        StepStarted(actor="lead", at=T0, step="a"),
        StepCompleted(actor="lead", at=end, step="a"),
    ]
    result = Forecaster(iterations=500).forecast(fold(plan, events), end + timedelta(minutes=5))
    assert result.p50 == result.p80 == end
    assert result.p_in_window == 1.0


def test_running_step_never_finishes_in_the_past() -> None:
    plan = parse_plan(HEAD.format(end="00:00") + step("a", 50, 40, 80)).plan
    events = [
        RunStarted(actor="lead", at=T0, plan_id="f"),
        StepStarted(actor="lead", at=T0, step="a"),
    ]
    now = T0 + timedelta(minutes=75)  # past the budget, inside the range
    ends = Forecaster(iterations=2000).finishes(fold(plan, events), now)
    assert ends.min() >= 75 * 60
    now = T0 + timedelta(minutes=95)  # past the pessimistic estimate
    ends = Forecaster(iterations=2000).finishes(fold(plan, events), now)
    assert ends.min() > 95 * 60


def test_common_random_numbers_keep_the_figure_steady() -> None:
    plan = parse_plan(
        HEAD.format(end="00:00") + step("a", 50, 40, 80) + step("b", 60, 45, 90, ["a"])
    ).plan
    state = fold(plan, [])
    forecaster = Forecaster(iterations=1000)
    first = forecaster.forecast(state, T0)
    again = forecaster.forecast(state, T0 + timedelta(seconds=1))
    # The same draws: one second later moves the finish by at most that second, no noise.
    assert again.p_in_window == first.p_in_window
    assert timedelta(0) <= again.p50 - first.p50 <= timedelta(seconds=1)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 0.999), st.integers(1, 100), st.integers(0, 100), st.integers(1, 100))
def test_triangular_ppf_inverts_cdf(u: float, low: int, up: int, spread: int) -> None:
    low_f, mode, high = float(low), float(low + up), float(low + up + spread)
    x = float(triangular_ppf(np.array([u]), low_f, mode, high)[0])
    assert low_f <= x <= high
    assert triangular_cdf(x, low_f, mode, high) == pytest.approx(u, abs=1e-9)

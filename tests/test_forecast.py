"""The Monte Carlo forecast against exact answers on small plans.

The exact answers come from discretised distributions (`Dist` below: a density on a 2-second
grid, sums by convolution, maxima by multiplying CDFs), so they are exhaustive computations,
not another simulation. The forecast must agree within 4 standard errors (plus the grid's
own error, well under 1e-3).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cutover_tui.engine.events import (
    RunEnded,
    RunStarted,
    StepCompleted,
    StepSkipped,
    StepStarted,
)
from cutover_tui.engine.forecast import (
    Forecaster,
    Slowness,
    triangular_cdf,
    triangular_ppf,
)
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


def step(
    sid: str, minutes: int, low: int, high: int, after: list[str] = (), not_before: str = ""
) -> str:
    return (
        f'[[step]]\nid = "{sid}"\ntitle = "{sid}"\nowner = "lead"\nduration = "{minutes}m"\n'
        f"after = {list(after)!r}\n".replace("'", '"')
        + f'estimate = {{ low = "{low}m", high = "{high}m" }}\n'
        + (f"not_before = {not_before}\n" if not_before else "")
    )


def window_until(hhmm: str) -> str:
    """HEAD with the window ending at `hhmm` on the start day (22:00-23:59) or the next."""
    if hhmm >= "22:00":
        return HEAD.format(end="00:00").replace("2026-11-28T00:00", f"2026-11-27T{hhmm}")
    return HEAD.format(end=hhmm)


T0 = datetime.fromisoformat("2026-11-27T22:00:00+00:00")
MIN = 60.0


# -- exact answers ----------------------------------------------------------------------------

GRID = 2.0  # seconds


class Dist:
    """A duration (or finish time) as probability masses at k * GRID seconds."""

    def __init__(self, pmf: np.ndarray) -> None:
        self.pmf = pmf

    @classmethod
    def triangular(cls, low: float, mode: float, high: float, scale: float = 1.0) -> Dist:
        low, mode, high = low * scale, mode * scale, high * scale
        edges = np.arange(0.0, high + 2 * GRID, GRID)
        cdf = np.array([triangular_cdf(x, low, mode, high) for x in edges])
        # Mass of [x - GRID/2, x + GRID/2) at x: second-order accurate.
        mid = np.concatenate([[0.0], (cdf[:-1] + cdf[1:]) / 2])
        return cls(np.diff(np.concatenate([mid, [1.0]])))

    @classmethod
    def point(cls, seconds: float) -> Dist:
        pmf = np.zeros(round(seconds / GRID) + 1)
        pmf[-1] = 1.0
        return cls(pmf)

    def __add__(self, other: Dist) -> Dist:
        return Dist(np.convolve(self.pmf, other.pmf))

    def cdf(self) -> np.ndarray:
        return np.cumsum(self.pmf)

    def max(self, other: Dist) -> Dist:
        n = max(len(self.pmf), len(other.pmf))
        a = np.pad(self.cdf(), (0, n - len(self.pmf)), constant_values=1.0)
        b = np.pad(other.cdf(), (0, n - len(other.pmf)), constant_values=1.0)
        return Dist(np.diff(np.concatenate([[0.0], a * b])))

    def conditional_above(self, seconds: float) -> Dist:
        """The distribution given the value exceeds `seconds`, minus `seconds`."""
        k = round(seconds / GRID)
        rest = self.pmf[k + 1 :].copy()
        return Dist(np.concatenate([[0.0], rest / rest.sum()]))

    def p_at_most(self, seconds: float) -> float:
        # The mass at `seconds` stands for the half-grid either side of it: count half.
        k = round(seconds / GRID)
        return float(self.pmf[:k].sum() + self.pmf[k] / 2)


def tri(low: int, mode: int, high: int, scale: float = 1.0) -> Dist:
    return Dist.triangular(low * MIN, mode * MIN, high * MIN, scale)


def agrees(result, exact: float) -> None:
    assert abs(result.p_in_window - exact) < 4 * result.standard_error + 1e-3, (
        result.p_in_window,
        exact,
        result.standard_error,
    )


# -- against exact answers --------------------------------------------------------------------


def test_parallel_steps_match_product_of_cdfs() -> None:
    # Window 22:00-23:00: both 40..70m steps must finish within 60m.
    plan = parse_plan(window_until("23:00") + step("a", 50, 40, 70) + step("b", 55, 40, 70)).plan
    forecaster = Forecaster(iterations=20000, seed=1)
    result = forecaster.forecast(fold(plan, []), T0)
    exact = triangular_cdf(3600, 2400, 3000, 4200) * triangular_cdf(3600, 2400, 3300, 4200)
    agrees(result, exact)


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
    agrees(result, exact)
    assert abs(exact - (tri(40, 50, 80) + tri(45, 60, 90)).p_at_most(7200)) < 1e-3


def test_diamond_matches_exhaustive_computation() -> None:
    # a, then b and c in parallel, then d: a + max(b, c) + d <= 2h15m.
    plan = parse_plan(
        window_until("00:15")
        + step("a", 30, 20, 50)
        + step("b", 45, 35, 70, ["a"])
        + step("c", 50, 30, 60, ["a"])
        + step("d", 40, 30, 65, ["b", "c"])
    ).plan
    result = Forecaster(iterations=20000, seed=3).forecast(fold(plan, []), T0)
    exact = (tri(20, 30, 50) + tri(35, 45, 70).max(tri(30, 50, 60)) + tri(30, 40, 65)).p_at_most(
        135 * MIN
    )
    assert 0.1 < exact < 0.9  # a question worth asking
    agrees(result, exact)


def test_fixed_start_waits_for_its_time() -> None:
    # b may not start before 23:10 (70m in), even when a finishes earlier.
    plan = parse_plan(
        window_until("00:00")
        + step("a", 60, 45, 90)
        + step("b", 40, 30, 60, ["a"], not_before="2026-11-27T23:10:00")
    ).plan
    result = Forecaster(iterations=20000, seed=4).forecast(fold(plan, []), T0)
    exact = (tri(45, 60, 90).max(Dist.point(70 * MIN)) + tri(30, 40, 60)).p_at_most(120 * MIN)
    assert 0.1 < exact < 0.9
    agrees(result, exact)


def test_running_step_is_drawn_conditional_on_time_spent() -> None:
    # a started at 22:00 and is still running at 22:50; then b. In by 00:00?
    plan = parse_plan(
        window_until("00:00") + step("a", 50, 40, 80) + step("b", 50, 40, 70, ["a"])
    ).plan
    events = [
        RunStarted(actor="lead", at=T0, plan_id="f"),
        StepStarted(actor="lead", at=T0, step="a"),
    ]
    now = T0 + timedelta(minutes=50)
    result = Forecaster(iterations=20000, seed=5).forecast(fold(plan, events), now)
    rest_of_a = tri(40, 50, 80).conditional_above(50 * MIN)
    exact = (Dist.point(50 * MIN) + rest_of_a + tri(40, 50, 70)).p_at_most(120 * MIN)
    assert 0.1 < exact < 0.9
    agrees(result, exact)


def test_rehearsal_scale_and_shared_slowness_match_integration() -> None:
    # A calibrated step (x1.1) and an uncertain slow night (median 1.15, log sd 0.1), shared
    # by both parallel steps: P = E over the night of F_a(T / (1.1 s)) F_b(T / s).
    plan = parse_plan(window_until("23:00") + step("a", 45, 35, 60) + step("b", 40, 30, 55)).plan
    slowness = Slowness.shared(1.15, 0.1)
    result = Forecaster(iterations=20000, seed=6).forecast(
        fold(plan, []), T0, scales={"a": 1.1}, slowness=slowness
    )
    z = np.linspace(-7, 7, 4001)
    weight = np.exp(-z * z / 2)
    weight /= weight.sum()
    night = 1.15 * np.exp(0.1 * z)
    exact = float(
        sum(
            w
            * triangular_cdf(3600 / (1.1 * s), 2100, 2700, 3600)
            * triangular_cdf(3600 / s, 1800, 2400, 3300)
            for w, s in zip(weight, night, strict=True)
        )
    )
    assert 0.1 < exact < 0.9
    agrees(result, exact)
    # Without the uncertainty the odds are not the same: the spread matters.
    fixed = Forecaster(iterations=20000, seed=6).forecast(
        fold(plan, []), T0, scales={"a": 1.1}, slowness=Slowness.shared(1.15, 0.0)
    )
    assert abs(fixed.p_in_window - exact) > 4 * fixed.standard_error


def test_step_noise_matches_integration() -> None:
    # Each step's own log-normal scatter (sd 0.2) on top of its range, independent per step:
    # P(a + b <= T) integrated over both steps' scatter on a grid.
    plan = parse_plan(
        window_until("00:00") + step("a", 50, 40, 80) + step("b", 60, 45, 90, ["a"])
    ).plan
    result = Forecaster(iterations=20000, seed=7).forecast(
        fold(plan, []), T0, slowness=Slowness.shared(1.0, 0.0, step_noise=0.2)
    )
    z = np.linspace(-5, 5, 81)
    weight = np.exp(-z * z / 2)
    weight /= weight.sum()
    a = [(w, tri(40, 50, 80, float(np.exp(0.2 * x)))) for w, x in zip(weight, z, strict=True)]
    b = [(w, tri(45, 60, 90, float(np.exp(0.2 * x)))) for w, x in zip(weight, z, strict=True)]
    # Mix the scaled distributions first (a mixture over the scatter), then add.
    size = max(len(d.pmf) for _, d in a + b)
    a_mix = Dist(sum(w * np.pad(d.pmf, (0, size - len(d.pmf))) for w, d in a))
    b_mix = Dist(sum(w * np.pad(d.pmf, (0, size - len(d.pmf))) for w, d in b))
    exact = (a_mix + b_mix).p_at_most(120 * MIN)
    assert 0.1 < exact < 0.9
    agrees(result, exact)


def test_heavy_tailed_scatter_is_heavier_but_bounded() -> None:
    plan = parse_plan(window_until("00:00") + step("a", 50, 40, 80)).plan
    state = fold(plan, [])
    normal = Forecaster(iterations=20000, seed=8).finishes(
        state, T0, slowness=Slowness(step_noise=0.4)
    )
    heavy = Forecaster(iterations=20000, seed=8).finishes(
        state, T0, slowness=Slowness(step_noise=0.4, tail=3.0)
    )
    assert np.quantile(heavy, 0.99) > np.quantile(normal, 0.99) * 1.1
    assert heavy.max() <= 80 * MIN * 4 + 1e-6 and heavy.min() >= 40 * MIN / 4 - 1e-6
    assert abs(np.median(heavy) - np.median(normal)) < 60  # the same median, within a minute


# -- never contradicting what happened ---------------------------------------------------------


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
    assert result.settled


def test_ended_run_past_the_deadline_is_certainly_late() -> None:
    plan = parse_plan(window_until("23:00") + step("a", 50, 40, 80)).plan
    end = T0 + timedelta(minutes=75, microseconds=123)
    events = [
        RunStarted(actor="lead", at=T0, plan_id="f"),
        StepStarted(actor="lead", at=T0, step="a"),
        StepCompleted(actor="lead", at=end, step="a"),
        RunEnded(actor="lead", at=end + timedelta(minutes=3), outcome="completed"),
    ]
    result = Forecaster(iterations=500).forecast(fold(plan, events), end + timedelta(hours=2))
    assert result.p50 == result.p80 == end
    assert result.p_in_window == 0.0 and result.p_in_buffer == 0.0


def test_aborted_run_ends_when_it_ended() -> None:
    plan = parse_plan(HEAD.format(end="00:00") + step("a", 50, 40, 80) + step("b", 9, 8, 20)).plan
    stop = T0 + timedelta(minutes=30)
    events = [
        RunStarted(actor="lead", at=T0, plan_id="f"),
        StepStarted(actor="lead", at=T0, step="a"),
        RunEnded(actor="lead", at=stop, outcome="aborted", reason="power cut"),
    ]
    result = Forecaster(iterations=500).forecast(fold(plan, events), stop + timedelta(hours=5))
    assert result.p50 == stop and result.p_in_window == 1.0 and result.settled


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
    # Also on a slow or a fast night.
    for factor in (0.5, 2.0):
        ends = Forecaster(iterations=2000).finishes(
            fold(plan, events), now, slowness=Slowness.shared(factor, 0.3)
        )
        assert ends.min() > 95 * 60


@st.composite
def runs(draw):
    """A small random plan and a random history of it, cut at a random moment."""
    n = draw(st.integers(1, 6))
    text = HEAD.format(end="01:00")
    budgets = []
    for i in range(n):
        minutes = draw(st.integers(5, 40))
        after = sorted(draw(st.sets(st.integers(0, i - 1), max_size=2))) if i else []
        text += step(f"s{i}", minutes, max(1, minutes - 4), minutes * 2, [f"s{j}" for j in after])
        budgets.append((minutes, after))
    plan = parse_plan(text).plan
    # Replay the night with random actual durations, in dependency order (ids are in order).
    finish: dict[int, datetime] = {}
    timeline = []
    for i, (minutes, after) in enumerate(budgets):
        begin = max([T0, *(finish[j] for j in after)])
        actual = timedelta(seconds=draw(st.integers(60, minutes * 150)))
        finish[i] = begin + actual
        timeline.append((begin, StepStarted(actor="lead", at=begin, step=f"s{i}")))
        timeline.append((finish[i], StepCompleted(actor="lead", at=finish[i], step=f"s{i}")))
    timeline.sort(key=lambda pair: pair[0])
    cut = T0 + timedelta(seconds=draw(st.integers(0, 5 * 3600)))
    events = [RunStarted(actor="lead", at=T0, plan_id="f")]
    events += [e for at, e in timeline if at <= cut]
    return plan, events, cut, max(finish.values())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs(), st.booleans())
def test_live_forecast_never_contradicts_the_run(run, slow: bool) -> None:
    plan, events, now, actual_end = run
    state = fold(plan, events)
    slowness = Slowness.shared(1.4, 0.2) if slow else None
    forecaster = Forecaster(iterations=300, seed=9)
    result = forecaster.forecast(state, now, slowness=slowness)
    closed = [s.finished_at for s in state.status.values() if s.closed]
    if len(closed) == len(state.order):
        # Every step finished: the forecast is the fact.
        assert result.settled
        assert result.p50 == result.p80 == actual_end
        assert result.p_in_window == float(actual_end <= plan.window.end)
    else:
        ends = forecaster.finishes(state, now, slowness=slowness)
        assert ends.min() >= (now - T0).total_seconds() - 1e-6  # nothing open ends in the past
        assert not result.settled
    # After the run ends, whatever the clock says, the answer is fixed and matches.
    if len(closed) == len(state.order):
        later = fold(plan, [*events, RunEnded(actor="lead", at=now, outcome="completed")])
        for when in (now, now + timedelta(hours=9)):
            again = forecaster.forecast(later, when, slowness=slowness)
            assert again.p50 == actual_end
            assert again.p_in_window in (0.0, 1.0)
            assert again.p_in_window == float(actual_end <= plan.window.end)


def test_skipped_steps_take_no_time() -> None:
    plan = parse_plan(HEAD.format(end="00:00") + step("a", 50, 40, 80) + step("b", 9, 8, 20)).plan
    events = [
        RunStarted(actor="lead", at=T0, plan_id="f"),
        StepSkipped(actor="lead", at=T0 + timedelta(minutes=1), step="a", reason="not needed"),
    ]
    ends = Forecaster(iterations=500).finishes(fold(plan, events), T0 + timedelta(minutes=2))
    assert ends.max() <= (2 + 20) * 60


# -- steadiness --------------------------------------------------------------------------------


def test_common_random_numbers_keep_the_figure_steady() -> None:
    plan = parse_plan(
        HEAD.format(end="00:00") + step("a", 50, 40, 80) + step("b", 60, 45, 90, ["a"])
    ).plan
    state = fold(plan, [])
    forecaster = Forecaster(iterations=1000)
    first = forecaster.forecast(state, T0)
    again = forecaster.forecast(state, T0 + timedelta(seconds=1))
    # The same draws: starting one second later moves every simulated finish by exactly that
    # second, no noise; the odds move only by the draws that were within a second of the line.
    shift = forecaster.finishes(state, T0 + timedelta(seconds=1)) - forecaster.finishes(state, T0)
    assert np.allclose(shift, 1.0, atol=1e-6)
    assert abs(again.p_in_window - first.p_in_window) <= 2 / 1000
    assert timedelta(0) <= again.p50 - first.p50 <= timedelta(seconds=1)
    # And with tonight's pace drawn per iteration, the same holds.
    slow = Slowness.shared(1.2, 0.1, step_noise=0.2)
    shift = forecaster.finishes(
        state, T0 + timedelta(seconds=1), slowness=slow
    ) - forecaster.finishes(state, T0, slowness=slow)
    assert np.allclose(shift, 1.0, atol=1e-6)


def test_two_forecasters_with_one_seed_agree() -> None:
    # Two war-room processes watching one run show the same figure, whatever they asked first.
    plan = parse_plan(
        HEAD.format(end="00:00") + step("a", 50, 40, 80) + step("b", 60, 45, 90, ["a"])
    ).plan
    one, two = Forecaster(iterations=800, seed=3), Forecaster(iterations=800, seed=3)
    one.forecast(fold(plan, []), T0, slowness=Slowness.shared(1.2, 0.1))
    assert one.forecast(fold(plan, []), T0) == two.forecast(fold(plan, []), T0)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 0.999), st.integers(1, 100), st.integers(0, 100), st.integers(1, 100))
def test_triangular_ppf_inverts_cdf(u: float, low: int, up: int, spread: int) -> None:
    low_f, mode, high = float(low), float(low + up), float(low + up + spread)
    x = float(triangular_ppf(np.array([u]), low_f, mode, high)[0])
    assert low_f <= x <= high
    assert triangular_cdf(x, low_f, mode, high) == pytest.approx(u, abs=1e-9)

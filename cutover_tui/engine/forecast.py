"""Monte Carlo forecast of the finish: P50, P80 and the odds of making the window.

Each step's duration is drawn from a triangular distribution over its three-point estimate
(low, budget, high); a step with no estimate gets a default right-skewed range, because
cutover steps overrun far more often than they finish early. Finished steps are fixed at
their actual times, running steps are drawn conditional on the time already spent, and the
same random numbers are reused between refreshes (common random numbers), so the figure on
the war room's status line does not jitter from one second to the next.

Vectorised over iterations: one numpy operation per step and predecessor, not per draw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from ..plan.graph import topological_order
from .state import PlannedStep, RunState

DEFAULT_LOW = 0.9  # of the budget, for a step with no estimate
DEFAULT_HIGH = 1.5


@dataclass(frozen=True)
class Forecast:
    """What the simulated nights say about the finish."""

    iterations: int
    p50: datetime
    p80: datetime
    p_in_window: float  # P(finish <= deadline)
    p_in_buffer: float  # P(finish <= deadline - the buffer rule)
    standard_error: float  # of p_in_window

    def describe(self, zone) -> str:
        return (
            f"P50 {self.p50.astimezone(zone):%H:%M}  P80 {self.p80.astimezone(zone):%H:%M}  "
            f"P(in window) {self.p_in_window:.0%}"
        )


@dataclass(frozen=True)
class StepDraw:
    """One step's three-point range, in seconds."""

    low: float
    mode: float
    high: float


def step_range(step: PlannedStep, scale: float = 1.0) -> StepDraw:
    budget = step.duration.total_seconds()
    low = step.low.total_seconds() if step.low else budget * DEFAULT_LOW
    high = step.high.total_seconds() if step.high else budget * DEFAULT_HIGH
    return StepDraw(low * scale, budget * scale, max(high, budget) * scale)


def triangular_ppf(u: np.ndarray, low: float, mode: float, high: float) -> np.ndarray:
    """Inverse CDF of the triangular distribution, vectorised over u in [0, 1)."""
    if high <= low:
        return np.full_like(u, mode)
    cut = (mode - low) / (high - low)
    left = low + np.sqrt(u * (high - low) * (mode - low))
    right = high - np.sqrt((1 - u) * (high - low) * (high - mode))
    return np.where(u < cut, left, right)


def triangular_cdf(x: float, low: float, mode: float, high: float) -> float:
    if x <= low:
        return 0.0
    if x >= high:
        return 1.0
    if x <= mode:
        return (x - low) ** 2 / ((high - low) * (mode - low)) if mode > low else 0.0
    return 1 - (high - x) ** 2 / ((high - low) * (high - mode)) if high > mode else 1.0


class Forecaster:
    """Holds the random numbers for one run, so refreshes share them."""

    def __init__(self, iterations: int = 2000, seed: int = 20261127) -> None:
        self.iterations = iterations
        self.seed = seed
        self._uniforms: dict[str, np.ndarray] = {}
        self._rng = np.random.default_rng(seed)

    def _u(self, step_id: str) -> np.ndarray:
        # One column per step id, drawn on first use: adding a step live does not reshuffle
        # the numbers every other step already had.
        column = self._uniforms.get(step_id)
        if column is None:
            column = self._rng.random(self.iterations)
            self._uniforms[step_id] = column
        return column

    def finishes(
        self,
        state: RunState,
        now: datetime,
        scales: Mapping[str, float] | None = None,
    ) -> np.ndarray:
        """Simulated finish of the active plan, in seconds after `origin(state)`."""
        origin = _origin(state)
        ids = state.active_ids()
        after = {sid: [p for p in state.steps[sid].after if p in state.steps] for sid in ids}
        order = topological_order(after)
        now_s = max(0.0, (now - origin).total_seconds())
        if state.phase == "not-started":
            now_s = max(now_s, (state.plan.window.start - origin).total_seconds())
        finish: dict[str, np.ndarray | float] = {}
        end = np.zeros(self.iterations)
        for sid in order:
            finish[sid] = self._finish_of(state, sid, after[sid], finish, origin, now_s, scales)
            end = np.maximum(end, finish[sid])
        return end

    def _finish_of(
        self,
        state: RunState,
        sid: str,
        preds: Sequence[str],
        finish: Mapping[str, np.ndarray | float],
        origin: datetime,
        now_s: float,
        scales: Mapping[str, float] | None,
    ) -> np.ndarray | float:
        st = state.status[sid]
        step = state.steps[sid]
        if st.closed or (
            st.status == "failed"
            and st.finished_at
            and step.kind == "checkpoint"
            and step.on_fail == "continue"
        ):
            return (st.finished_at - origin).total_seconds() if st.finished_at else now_s
        draw = step_range(step, (scales or {}).get(sid, 1.0))
        u = self._u(sid)
        if st.status in ("running", "suspended") and st.started_at is not None:
            spent = max(
                0.0, now_s - (st.started_at - origin).total_seconds() - st.paused.total_seconds()
            )
            # Conditional on having run `spent` already: draw from the upper part of the range.
            floor = triangular_cdf(spent, draw.low, draw.mode, draw.high)
            if floor >= 1.0:
                # Past the pessimistic estimate: it ends some time after now, assume about a
                # fifth of its budget more, with spread.
                remaining = draw.mode * 0.2 * (0.5 + u)
            else:
                remaining = (
                    triangular_ppf(floor + u * (1 - floor), draw.low, draw.mode, draw.high) - spent
                )
            resume = now_s
            if st.status == "suspended" and st.resume_eta is not None:
                resume = max(now_s, (st.resume_eta - origin).total_seconds())
            return resume + np.maximum(remaining, 0.0)
        start: np.ndarray | float = now_s
        for pred in preds:
            start = np.maximum(start, finish[pred])
        if step.not_before is not None:
            start = np.maximum(start, (step.not_before - origin).total_seconds())
        return start + triangular_ppf(u, draw.low, draw.mode, draw.high)

    def forecast(
        self,
        state: RunState,
        now: datetime,
        scales: Mapping[str, float] | None = None,
    ) -> Forecast:
        origin = _origin(state)
        ends = self.finishes(state, now, scales)
        window = state.plan.window
        deadline = (window.end - origin).total_seconds()
        buffer_line = deadline - window.buffer_time.total_seconds()
        p_in = float(np.mean(ends <= deadline))
        p50, p80 = np.quantile(ends, [0.5, 0.8])
        return Forecast(
            iterations=self.iterations,
            p50=origin + timedelta(seconds=float(p50)),
            p80=origin + timedelta(seconds=float(p80)),
            p_in_window=p_in,
            p_in_buffer=float(np.mean(ends <= buffer_line)),
            standard_error=float(np.sqrt(max(p_in * (1 - p_in), 1e-12) / self.iterations)),
        )


def _origin(state: RunState) -> datetime:
    """Time zero of the simulation: the window start (rollback steps are measured from it too)."""
    return state.plan.window.start

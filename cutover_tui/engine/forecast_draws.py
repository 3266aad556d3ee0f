"""The distributions a forecast draws from: a step's three-point range, the triangular
distribution over it, and the night's shared slowness (engine/forecast.py simulates with them).

Split out of engine/forecast.py unchanged; forecast.py re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .forecast_graph import DEFAULT_HIGH, DEFAULT_LOW
from .state import PlannedStep


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
    # A live estimate change may move the budget outside the file's range: the range follows.
    return StepDraw(min(low, budget) * scale, budget * scale, max(high, budget) * scale)


def triangular_ppf(u: np.ndarray, low, mode, high) -> np.ndarray:
    """Inverse CDF of the triangular distribution, vectorised over u in [0, 1).

    The parameters may be scalars or arrays broadcasting against u (one row per step).
    """
    low, mode, high = np.asarray(low, float), np.asarray(mode, float), np.asarray(high, float)
    width = high - low
    flat = width <= 0
    safe = np.where(flat, 1.0, width)
    cut = np.where(flat, 0.0, (mode - low) / safe)
    left = low + np.sqrt(u * safe * (mode - low))
    right = high - np.sqrt((1 - u) * safe * (high - mode))
    out = np.where(u < cut, left, right)
    return np.where(flat, mode, out) if np.any(flat) else out


def triangular_cdf(x: float, low: float, mode: float, high: float) -> float:
    if x <= low:
        return 0.0
    if x >= high:
        return 1.0
    if x <= mode:
        return (x - low) ** 2 / ((high - low) * (mode - low)) if mode > low else 0.0
    return 1 - (high - x) ** 2 / ((high - low) * (high - mode)) if high > mode else 1.0


def triangular_cdf_array(x: np.ndarray, low: float, mode: float, high: float) -> np.ndarray:
    """triangular_cdf over an array of x (scalar parameters)."""
    if high <= low:
        return (x >= mode).astype(float)
    width = high - low
    below = (x - low) ** 2 / (width * (mode - low)) if mode > low else np.zeros_like(x)
    above = 1 - (high - x) ** 2 / (width * (high - mode)) if high > mode else np.ones_like(x)
    out = np.where(x <= mode, below, above)
    return np.clip(np.where(x <= low, 0.0, np.where(x >= high, 1.0, out)), 0.0, 1.0)


# -- the night's slowness --------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Slowness:
    """How much slower than its three-point range each step runs tonight, as a distribution.

    Log factors per group are jointly normal (`mean`, `cov`); in each iteration a step of
    group g has its whole range multiplied by exp(eta_g) of that iteration. Steps not in
    `group_of` belong to the first group. `Slowness.shared(1.3, 0.1)`: every step 30 % slower,
    give or take about 10 %, the same draw for every step of one simulated night. `step_noise`
    adds each step's own log-normal deviation (median 1), drawn per step and iteration: real
    steps scatter more widely than most three-point ranges admit, and where parallel streams
    join, the wider scatter makes the join later. `latency` adds, in quadrature, a log sd of
    latency / budget: a 5-minute step ticked off a minute late is 20 % over, a 2-hour one is not.
    """

    groups: tuple[str, ...] = ("night",)
    mean: np.ndarray = field(default_factory=lambda: np.zeros(1))
    cov: np.ndarray = field(default_factory=lambda: np.zeros((1, 1)))
    group_of: Mapping[str, str] = field(default_factory=dict)
    step_noise: float = 0.0  # log sd of each step's own deviation beyond its range
    latency: float = 0.0  # seconds: absolute scatter (tick-off latency), felt by short steps
    tail: float = np.inf  # degrees of freedom of the scatter: Student t, normal when infinite

    @classmethod
    def shared(cls, factor: float = 1.0, spread: float = 0.0, step_noise: float = 0.0) -> Slowness:
        """One factor for every step: median `factor`, log standard deviation `spread`."""
        return cls(
            ("night",), np.array([np.log(factor)]), np.array([[spread**2]]), step_noise=step_noise
        )

    def factors(self, normals: np.ndarray) -> np.ndarray:
        """exp(eta): (groups x iterations), from standard normals of the same shape."""
        root = covariance_root(np.asarray(self.cov, float))
        return np.exp(np.asarray(self.mean, float)[:, None] + root @ normals)


def covariance_root(cov: np.ndarray) -> np.ndarray:
    """A lower-triangular L with L @ L.T = cov (Cholesky), continuous in cov.

    Not an eigendecomposition: for a repeated eigenvalue (untouched phases share one prior
    variance) eigh returns an arbitrary basis of the eigenspace, which changed with the last
    bits of cov from one second (and one process) to the next, and so did the odds. Rows of
    zero variance (a factor known exactly) stay zero; a matrix that is positive semidefinite
    but singular to rounding gets the smallest jitter on its diagonal that makes it definite.
    """
    sym = (cov + cov.T) / 2
    root = np.zeros_like(sym)
    live = np.flatnonzero(np.diag(sym) > 0)
    if not len(live):
        return root
    sub = sym[np.ix_(live, live)]
    jitter = 0.0
    scale = float(np.max(np.diag(sub)))
    for _ in range(12):
        try:
            part = np.linalg.cholesky(sub + jitter * np.eye(len(live)))
            break
        except np.linalg.LinAlgError:
            jitter = scale * 1e-12 if jitter == 0 else jitter * 10
    else:  # not positive semidefinite at all: keep only its diagonal
        part = np.diag(np.sqrt(np.clip(np.diag(sub), 0.0, None)))
    root[np.ix_(live, live)] = part
    return root

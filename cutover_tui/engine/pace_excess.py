"""How much more work tonight's finished steps took than the pace model's own scatter allows.

The pace (engine/pace.py) is fitted on log scale, robustly: a step that ran three times its
budget is set aside as an outlier, so one snag does not condemn a night. But the rest of the
night pays for snags in minutes, not in logs, and overruns are lopsided: a snag triples a step,
no step runs in a third of its range. The forecast draws each remaining step as its range x the
night's factor x its own scatter (symmetric on log scale), so where tonight's steps scatter
more to the slow side than that, the forecast was short of work: on the simulated nights of
benchmarks/pace_accuracy.py (tune set, 20 nights per plan and noise model) the rest of the ERP
night was under-forecast at half the night by 0.037 (uniform) and 0.105 (log-normal) on log
scale with over a hundred steps behind the pace; 0.008 and 0.008 with this correction.

The correction is the classic retransformation ("smearing", Duan 1983) of a log-scale fit: the
ratio of the minutes the finished steps took to the minutes the forecast's model expects of
them at the fitted pace, over the same steps (a ratio of sums, so long steps weigh by their
length), on log scale, shrunk toward none by `pseudo_steps` of prior evidence:

    excess = n_eff / (n_eff + pseudo_steps) * log( sum actual_i / sum expected_i )

with n_eff the steps' effective number (Kish: (sum expected)^2 / sum expected^2: one long
step among short ones is nearly one step of evidence, not a fraction). The forecast draws every
remaining step exp(excess) longer; the pace shown (`Pace.factor`) stays the robust one.
Steps the fit set aside as fast outliers (done in a small share of their budget) are
left out of the sums: a snag only runs long, and a step ticked off late or done beforehand
says nothing of the minutes the rest will take (engine/pace.py).

Pure numpy; the model's mean scatter E[exp(clip(sd * t))] comes from a fixed set of draws, so
every process computes the same figure.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from .forecast import MAX_SCATTER

EXCESS_STEPS = (
    20.0  # prior evidence, in steps, that tonight's scatter is the model's own (tune set)
)
_DRAWS = 4096


@lru_cache(maxsize=16)
def _t_draws(tail: float) -> np.ndarray:
    """Fixed standard (Student t when `tail` is finite) draws: the same in every process."""
    rng = np.random.Generator(np.random.PCG64(20261201))
    z = rng.standard_normal(_DRAWS)
    if math.isfinite(tail):
        z /= np.sqrt(rng.chisquare(tail, _DRAWS) / tail)
    return z


_ROWS = 64  # rows of _DRAWS draws worked at a time: 2 MB per temporary


def mean_scatter(sd: np.ndarray, tail: float) -> np.ndarray:
    """E[exp(clip(sd * t))] per step: the forecast's own mean scatter (median 1).

    Worked once per distinct sd (most steps share one: no latency prior) and a few rows at a
    time: a (steps x draws) matrix was 335 MB at 10,000 finished steps, three at once."""
    z = _t_draws(float(tail))
    distinct, where = np.unique(np.asarray(sd, float), return_inverse=True)
    means = np.empty(len(distinct))
    for top in range(0, len(distinct), _ROWS):
        rows = distinct[top : top + _ROWS]
        scatter = np.clip(rows[:, None] * z[None, :], -MAX_SCATTER, MAX_SCATTER)
        means[top : top + _ROWS] = np.exp(scatter).mean(axis=1)
    return means[where.reshape(-1)]


def excess(
    actual: np.ndarray,
    expected: np.ndarray,
    pseudo_steps: float = EXCESS_STEPS,
) -> float:
    """The shrunk log excess of `actual` over `expected` minutes (finished steps only)."""
    actual, expected = np.asarray(actual, float), np.asarray(expected, float)
    if not len(actual) or not math.isfinite(pseudo_steps) or expected.sum() <= 0:
        return 0.0
    n_eff = expected.sum() ** 2 / float((expected**2).sum())
    raw = math.log(actual.sum() / expected.sum())
    return n_eff / (n_eff + max(pseudo_steps, 0.0)) * raw


__all__ = ["EXCESS_STEPS", "excess", "mean_scatter"]

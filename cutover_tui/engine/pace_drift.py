"""How far the rest of the night may still stray from its pace: learnt from the night itself.

The pace prior (engine/pace.py, `PacePrior.drift`) lets the rest of a night stray from the pace
seen so far by a shared log-normal deviation of sd 0.2, a reference class: whole nights stray
from their estimates by more than their planners' spread allows. Before the night, nothing
better is known. But a night that has run at a steady pace through thirty steps has shown how
much its pace wobbles, and one whose pace lurched from one hour to the next has shown that
too. Drawn at 0.2 whatever the night shows, the odds stayed as wide on a steady night at 75 %
as at 10 %: too hopeful at stated 20-50 % on the simulated nights of benchmarks/foresight.py
(issue 21), whose nights do not drift.

The model: the finished steps, in the order they finished, fall into segments of
`SEGMENT_STEPS`; each segment's pace deviates from the night's fitted pace by its own draw of
sd tau (the drift), on top of its steps' own scatter. A segment's mean residual m_g (weighted
as the fit weighed its steps, so a snag the fit set aside moves it little) then has
E[m_g^2] = v_g + tau^2, v_g the sampling variance of that mean. The prior on tau^2 is worth
`prior_segments` segments at the reference class's drift (a scaled inverse chi-square), so

    tau^2 = (prior_segments * drift^2 + sum_g (m_g^2 - v_g)) / (prior_segments + G)

floored at a quarter of the prior's sd: no night proves it cannot drift at all. The rest of
the night is drawn with this tau instead of the fixed drift: a steady night's odds narrow as
evidence comes in, a lurching night's widen. With fewer than two segments it is the prior.

Pure numpy, deterministic (no random draws); `now` is not needed: the segments are the
finished steps' finishing order.
"""

from __future__ import annotations

import math

import numpy as np

SEGMENT_STEPS = 5  # finished steps per segment of the night's pace
PRIOR_SEGMENTS = 4.0  # the reference class's drift is worth this many segments of evidence
FLOOR = 0.25  # the learnt drift never goes below this share of the prior's


def learnt_drift(
    residual: np.ndarray,
    sd: np.ndarray,
    weight: np.ndarray,
    finished: np.ndarray,
    prior_drift: float,
    prior_segments: float = PRIOR_SEGMENTS,
) -> float:
    """The posterior drift (log sd) from the finished steps' residuals against the fitted pace.

    `residual` (log scale, y - fitted), `sd` (each step's own scatter), `weight` (the fit's
    robust weights) and `finished` (a sortable finishing moment, e.g. seconds) are per step.
    """
    if not math.isfinite(prior_segments) or prior_drift <= 0:
        return prior_drift
    residual = np.asarray(residual, float)
    n = len(residual)
    groups = n // SEGMENT_STEPS
    if groups < 2:
        return prior_drift
    order = np.argsort(np.asarray(finished, float), kind="stable")
    precision = np.asarray(weight, float)[order] / np.asarray(sd, float)[order] ** 2
    values = residual[order]
    excess = 0.0
    for chunk in np.array_split(np.arange(n), groups):
        p = precision[chunk]
        total = float(p.sum())
        if total <= 0:
            continue
        mean = float((p * values[chunk]).sum()) / total
        excess += mean * mean - 1.0 / total
    prior = max(prior_segments, 0.0)
    tau2 = (prior * prior_drift**2 + excess) / (prior + groups)
    return max(math.sqrt(max(tau2, 0.0)), FLOOR * prior_drift)


__all__ = ["FLOOR", "PRIOR_SEGMENTS", "SEGMENT_STEPS", "learnt_drift"]

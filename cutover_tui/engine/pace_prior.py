"""What we believe about tonight's pace before any step finishes (`PacePrior`), and the
reference-class constants behind its defaults (engine/pace.py fits the night against it).

Split out of engine/pace.py unchanged; pace.py re-exports every name here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .pace_drift import PRIOR_SEGMENTS
from .pace_excess import EXCESS_STEPS

REFERENCE_DRIFT = 0.2  # log sd of the rest of a night against its pace so far (reference class)
# Degrees of freedom of the night's prior: normal (infinite) by default. A Student t prior with
# the normal's curvature at its centre was tried (issue 21): on the tune nights of
# benchmarks/pace_accuracy.py it cut the RMSE of the pace at a quarter of the night from 0.159
# to 0.149 (log scale), but it also let one step running past its budget (censored evidence)
# pull the pace from 1.3 to 1.9 and move the P80 of an idle run 13 minutes in 8 seconds
# (tests/test_steady_odds.py). Kept as an option (PacePrior(night_tail=4)), not the default.
NIGHT_TAIL = math.inf


@dataclass(frozen=True)
class PacePrior:
    """What we believe about tonight's pace before any step finishes.

    `factor` and `spread`: the night-to-night slowness from the rehearsal history (median and
    log standard deviation), relative to the steps' three-point ranges times `scales`. The
    default, with no history, is centred on 1 (the three-point ranges, already skewed towards
    overruns, are right on average) with a spread of 0.2.

    `drift`: how far the rest of a night may still stray from its pace so far, a shared
    deviation of every remaining step drawn in the forecast (centred on the pace, so one
    long-running step moves the pace no faster; its size is then learnt from how the
    finished steps' pace wobbles, engine/pace_drift.py). It is the reference class:
    whole nights stray from their estimates by more than their planners' spread allows (the
    planning fallacy; a reference class of past projects forecasts them better than plain
    Monte Carlo, Batselier and Vanhoucke 2016), and a night that ran to plan for two hours
    can still meet a slow data load. With `spread` it makes a night's slowness, before any
    evidence, log-normal with sd 0.28: one night in ten more than 43 % slower than its
    ranges, one in ten 30 % faster. Without it the odds were confidently wrong on slow
    nights (issue 21). An assumption, said in the README, until rehearsals replace `spread`.
    """

    factor: float = 1.0
    spread: float = 0.2
    drift: float = REFERENCE_DRIFT
    phase_spread: float = 0.1  # log sd of one phase's deviation from the night
    step_noise: float = 0.2  # log sd of one step's deviation beyond its three-point range
    latency: float = 0.0  # seconds of absolute scatter (tick-off latency): short steps say less
    tail: float = 4.0  # degrees of freedom of the step likelihood: lower is more robust
    night_tail: float = NIGHT_TAIL  # degrees of freedom of the night's prior (see NIGHT_TAIL)
    excess_steps: float = EXCESS_STEPS  # prior steps behind "no excess" (engine/pace_excess.py)
    # the drift is learnt from the night, this many segments of evidence behind the prior's
    # (engine/pace_drift.py; inf: the drift stays `drift` all night)
    drift_segments: float = PRIOR_SEGMENTS
    scales: Mapping[str, float] = field(default_factory=dict)  # per step, from calibration
    heavy_scatter: bool = True  # the forecast draws steps' scatter with the same heavy tail

    @classmethod
    def from_rehearsals(
        cls, night_factors: Sequence[float], scales: Mapping[str, float] | None = None
    ) -> PacePrior:
        """A prior from the slowness of past rehearsals (each relative to the calibrated plan).

        The median is their geometric mean; the spread their log standard deviation, never
        below the default's half, and widened when there are few of them.
        """
        logs = np.log(np.asarray(night_factors, float))
        logs = logs[np.isfinite(logs)]
        if not len(logs):
            return cls(scales=dict(scales or {}))
        default = cls.spread
        sd = float(np.std(logs, ddof=1)) if len(logs) > 1 else default
        spread = math.sqrt(max(sd, default / 2) ** 2 + default**2 / (len(logs) + 1))
        return cls(factor=float(np.exp(logs.mean())), spread=spread, scales=dict(scales or {}))

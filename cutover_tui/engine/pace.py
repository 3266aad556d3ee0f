"""Tonight's pace: how much slower (or faster) than their estimates the steps are running.

Steps of one night are not independent: when the first hours run slow, the rest of the night
usually does too (the same people, the same data volumes, the same network). `infer_pace`
reads the steps that finished (and the ones running long) and estimates

- a shared slowness factor for the night (1.0: steps take what their three-point range says;
  1.3: 30 % longer), and
- per phase, that phase's own deviation from the night, where its evidence supports one,

as a posterior distribution, which `Forecaster` draws from once per iteration (`Pace.slowness`),
so P(finish in the window) carries the uncertainty about the pace instead of a point guess.

The model, on log scale. For a finished step i with budget b_i and actual a_i (time suspended
excluded), y_i = log(a_i / b_i) - m_i, where m_i is the expected log ratio under the step's own
triangular range (times its calibrated scale from the rehearsals), so a night that runs exactly
as estimated has y around 0. Then

    y_i = theta + phi[phase(i)] + s_i * e_i,   e_i ~ Student t (`PacePrior.tail` degrees)

with s_i^2 = the variance of the step's log duration under its range + `step_noise`^2
(+ (`latency` / b_i)^2), a
normal prior theta ~ N(log prior.factor, prior.spread^2) (the rehearsal history, or a default
centred on 1) and phi ~ N(0, phase_spread^2). The heavy tail makes one step that ran three times
its budget an outlier rather than proof that the night is slow. A running step that has already
run longer than the budget is censored evidence (its ratio is at least the time spent so far).

The forecast then draws the remaining steps from the same model: each step's range times the
night's factor and its phase's (one joint draw per iteration, from the posterior below) times
its own scatter, Student t on log scale with the same tail (clipped at 4x), so the snags that
the fit sets aside as outliers still happen in the simulated nights; and every remaining step
is drawn longer by tonight's excess over that scatter (`engine.pace_excess`: the minutes the
finished steps took beyond what the model expects of them, shrunk), since snags are
lopsided. `latency` (seconds) adds an absolute scatter, felt by short steps: a 5-minute step
ticked off a minute late says little.

Fitted by iteratively reweighted least squares (EM for the t weights, Newton steps for the
censored terms) on a (phases + 1)-dimensional Gaussian; the Laplace approximation at the
optimum is the posterior. Pure and cheap: numpy over the finished steps, no I/O, `now` passed in.
The prior lives in `engine.pace_prior`, the evidence line's words in `engine.pace_words`;
this module re-exports their names.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from .forecast import Slowness, step_range, triangular_ppf
from .pace_drift import learnt_drift
from .pace_excess import excess, mean_scatter
from .pace_prior import (  # re-exported: callers import these from here
    NIGHT_TAIL,  # noqa: F401
    REFERENCE_DRIFT,
    PacePrior,
)
from .pace_words import _describe, _ratio, over_budget, percent  # re-exported
from .state import RunState
from .timings import decided_at_once, ticked_off

_QUADRATURE = (np.arange(64) + 0.5) / 64  # midpoints for E[log duration] under a range
RECENT = 6  # the evidence text speaks of the last this many steps
OUTLIER = 3.0  # standardised residual beyond which a step is named as an outlier
MIN_RUNNING = timedelta(minutes=1)  # a running step counts as evidence after this long


@dataclass(frozen=True)
class StepEvidence:
    """One finished (or long-running) step, as the pace inference saw it."""

    step: str
    phase: str | None
    budget: timedelta
    actual: timedelta  # so far, for a running step
    finished_at: datetime | None  # None: still running (censored evidence)
    residual: float  # standardised: (y - fitted) / s
    weight: float  # its t weight in the fit: about 1 for a typical step, near 0 for an outlier

    @property
    def ratio(self) -> float:
        return self.actual / self.budget

    @property
    def outlier(self) -> bool:
        return self.finished_at is not None and abs(self.residual) > OUTLIER


@dataclass(frozen=True, eq=False)
class Pace:
    """The night's pace: a point estimate to show, and a distribution for the forecast."""

    factor: float  # posterior median of the shared slowness, relative to the estimates
    low: float  # 80 % credible interval of the factor
    high: float
    per_phase: Mapping[str, float]  # phase id -> its factor (night x phase), phases with evidence
    evidence: str  # "the last 6 steps ran 48 % over budget"
    n: int  # finished steps used
    running: int  # running steps counted as censored evidence
    ratio: float | None  # actual / budget over the finished steps, outliers set aside
    recent_ratio: float | None  # the same over the last RECENT of them
    outliers: tuple[str, ...]
    steps: tuple[StepEvidence, ...]
    slowness: Slowness  # for Forecaster: one draw of the pace per iteration
    step_scales: Mapping[str, float]  # the calibrated per-step scales (from the prior)
    excess: float = 1.0  # the rest of the night is drawn this much longer (engine/pace_excess)
    drift: float = REFERENCE_DRIFT  # how far the rest may stray, learnt (engine/pace_drift)

    def scales(self, step_ids: Sequence[str]) -> dict[str, float]:
        """Point scales for `step_ids` at this pace (for a single deterministic projection)."""
        row = {g: i for i, g in enumerate(self.slowness.groups)}
        out = {}
        for sid in step_ids:
            g = row.get(self.slowness.group_of.get(sid, ""), 0)
            out[sid] = self.step_scales.get(sid, 1.0) * float(np.exp(self.slowness.mean[g]))
        return out


def log_moments(low: np.ndarray, mode: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, ...]:
    """Mean and variance of log(duration / budget) under triangular ranges (one per row)."""
    safe = np.where(mode > 0, mode, 1.0)
    x = triangular_ppf(
        _QUADRATURE[None, :], (low / safe)[:, None], 1.0, np.maximum(high / safe, 1.0)[:, None]
    )
    logs = np.log(np.maximum(x, 1e-9))
    return logs.mean(axis=1), logs.var(axis=1)


def _normal_tail_ratio(a: float) -> float:
    """phi(a) / (1 - Phi(a)), the inverse Mills ratio, stable for large a."""
    if a > 8:
        return a + 1 / a - 2 / a**3
    tail = 0.5 * math.erfc(a / math.sqrt(2))
    return math.exp(-0.5 * a * a) / math.sqrt(2 * math.pi) / max(tail, 1e-300)


def infer_pace(state: RunState, now: datetime, prior: PacePrior | None = None) -> Pace:
    """Tonight's pace from the steps finished (and running long) by `now`."""
    prior = prior or PacePrior()
    origin = state.plan.window.start
    rows: list[tuple[str, float, float, float, bool, datetime | None]] = []
    # (step, budget s, actual s, scale, censored, finished_at)
    for sid in state.all_ids():
        st = state.status[sid]
        step = state.steps[sid]
        budget = step.duration.total_seconds()
        if budget <= 0 or st.started_at is None:
            continue
        if st.status == "done" and st.finished_at is not None:
            actual = st.actual.total_seconds()  # monotonic within one boot
            if actual <= 0 or ticked_off(step, st) or decided_at_once(step, st):
                continue  # ticked off without a start, or seconds after it: not a timing
            rows.append((sid, budget, actual, prior.scales.get(sid, 1.0), False, st.finished_at))
        elif st.status in ("running", "suspended"):
            spent = st.ran_by(now).total_seconds()  # time suspended and jumps left out
            if spent >= MIN_RUNNING.total_seconds():
                rows.append((sid, budget, spent, prior.scales.get(sid, 1.0), True, None))

    phases = sorted({state.steps[r[0]].phase for r in rows if state.steps[r[0]].phase})
    column = {p: j + 1 for j, p in enumerate(phases)}
    k = len(phases) + 1
    prior_mean = np.zeros(k)
    prior_mean[0] = math.log(prior.factor)
    prior_precision = np.diag([prior.spread**-2] + [prior.phase_spread**-2] * len(phases))

    if rows:
        ranges = [step_range(state.steps[r[0]]) for r in rows]
        m, v = log_moments(
            np.array([d.low for d in ranges]),
            np.array([d.mode for d in ranges]),
            np.array([d.high for d in ranges]),
        )
        budget = np.array([r[1] for r in rows])
        actual = np.array([r[2] for r in rows])
        scale = np.array([r[3] for r in rows])
        censored = np.array([r[4] for r in rows])
        y = np.log(actual / budget) - m - np.log(scale)
        s = np.sqrt(v + prior.step_noise**2 + (prior.latency / budget) ** 2)
        x = np.zeros((len(rows), k))
        x[:, 0] = 1.0
        for i, r in enumerate(rows):
            p = state.steps[r[0]].phase
            if p:
                x[i, column[p]] = 1.0
        beta, precision, weight = _fit(
            y, s, x, censored, prior_mean, prior_precision, prior.tail, prior.night_tail
        )
        fitted = x @ beta
        residual = np.where(censored, 0.0, (y - fitted) / s)
        means = np.array([(d.low + d.mode + d.high) / 3 for d in ranges]) * scale
        tail = prior.tail if prior.heavy_scatter else math.inf
        spread = np.sqrt(prior.step_noise**2 + (prior.latency / budget) ** 2)
        expected = means * np.exp(fitted) * mean_scatter(spread, tail)
        done = ~censored
        # A step set aside as a fast outlier (done in a tenth of its budget: ticked off
        # late, or its work done before) says nothing of the minutes the rest will take:
        # the smearing is for snags, which only run long (user pass, 2026-12-02: one such
        # step "set aside" moved the likely finish 74 minutes earlier through the excess).
        smeared = done & (residual >= -OUTLIER)
        shift = excess(actual[smeared], expected[smeared], prior.excess_steps)
        when = np.array([(r[5] - origin).total_seconds() if r[5] else 0.0 for r in rows])
        drift = learnt_drift(
            (y - fitted)[done], s[done], weight[done], when[done], prior.drift, prior.drift_segments
        )
    else:
        beta, precision = prior_mean, prior_precision
        weight = residual = np.zeros(0)
        shift, drift = 0.0, prior.drift
    cov = np.linalg.inv(precision)

    evidence = tuple(
        StepEvidence(
            step=r[0],
            phase=state.steps[r[0]].phase,
            budget=timedelta(seconds=r[1]),
            actual=timedelta(seconds=r[2]),
            finished_at=r[5],
            residual=float(residual[i]),
            weight=float(weight[i]),
        )
        for i, r in enumerate(rows)
    )
    slowness = _slowness(state, beta, cov, phases, prior, shift, drift)
    theta, sd = float(beta[0]), math.sqrt(max(cov[0, 0], 0.0))
    per_phase = {p: float(np.exp(beta[0] + beta[column[p]])) for p in phases}
    finished = [e for e in evidence if e.finished_at is not None]
    kept = [e for e in finished if not e.outlier]
    kept.sort(key=lambda e: e.finished_at or origin)
    recent = kept[-RECENT:]
    ratio = _ratio(kept)
    recent_ratio = _ratio(recent)
    outliers = tuple(e.step for e in finished if e.outlier)
    text = _describe(state, evidence, kept, recent, outliers, per_phase, phases, theta, prior)
    return Pace(
        factor=math.exp(theta),
        low=math.exp(theta - 1.2816 * sd),
        high=math.exp(theta + 1.2816 * sd),
        per_phase=per_phase,
        evidence=text,
        n=len(finished),
        running=len(evidence) - len(finished),
        ratio=ratio,
        recent_ratio=recent_ratio,
        outliers=outliers,
        steps=evidence,
        slowness=slowness,
        step_scales=dict(prior.scales),
        excess=math.exp(shift),
        drift=drift,
    )


def _fit(
    y: np.ndarray,
    s: np.ndarray,
    x: np.ndarray,
    censored: np.ndarray,
    prior_mean: np.ndarray,
    prior_precision: np.ndarray,
    tail: float,
    night_tail: float = math.inf,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MAP of the t-prior (night), t-likelihood, partly censored linear model, by IRLS.

    The night's prior is a Student t with `night_tail` degrees of freedom and the curvature
    of the normal prior at its centre: its EM weight (nu + 1) / (nu + 1 + z^2), z the night's
    distance from the prior centre in prior sds, scales the prior's precision, so a night far
    from the prior leans on its own evidence (normal again when `night_tail` is infinite).
    """
    beta = prior_mean.copy()
    weight = np.ones(len(y))
    pseudo = y.copy()
    precision = prior_precision
    for _ in range(50):
        prior_p = _night_weighted(prior_precision, beta[0] - prior_mean[0], night_tail)
        prior_b = prior_p @ prior_mean
        mu = x @ beta
        z = (y - mu) / s
        weight = (tail + 1) / (tail + z * z)  # EM weights of the Student t
        pseudo = y.copy()
        for i in np.flatnonzero(censored):
            # y_i >= c_i (the ratio so far): a Newton step on log P(y > c), damped like a
            # t-distributed observation when the step is far past what the fit expects.
            a = float(z[i])
            lam = _normal_tail_ratio(a)
            info = lam * (lam - a)
            pseudo[i] = mu[i] + s[i] / max(lam - a, 1e-9)
            weight[i] = info * (tail + 1) / (tail + max(a, 0.0) ** 2)
        w = weight / (s * s)
        precision = prior_p + (x * w[:, None]).T @ x
        updated = np.linalg.solve(precision, prior_b + (x * (w * pseudo)[:, None]).sum(axis=0))
        if np.max(np.abs(updated - beta)) < 1e-7:
            beta = updated
            break
        beta = updated
    return beta, precision, weight


def _night_weighted(prior_precision: np.ndarray, offset: float, night_tail: float) -> np.ndarray:
    """The prior precision with the night's term weighted by its Student t EM weight."""
    if not math.isfinite(night_tail):
        return prior_precision
    z2 = offset * offset * prior_precision[0, 0]
    out = prior_precision.copy()
    out[0, 0] *= (night_tail + 1) / (night_tail + 1 + z2)
    return out


def _slowness(
    state: RunState,
    beta: np.ndarray,
    cov: np.ndarray,
    phases: list[str],
    prior: PacePrior,
    shift: float = 0.0,
    drift: float | None = None,
) -> Slowness:
    """The joint distribution of the log factor of each remaining phase, for the forecast.

    A phase with evidence: night + its own effect, from the fit. A phase without: the night
    plus a fresh phase deviation drawn from the prior. Steps with no phase: the night alone.
    """
    remaining = sorted(
        {state.steps[sid].phase for sid in state.active_ids() if state.steps[sid].phase}
    )
    column = {p: j + 1 for j, p in enumerate(phases)}
    groups = ["night", *[f"phase:{p}" for p in remaining]]
    g = len(groups)
    # eta = J @ [beta, fresh deviations]: rows are groups.
    fresh = [p for p in remaining if p not in column]
    size = len(beta) + len(fresh)
    jac = np.zeros((g, size))
    jac[:, 0] = 1.0
    full_mean = np.concatenate([beta, np.zeros(len(fresh))])
    full_cov = np.zeros((size, size))
    full_cov[: len(beta), : len(beta)] = cov
    for j in range(len(fresh)):
        full_cov[len(beta) + j, len(beta) + j] = prior.phase_spread**2
    for row, p in enumerate(remaining, start=1):
        jac[row, column[p] if p in column else len(beta) + fresh.index(p)] = 1.0
    group_of = {
        sid: f"phase:{state.steps[sid].phase}"
        for sid in state.active_ids()
        if state.steps[sid].phase
    }
    # The drift is shared by every remaining group: the rest of the night strays as a whole.
    cov = jac @ full_cov @ jac.T + (prior.drift if drift is None else drift) ** 2
    return Slowness(
        groups=tuple(groups),
        mean=jac @ full_mean + shift,  # the excess: every remaining step, as a whole
        cov=cov,
        group_of=group_of,
        step_noise=prior.step_noise,
        latency=prior.latency,
        tail=prior.tail if prior.heavy_scatter else np.inf,
    )


__all__ = [
    "Pace",
    "PacePrior",
    "StepEvidence",
    "infer_pace",
    "log_moments",
    "over_budget",
    "percent",
]

"""Calibration: new budgets and three-point estimates from the rehearsal history.

The model, on the log scale, for step s of group g (its phase, else its owner; rollback steps
form groups of their own) in rehearsal k:

    y_sk = log(actual_sk / budget_s) = mu + night_k + group_g + step_s + noise_sk

- `night_k` is the shared run-to-run slowness (a whole rehearsal ran slow or fast), a random
  effect summing to zero. It is fitted together with the steps' own levels by backfitting
  (alternating means until they settle), so a rehearsal that timed only some steps (an
  aborted run, a rollback) is compared on those steps alone. It is then averaged away: a
  calibrated plan is for a typical night, not the last one. Its spread feeds the three-point
  range and the forecast's prior (`prior_from`).
- `sigma^2`, the scatter of one step from rehearsal to rehearsal once the night is taken
  out, is the pooled residual variance (0.04, i.e. 20 %, when no step was timed twice).
- Partial pooling (empirical Bayes, method of moments) at two levels. A step's own mean
  `a_s` (over its n_s rehearsals) is shrunk toward its group's estimate with weight
  n_s / (n_s + sigma^2 / tau^2), where tau^2 is the spread of steps within a group; a group's
  level (its steps' levels weighted by their precision 1 / (tau^2 + sigma^2 / n_s)) is shrunk
  toward the overall `mu` with weight omega^2 / (omega^2 + v_g), where omega^2 is the spread
  between groups and v_g the sampling variance of the group's level. A step seen
  once is pulled toward how its phase ran; a step seen often stands on its own evidence; a
  step never timed takes its phase's pace (or the overall pace). tau^2 and omega^2 are
  floored at 5 % on the log scale, so no level ever swallows the one below it entirely.

Proposed budget = budget x exp(effect), effect = mu + shrunk group + shrunk step, rounded to
the minute (to the second under a minute): the step's median duration on a typical night.
The three-point estimate describes one night's spread around it, a log-normal with log
standard deviation sqrt(sigma^2 + night variance): low and high are the ends of the
triangle (low, budget, high), which is how the simulation and the forecast read an estimate,
chosen so that the triangle's 10th and 90th percentiles are the log-normal's.

Evidence and limits: each proposal says how many rehearsals timed its step (n; 0: its
phase's pace, over the rehearsals that timed anything). A budget cut by more than half
on fewer than two rehearsals is refused (`evidence.refused_cuts`, one line per step) unless
the caller forces it: one fast night must not halve a plan.

The calibrated plan is written next to the original with tomli-w (the original, with its
comments, is never rewritten) and validates like any plan: rehearse/calibrated_plan.py.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from ..engine.pace import PacePrior
from ..engine.state import RunState
from ..plan.durations import format_duration
from ..plan.model import Plan
from .evidence import evidence_line
from .summary import RehearsalSummary, actual_of

Z90 = 1.2816  # the 90th percentile of a standard normal (the 10th is its negative)
MIN_TAU2 = 0.0025  # between-step spread floor (5 % on the log scale)
MIN_OMEGA2 = 0.0025  # between-group spread floor
DEFAULT_SIGMA2 = 0.04  # within-step scatter when no step was timed twice (20 %)
DEFAULT_LOW, DEFAULT_HIGH = 0.9, 1.5  # of the budget, for a step with no estimate (as simulate)


class CalibrationError(ValueError):
    """Nothing to learn from: said in words for the command line."""


@dataclass(frozen=True)
class Proposal:
    step: str
    budget: timedelta  # as in the plan
    samples: int
    proposed: timedelta
    low: timedelta
    high: timedelta
    weight: float  # how much the step's own evidence counted (0: all from its group)
    scale: float  # proposed / budget before rounding: the step's pace on a typical night
    group: str = ""  # the phase (or owner) it was pooled with


@dataclass(frozen=True)
class Calibration:
    rehearsals: int
    night_factors: tuple[float, ...]  # exp(night_k): each rehearsal's pace against the typical
    mean_factor: float  # exp(mu): the typical rehearsal against the budgets
    sigma: float  # within-step scatter (log scale)
    tau: float  # between-step scatter inside groups (log scale)
    proposals: dict[str, Proposal]
    omega: float = 0.0  # between-group scatter (log scale)
    group_factors: tuple[tuple[str, float], ...] = ()  # exp(mu + shrunk group), per group
    timed: int = 0  # rehearsals that timed at least one step

    def evidence(self, p: Proposal) -> int:
        """Rehearsals behind a proposal: those that timed the step, else (a step never
        timed, given its phase's pace) those that timed anything."""
        return p.samples or self.timed


def _calibrated_steps(plan: Plan) -> list[tuple[object, str]]:
    """The steps calibration proposes for, each with its pooling group. Gates (a meeting
    whose length is the approvers' to choose) and zero-length milestones are left alone."""
    out = []
    for s in plan.step:
        if s.kind != "gate" and s.duration > timedelta(0):
            out.append((s, s.phase or f"owner {s.owner}"))
    for s in plan.rollback_steps:
        if s.kind != "gate" and s.duration > timedelta(0):
            out.append((s, f"rollback {s.phase or s.owner}"))
    return out


def calibrate(plan: Plan, states: Sequence[RunState | RehearsalSummary]) -> Calibration:
    steps = _calibrated_steps(plan)
    group_of = {s.id: g for s, g in steps}
    logs: dict[str, dict[int, float]] = {}
    for s, _ in steps:
        for k, state in enumerate(states):
            actual = actual_of(state, s.id)  # a summary holds step_actual's figure
            if actual is not None and actual.total_seconds() > 0:
                logs.setdefault(s.id, {})[k] = math.log(actual / s.duration)
    if not logs:
        raise CalibrationError(
            f"the {len(states)} rehearsal(s) have no finished step to learn from"
        )

    # 1. Steps' own levels and the nights, by backfitting.
    level, night = _backfit(logs, len(states))
    resid = [v - level[sid] - night[k] for sid, per in logs.items() for k, v in per.items()]
    dof = len(resid) - len(logs) - max(0, sum(1 for n in night if n is not None) - 1)
    sigma2 = sum(r * r for r in resid) / dof if dof > 0 else DEFAULT_SIGMA2
    sigma2 = max(sigma2, 1e-4)
    nights = [n if n is not None else 0.0 for n in night]
    counts = {sid: len(per) for sid, per in logs.items()}

    # 2. Groups, and the spreads of steps within them and of groups around the whole.
    members: dict[str, list[str]] = {}
    for sid in logs:
        members.setdefault(group_of[sid], []).append(sid)
    group_mean = {g: statistics.fmean(level[s] for s in ids) for g, ids in members.items()}
    mu = statistics.fmean(level.values())
    within = [
        (level[s] - group_mean[g]) ** 2 * len(ids) / (len(ids) - 1) - sigma2 / counts[s]
        for g, ids in members.items()
        if len(ids) > 1
        for s in ids
    ]
    tau2 = max(statistics.fmean(within), MIN_TAU2) if within else MIN_TAU2

    # A group's level: its steps' levels weighted by their precision 1 / (tau^2 + sigma^2/n).
    precision = {s: 1 / (tau2 + sigma2 / counts[s]) for s in logs}
    group_mean = {
        g: sum(precision[s] * level[s] for s in ids) / sum(precision[s] for s in ids)
        for g, ids in members.items()
    }

    def sampling(g: str) -> float:  # variance of a group's level
        return 1 / sum(precision[s] for s in members[g])

    if len(members) > 1:
        between = [
            (m - mu) ** 2 * len(members) / (len(members) - 1) - sampling(g)
            for g, m in group_mean.items()
        ]
        omega2 = max(statistics.fmean(between), MIN_OMEGA2)
    else:
        omega2 = MIN_OMEGA2
    group_effect = {
        g: mu + omega2 / (omega2 + sampling(g)) * (m - mu) for g, m in group_mean.items()
    }

    # 3. Each step: its own evidence shrunk toward its group's.
    night_var = statistics.pvariance(nights) if len(nights) > 1 else 0.0
    spread = math.sqrt(sigma2 + night_var)
    proposals = {}
    for s, g in steps:
        n = counts.get(s.id, 0)
        base = group_effect.get(g, mu)
        weight = n / (n + sigma2 / tau2) if n else 0.0
        effect = base + weight * (level[s.id] - base) if n else base
        median = s.duration * math.exp(effect)
        proposed = _round(median)
        low, high = _triangle(proposed, spread)
        proposals[s.id] = Proposal(
            step=s.id,
            budget=s.duration,
            samples=n,
            proposed=proposed,
            low=low,
            high=high,
            weight=weight,
            scale=math.exp(effect),
            group=g,
        )
    return Calibration(
        rehearsals=len(states),
        night_factors=tuple(math.exp(n) for n in nights),
        mean_factor=math.exp(mu),
        sigma=math.sqrt(sigma2),
        tau=math.sqrt(tau2),
        proposals=proposals,
        omega=math.sqrt(omega2),
        group_factors=tuple((g, math.exp(e)) for g, e in group_effect.items()),
        timed=sum(1 for n in night if n is not None),
    )


def _backfit(
    logs: dict[str, dict[int, float]], rehearsals: int, rounds: int = 100
) -> tuple[dict[str, float], list[float | None]]:
    """Steps' levels a_s and nights' effects n_k with y_sk ~ a_s + n_k, the n_k averaging
    zero over the rehearsals that timed anything (None for one that timed nothing)."""
    night: list[float | None] = [
        0.0 if any(k in per for per in logs.values()) else None for k in range(rehearsals)
    ]
    level: dict[str, float] = {}
    for _ in range(rounds):
        level = {
            sid: statistics.fmean(v - (night[k] or 0.0) for k, v in per.items())
            for sid, per in logs.items()
        }
        fresh: list[float | None] = []
        for k in range(rehearsals):
            devs = [per[k] - level[sid] for sid, per in logs.items() if k in per]
            fresh.append(statistics.fmean(devs) if devs else None)
        timed = [n for n in fresh if n is not None]
        centre = statistics.fmean(timed) if timed else 0.0
        fresh = [None if n is None else n - centre for n in fresh]
        moved = max(
            (abs((a or 0.0) - (b or 0.0)) for a, b in zip(fresh, night, strict=True)), default=0
        )
        night = fresh
        if moved < 1e-10:
            break
    level = {
        sid: statistics.fmean(v - (night[k] or 0.0) for k, v in per.items())
        for sid, per in logs.items()
    }
    return level, night


def _triangle(mode: timedelta, spread: float) -> tuple[timedelta, timedelta]:
    """The ends (low, high) of a triangle with this mode whose 10th and 90th percentiles are
    those of a log-normal with median `mode` and log standard deviation `spread`, rounded
    like budgets and strictly around the mode."""
    c = mode.total_seconds()
    left = c * (1 - math.exp(-Z90 * spread))  # mode - P10
    right = c * (math.exp(Z90 * spread) - 1)  # P90 - mode
    if left <= 0 or right <= 0:
        width_low, width_high = left, right
    else:
        width_low, width_high = _ends(left, right)
    unit = _unit(mode)
    low = max(_round(timedelta(seconds=max(c - width_low, 0.0))), unit)
    high = _round(timedelta(seconds=c + width_high))
    if mode > unit:
        low = min(low, mode - unit)
    return low, max(high, mode + unit)


def _ends(left: float, right: float) -> tuple[float, float]:
    """L and R (mode - low, high - mode) of the triangle whose P10 lies `left` below its mode
    and whose P90 lies `right` above it. With q = L / (L + R) the share of the mass below the
    mode, both distances scale with the width: mode - P10 = W (q - sqrt(0.1 q)) and
    P90 - mode = W ((1 - q) - sqrt(0.1 (1 - q))); their ratio rises with q from 0 (q = 0.1)
    to infinity (q = 0.9), so bisection on q finds the one that matches."""

    def below(q: float) -> float:
        return q - math.sqrt(0.1 * q)

    def above(q: float) -> float:
        return (1 - q) - math.sqrt(0.1 * (1 - q))

    lo, hi = 0.1, 0.9
    target = left / right
    for _ in range(80):
        q = (lo + hi) / 2
        if below(q) / above(q) < target:
            lo = q
        else:
            hi = q
    q = (lo + hi) / 2
    width = left / below(q)
    return q * width, (1 - q) * width


def _unit(delta: timedelta) -> timedelta:
    return timedelta(seconds=1) if delta < timedelta(minutes=1) else timedelta(minutes=1)


def _round(delta: timedelta) -> timedelta:
    """To the minute (at least one), or to the second for a step under a minute."""
    if delta < timedelta(seconds=59.5):
        return timedelta(seconds=max(1, round(delta.total_seconds())))
    return timedelta(minutes=max(1, round(delta / timedelta(minutes=1))))


def prior_from(plan: Plan, states: Sequence[RunState | RehearsalSummary]) -> PacePrior | None:
    """The forecast's prior from the rehearsals: each step's typical pace, and how much whole
    rehearsals varied around it. None when nothing can be learnt from them.

    The forecast multiplies a step's whole triangle (low, budget, high) by its scale, so the
    scale maps the triangle's mean onto the calibrated mean: a step with the default range
    0.9..1.5 of its budget averages 1.13 budgets, and a plain proposed/budget would count
    that skew twice."""
    try:
        c = calibrate(plan, states)
    except CalibrationError:
        return None
    by_id = plan.step_by_id
    scales = {}
    for sid, p in c.proposals.items():
        if not p.samples:
            continue
        step = by_id[sid]
        budget = step.duration.total_seconds()
        low = step.estimate.low.total_seconds() if step.estimate else budget * DEFAULT_LOW
        high = step.estimate.high.total_seconds() if step.estimate else budget * DEFAULT_HIGH
        tri_mean = (min(low, budget) + budget + max(high, budget)) / 3
        # The night's own slowness is the prior's (from night_factors), not the step's.
        calibrated_mean = budget * p.scale * math.exp(c.sigma**2 / 2)
        scales[sid] = calibrated_mean / tri_mean
    return PacePrior.from_rehearsals(c.night_factors, scales)


def render_changes(plan: Plan, c: Calibration) -> str:
    nights = ", ".join(f"{f:.2f}x" for f in c.night_factors)
    lines = [
        f"{c.rehearsals} rehearsal(s) counted; typical pace {c.mean_factor:.2f}x the budgets; "
        f"each rehearsal against a typical one: {nights}",
        f"scatter: within a step {c.sigma:.0%}, between steps of a phase {c.tau:.0%}, "
        f"between phases {c.omega:.0%}",
        evidence_line(c),
        "n: rehearsals that timed the step (0: none, its phase's pace); own: how much its "
        "own timings counted; *: a new budget",
        "",
        f"  {'step':30} {'budget':>8} {'n':>3} {'proposed':>9} {'change':>7} "
        f"{'low':>7} {'high':>7} {'own':>5}",
    ]
    for s in [*plan.step, *plan.rollback_steps]:
        p = c.proposals.get(s.id)
        if p is None:
            continue
        mark = "" if p.proposed == p.budget else " *"
        change = p.proposed / p.budget - 1
        lines.append(
            f"  {s.id[:30]:30} {format_duration(p.budget):>8} {p.samples:>3} "
            f"{format_duration(p.proposed):>9} {change:>+7.0%} {format_duration(p.low):>7} "
            f"{format_duration(p.high):>7} {p.weight:>5.0%}{mark}"
        )
    return "\n".join(lines)

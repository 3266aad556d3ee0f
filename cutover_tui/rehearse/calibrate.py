"""Calibration: new budgets and three-point estimates from the rehearsal history.

The model, on the log scale, for step s of phase p in rehearsal k:

    log(actual / budget) = mu + night_k + phase_p + step_s + noise

- `night_k` is the shared run-to-run slowness (a whole rehearsal ran slow or fast): estimated
  as rehearsal k's mean log-ratio over the steps it shares with the others, minus the grand
  mean, and averaged away (a calibrated plan is for a typical night, not the last one);
- `phase_p` and `step_s` are partially pooled (empirical Bayes): a step's own mean residual
  counts with weight n_s / (n_s + sigma^2 / tau^2), the rest comes from its phase's mean, so
  a step seen once is pulled toward how its phase ran, and a step seen often stands on its
  own evidence. sigma^2 is the within-step scatter (pooled), tau^2 the between-step scatter
  inside phases (method of moments, floored so a phase never swallows its steps entirely).

Proposed budget = budget x exp(mu + phase_p + shrunk step_s), rounded to the minute. The
three-point estimate is the P10 and P90 of the same log-normal with the night and step
scatter: low = budget' x exp(-1.28 s), high = budget' x exp(1.28 s).

The calibrated plan is written next to the original with tomli-w (the original, with its
comments, is never rewritten) and validates like any plan.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from ..engine.pace import PacePrior
from ..engine.state import RunState
from ..plan import LoadedPlan, load_plan
from ..plan.durations import format_duration
from ..plan.model import Plan
from ..plan.write import dumps_plan
from .compare import step_actual

Z80 = 1.2816  # the 10th and 90th percentiles of a normal
MIN_TAU2 = 0.0025  # between-step spread floor (5 % on the log scale)


@dataclass(frozen=True)
class Proposal:
    step: str
    budget: timedelta  # as in the plan
    samples: int
    proposed: timedelta
    low: timedelta
    high: timedelta
    weight: float  # how much the step's own evidence counted (0: all from its phase)
    scale: float  # proposed / budget before rounding: the step's pace on a typical night


@dataclass(frozen=True)
class Calibration:
    rehearsals: int
    night_factors: tuple[float, ...]  # exp(night_k): each rehearsal's overall pace
    mean_factor: float  # exp(mu): the typical rehearsal against the budgets
    sigma: float  # within-step scatter (log scale)
    tau: float  # between-step scatter inside phases (log scale)
    proposals: dict[str, Proposal]


def calibrate(plan: Plan, states: Sequence[RunState]) -> Calibration:
    steps = [s for s in plan.step if s.kind != "gate"]
    logs: dict[str, dict[int, float]] = {}
    for s in steps:
        for k, state in enumerate(states):
            actual = step_actual(state, s.id)
            if actual is not None and actual.total_seconds() > 0:
                logs.setdefault(s.id, {})[k] = math.log(actual / s.duration)
    if not logs:
        raise ValueError("the rehearsals have no finished steps to learn from")
    all_values = [v for per in logs.values() for v in per.values()]
    mu = statistics.fmean(all_values)
    # Night effects: each rehearsal's mean deviation from the steps' own means.
    step_means = {sid: statistics.fmean(per.values()) for sid, per in logs.items()}
    night = []
    for k in range(len(states)):
        devs = [per[k] - step_means[sid] for sid, per in logs.items() if k in per]
        night.append(statistics.fmean(devs) if devs else 0.0)
    # Residuals with the night taken out.
    resid = {sid: {k: v - night[k] - mu for k, v in per.items()} for sid, per in logs.items()}
    within = [
        v - statistics.fmean(per.values())
        for per in resid.values()
        if len(per) > 1
        for v in per.values()
    ]
    dof = sum(len(per) - 1 for per in resid.values() if len(per) > 1)
    sigma2 = sum(w * w for w in within) / dof if dof else 0.04
    sigma2 = max(sigma2, 1e-4)
    phase_of = {s.id: s.phase or s.owner for s in steps}
    by_phase: dict[str, list[float]] = {}
    for sid, per in resid.items():
        by_phase.setdefault(phase_of[sid], []).append(statistics.fmean(per.values()))
    phase_mean = {p: statistics.fmean(v) for p, v in by_phase.items()}
    spread = [
        m - phase_mean[phase_of[sid]]
        for sid, per in resid.items()
        for m in [statistics.fmean(per.values())]
    ]
    mean_n = statistics.fmean(len(per) for per in resid.values())
    tau2 = (
        max(statistics.fmean(d * d for d in spread) - sigma2 / mean_n, MIN_TAU2)
        if spread
        else MIN_TAU2
    )
    night_var = statistics.pvariance(night) if len(night) > 1 else 0.0
    scatter = math.sqrt(sigma2 + night_var)
    proposals = {}
    for s in steps:
        per = resid.get(s.id, {})
        n = len(per)
        base = phase_mean.get(phase_of[s.id], 0.0)
        weight = n / (n + sigma2 / tau2) if n else 0.0
        own = statistics.fmean(per.values()) if n else base
        effect = mu + base + weight * (own - base)
        proposed = _minutes(s.duration * math.exp(effect))
        proposals[s.id] = Proposal(
            step=s.id,
            budget=s.duration,
            samples=n,
            proposed=proposed,
            low=_minutes(proposed * math.exp(-Z80 * scatter)),
            high=max(_minutes(proposed * math.exp(Z80 * scatter)), proposed),
            weight=weight,
            scale=math.exp(effect),
        )
    return Calibration(
        rehearsals=len(states),
        night_factors=tuple(math.exp(n) for n in night),
        mean_factor=math.exp(mu),
        sigma=math.sqrt(sigma2),
        tau=math.sqrt(tau2),
        proposals=proposals,
    )


def prior_from(plan: Plan, states: Sequence[RunState]) -> PacePrior | None:
    """The forecast's prior from the rehearsals: each step's typical pace, and how much whole
    rehearsals varied around it. None when nothing can be learnt from them."""
    try:
        c = calibrate(plan, states)
    except ValueError:
        return None
    scales = {sid: p.scale for sid, p in c.proposals.items() if p.samples}
    return PacePrior.from_rehearsals(c.night_factors, scales)


def _minutes(delta: timedelta) -> timedelta:
    return timedelta(minutes=max(1, round(delta / timedelta(minutes=1))))


def render_changes(plan: Plan, c: Calibration) -> str:
    nights = ", ".join(f"{f:.2f}x" for f in c.night_factors)
    lines = [
        f"{c.rehearsals} rehearsal(s); typical pace {c.mean_factor:.2f}x the budgets; "
        f"each rehearsal's own pace: {nights}",
        f"scatter within a step {c.sigma:.0%}, between steps of a phase {c.tau:.0%}",
        "",
        f"  {'step':30} {'budget':>8} {'n':>3} {'proposed':>9} {'low':>7} {'high':>7} {'own':>5}",
    ]
    for s in plan.step:
        p = c.proposals.get(s.id)
        if p is None:
            continue
        mark = "" if p.proposed == p.budget else " *"
        lines.append(
            f"  {s.id[:30]:30} {format_duration(p.budget):>8} {p.samples:>3} "
            f"{format_duration(p.proposed):>9} {format_duration(p.low):>7} "
            f"{format_duration(p.high):>7} {p.weight:>5.0%}{mark}"
        )
    return "\n".join(lines)


def write_calibrated(loaded: LoadedPlan, c: Calibration, out: Path) -> Path:
    """The plan with the proposals written in, as a new TOML file that validates."""
    data = loaded.plan.model_dump(mode="json", exclude_none=True, by_alias=True)
    for step in data["step"]:
        p = c.proposals.get(step["id"])
        if p is None:
            continue
        step["duration"] = format_duration(p.proposed)
        step["estimate"] = {"low": format_duration(p.low), "high": format_duration(p.high)}
    # Clock times back in the plan's own zone, as local times, like the original file.
    text = dumps_plan(_localised(data, loaded.plan))
    header = (
        f"# Calibrated from {c.rehearsals} rehearsal(s) of {loaded.path} by `cutover calibrate`.\n"
        f"# Typical pace {c.mean_factor:.2f}x the original budgets. Review before use.\n"
    )
    out.write_text(header + text, encoding="utf-8")
    load_plan(out)  # it must validate; raises PlanError naming the problem if not
    return out


def _localised(data, plan: Plan):
    from datetime import datetime

    def walk(value):
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and "T" in value:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value
            if moment.tzinfo is not None:
                return moment.astimezone(plan.zone).replace(tzinfo=None)
        return value

    return walk(data)

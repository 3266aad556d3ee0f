"""How far the pace estimate is from the night's true slowness, early in the night.

    .venv/bin/python benchmarks/pace_accuracy.py [--set tune] [--nights N] [--prior k=v,...]

Replays the simulated nights of benchmarks/foresight.py (the same generator, seeds and noise
models) and, at 10, 25 and 50 % of the planned night, asks `engine.pace.infer_pace` for the
night's slowness. The truth it is scored against is what the forecast needs: how slow the
REST of the night really was, in the engine's own frame,

    truth = log( sum over remaining steps of actual / sum of their range's mean )
            - log E[exp(step scatter)]

(the forecast draws a remaining step as range x night factor x scatter, so a perfect
estimate of the night's log factor equals `truth` up to the remaining steps' own noise).
Per (noise model, plan, moment) it prints the finished steps behind the estimate, the bias
(mean of estimate - truth), the RMSE, the stated predictive sd (the posterior's sd of the
night's log factor and the drift, as the forecast draws them), the sd of the z scores
(1 when the stated spread is honest) and how often the truth lies in the stated 80 %
interval (80 % when honest). The baseline beside it: the prior alone (no evidence), in the
same process. Tune on `--set tune` only.
"""

from __future__ import annotations

import argparse
import math
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.foresight import NOISES, PLANS, SEEDS, _plan, simulate_events  # noqa: E402
from cutover_tui.engine.events import CheckpointPassed, StepCompleted, StepStarted  # noqa: E402
from cutover_tui.engine.forecast import step_range  # noqa: E402
from cutover_tui.engine.pace import PacePrior, infer_pace  # noqa: E402
from cutover_tui.engine.state import apply, initial_state  # noqa: E402
from cutover_tui.plan.graph import baseline  # noqa: E402

MOMENTS = (0.10, 0.25, 0.50)
Z80 = 1.2816


def scatter_mean(prior: PacePrior, draws: int = 200_000) -> float:
    """log E[exp(scatter)] of one step's own deviation, as the forecast draws it."""
    rng = np.random.default_rng(0)
    z = rng.standard_normal(draws)
    if prior.heavy_scatter and math.isfinite(prior.tail):
        z /= np.sqrt(rng.chisquare(prior.tail, draws) / prior.tail)
    return float(np.log(np.mean(np.exp(np.clip(prior.step_noise * z, -np.log(4), np.log(4))))))


def one_night(job: tuple[str, str, int, dict]) -> list[tuple[float, int, float, float, float]]:
    """(moment, finished steps, estimate, predictive sd, truth) at each moment of one night."""
    name, noise, seed, prior_args = job
    prior = PacePrior(**prior_args)
    plan = _plan(name)
    _, events, _ = simulate_events(plan, seed, list(PLANS).index(name), noise)
    t0 = plan.window.start
    planned = baseline(plan.step, t0).end - t0
    timed = [e for e in events if isinstance(e, (StepStarted, StepCompleted, CheckpointPassed))]
    started_at = {e.step: e.at for e in timed if isinstance(e, StepStarted)}
    finished_at = {e.step: e.at for e in timed if not isinstance(e, StepStarted)}
    offset = scatter_mean(prior)
    state = initial_state(plan)
    out, k = [], 0
    for q in MOMENTS:
        now = t0 + planned * q
        while k < len(events) and events[k].at <= now:
            apply(state, events[k])
            k += 1
        pace = infer_pace(state, now, prior)
        actual = expected = 0.0
        for sid, step in state.steps.items():
            if sid not in started_at or finished_at[sid] <= now:
                continue  # a gate, or finished: not the rest of the night
            rng = step_range(step, prior.scales.get(sid, 1.0))
            actual += (finished_at[sid] - started_at[sid]) / timedelta(seconds=1)
            expected += (rng.low + rng.mode + rng.high) / 3
        if expected <= 0:
            continue
        truth = math.log(actual / expected) - offset
        night = pace.slowness.groups.index("night")
        sd = math.sqrt(float(pace.slowness.cov[night, night]))
        # What the forecast draws the night from: the fitted pace and the excess (if any).
        out.append((q, pace.n, float(pace.slowness.mean[night]), sd, truth))
    return out


def report(rows: list[tuple[float, int, float, float, float]], label: str) -> list[str]:
    lines = []
    for q in MOMENTS:
        mine = np.array([r for r in rows if r[0] == q])
        if not len(mine):
            continue
        err = mine[:, 2] - mine[:, 4]
        z = (mine[:, 4] - mine[:, 2]) / mine[:, 3]
        lines.append(
            f"  {label:34s} {q:4.0%}  steps {np.median(mine[:, 1]):4.0f}  "
            f"bias {err.mean():+.3f}  rmse {np.sqrt((err**2).mean()):.3f}  "
            f"stated sd {mine[:, 3].mean():.3f}  z sd {z.std():.2f}  "
            f"in 80 % {np.mean(np.abs(z) <= Z80):4.0%}"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["tune", "test"], default="tune")
    parser.add_argument("--nights", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--plans", nargs="*", default=list(PLANS))
    parser.add_argument("--noise", choices=[*NOISES, "both"], default="both")
    parser.add_argument("--prior", default="", help="PacePrior fields, as spread=0.25,drift=0.1")
    args = parser.parse_args()
    prior_args = {
        key: float(value)
        for key, value in (pair.split("=") for pair in args.prior.split(",") if pair)
    }
    noises = list(NOISES) if args.noise == "both" else [args.noise]
    print(f"pace prior: {PacePrior(**prior_args)}".replace("scales={}, ", ""))
    print(f"{args.set} set, {args.nights} nights per plan and noise model")
    pooled: list = []
    no_evidence = {**prior_args}
    for noise in noises:
        for name in args.plans:
            jobs = [(name, noise, SEEDS[args.set] + i, prior_args) for i in range(args.nights)]
            with ProcessPoolExecutor(max_workers=args.jobs) as pool:
                rows = [r for night in pool.map(one_night, jobs) for r in night]
            pooled += rows
            print("\n".join(report(rows, f"{noise} {name}")))
            # The baseline: the prior alone against the same truth.
            alone = PacePrior(**no_evidence)
            prior_rows = [
                (q, 0, math.log(alone.factor), math.hypot(alone.spread, alone.drift), t)
                for q, _, _, _, t in rows
            ]
            print("\n".join(report(prior_rows, f"  (prior alone) {noise} {name}")))
    print("\n".join(report(pooled, "all")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The engine's own odds and alarm with tonight's pace pinned to the truth: is the gap pace?

    .venv/bin/python benchmarks/foresight_pinned.py [--set tune|test] [--nights 24]
        [--iterations 200] [--jobs 1] [--plans ...] [--noise uniform lognormal] [--save FILE]

benchmarks/foresight_pace_oracle.py bounds what any forecaster could state (S and the
generator's step model known, its own Monte Carlo). This script is the other half: everything
as shipped (`engine.foresight.foresee`: the same Monte Carlo, heavy-tailed step scatter, alarm
spell, line and margin, evidence floor) except the pace, which is pinned to each night's true
hidden slowness S instead of learnt from the finished steps. Where this passes a cell and ours
fails it, the gap is pace learning; where it fails too, the step model or the alarm is.

Pinned, in the engine's frame: the forecast draws a step as its range x exp(eta) x its own
scatter (median 1, mean `mean_scatter`), the generator as budget x S x noise. So eta is set
where the two agree on the mean minutes of the plan's steps:

    eta = log S + log(sum budget / sum range mean) + log E[noise] - log E[scatter]

one number per (plan, noise model), exact (zero variance, no drift: the generator's nights do
not drift) for every group. The pace's evidence (finished steps, for the alarm's floor) is the
engine's own. The done-when table is printed as benchmarks/foresight.py prints it.
"""

from __future__ import annotations

import argparse
import math
import pickle
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import foresight  # noqa: E402
from benchmarks.foresight_table import done_when_table  # noqa: E402
from cutover_tui.engine import foresight as engine_foresight  # noqa: E402
from cutover_tui.engine import pace as engine_pace  # noqa: E402
from cutover_tui.engine.forecast import step_range  # noqa: E402
from cutover_tui.engine.pace_excess import mean_scatter  # noqa: E402
from cutover_tui.engine.state import fold  # noqa: E402

_learnt = engine_pace.infer_pace
_eta: list[float] = [0.0]  # the pinned log factor of the night being replayed (per process)


def pinned_pace(state, now, prior=None):
    """The engine's pace with its distribution replaced by the truth, exactly."""
    pace = _learnt(state, now, prior)
    s = pace.slowness
    groups = len(s.groups)
    slowness = replace(s, mean=np.full(groups, _eta[0]), cov=np.zeros((groups, groups)))
    return replace(pace, slowness=slowness, excess=1.0, drift=0.0)


def frame_offset(name: str, noise: str) -> float:
    """log(sum budget / sum range mean) + log E[noise] - log E[scatter]: S to the engine's eta."""
    plan = foresight._plan(name)
    steps = [s for s in fold(plan, []).steps.values() if s.duration.total_seconds() > 0]
    budget = sum(s.duration.total_seconds() for s in steps)
    means = 0.0
    for s in steps:
        r = step_range(s)
        means += (r.low + r.mode + r.high) / 3
    draws = foresight.noise_matrix(np.random.default_rng(5), noise, (400_000,))
    prior = engine_pace.PacePrior()
    scatter = float(mean_scatter(np.array([prior.step_noise]), prior.tail)[0])
    return math.log(budget / means) + math.log(float(draws.mean())) - math.log(scatter)


def replay_pinned(job: tuple) -> foresight.Night:
    name, seed, _step, _iterations, _prior, noise = job
    plan = foresight._plan(name)
    slowness, *_ = foresight.draw_night(plan, seed, list(foresight.PLANS).index(name), noise)
    _eta[0] = math.log(slowness) + frame_offset(name, noise)
    engine_foresight.infer_pace = pinned_pace  # the foresight's, and the alarm's late import
    engine_pace.infer_pace = pinned_pace
    return foresight.replay(job)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    foresight.night_options(parser)
    parser.add_argument("--save", metavar="FILE")
    args = parser.parse_args()
    began = time.perf_counter()
    base = foresight.SEEDS[args.set]
    jobs = [
        (name, seed, foresight.PLANS[name], args.iterations, {}, noise)
        for name, seed, noise in foresight.night_jobs(args)
    ]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        nights = list(pool.map(replay_pinned, jobs, chunksize=2))
    print(
        f"the engine with the pace pinned to the truth, {args.set} set, seeds "
        f"{base}..{base + args.nights - 1}, {args.iterations} iterations, alarm as shipped"
    )
    print(
        "frame offsets: "
        + ", ".join(f"{n} {p} {frame_offset(p, n):+.3f}" for n in args.noise for p in args.plans)
    )
    print("\n".join(done_when_table(nights, args.plans)))
    if args.save:
        with open(args.save, "wb") as out:
            pickle.dump({args.set: [asdict(n) for n in nights]}, out)
    print(f"total {time.perf_counter() - began:.0f} s with {args.jobs} worker(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

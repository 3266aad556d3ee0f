"""The stated odds at 25, 50 and 75 % of the night only: Brier and reliability, cheaply.

    .venv/bin/python benchmarks/foresight_checkpoints.py --set tune [--nights 24]
        [--iterations 200] [--priors "" "spread=0.28,drift=0"]

benchmarks/foresight.py replays every night tick by tick (the alarm needs the whole trace),
which takes most of an hour on 2 cores. The Brier and reliability cells of issue 21's table
need only the odds at three moments of each night. This script replays the same nights (the
same generator and seeds) to those moments and asks the same pace and forecast for
P(in window) (`infer_pace`, `Forecaster.simulate`, as `engine.foresight` does), for one or
more PacePrior settings on the same nights, and prints per (noise model, plan) the Brier at
each moment against the constant at the base rate and the reliability bins that are honest.
For choosing how the odds are made; the lead and the false alarms still need foresight.py.
Tune on `--set tune` only.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.foresight import NOISES, PLANS, SEEDS, _plan, simulate_events  # noqa: E402
from cutover_tui.engine.forecast import Forecaster  # noqa: E402
from cutover_tui.engine.pace import PacePrior, infer_pace  # noqa: E402
from cutover_tui.engine.state import apply, initial_state  # noqa: E402
from cutover_tui.plan.graph import baseline  # noqa: E402
from cutover_tui.rehearse.reliability import reliability  # noqa: E402

CHECKPOINTS = (0.25, 0.5, 0.75)


def parse_prior(text: str) -> dict[str, float]:
    return {k: float(v) for k, v in (pair.split("=") for pair in text.split(",") if pair)}


def night_odds(job: tuple[str, int, str, int, tuple[str, ...]]) -> tuple:
    """(plan, noise, made it, {prior text: [P(in window) at each checkpoint]})."""
    name, seed, noise, iterations, priors = job
    plan = _plan(name)
    _slowness, events, finish_at = simulate_events(plan, seed, list(PLANS).index(name), noise)
    t0 = plan.window.start
    planned = baseline(plan.step, t0).end - t0
    odds: dict[str, list[float]] = {text: [] for text in priors}
    state, k = initial_state(plan), 0
    for q in CHECKPOINTS:
        now = t0 + planned * q
        while k < len(events) and events[k].at <= now:
            apply(state, events[k])
            k += 1
        for text in priors:
            prior = PacePrior(**parse_prior(text))
            forecaster = Forecaster(iterations=iterations, seed=seed)
            pace = infer_pace(state, now, prior)
            sim = forecaster.simulate(
                state, now, scales=prior.scales or None, slowness=pace.slowness
            )
            odds[text].append(forecaster.summarise(state, sim).p_in_window)
    return name, noise, finish_at <= plan.window.end, odds


def row(label: str, nights: list[tuple], text: str) -> str:
    made = np.array([1.0 if n[2] else 0.0 for n in nights])
    base = made.mean()
    cells = []
    for i, q in enumerate(CHECKPOINTS):
        stated = np.array([n[3][text][i] for n in nights])
        ours, constant = np.mean((stated - made) ** 2), np.mean((base - made) ** 2)
        mark = "n/a " if constant == 0 else ("PASS" if ours < constant else "FAIL")
        cells.append(f"{q:.0%} {ours:.3f} vs {constant:.3f} {mark}")
    pairs = [(n[3][text][i], bool(n[2])) for n in nights for i in range(len(CHECKPOINTS))]
    table = reliability(pairs)
    honest = sum(1 for b in table.bins if b.honest)
    leans = ",".join(f"{round(b.low * 100)}%:{b.lean}" for b in table.bins if not b.honest)
    return f"  {label:28} {'  '.join(cells)}  bins {honest}/{len(table.bins)} {leans}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=list(SEEDS), default="tune")
    parser.add_argument("--nights", type=int, default=24)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--priors", nargs="*", default=[""], help='"" is the default prior')
    args = parser.parse_args()
    priors = tuple(args.priors)
    jobs = [
        (name, SEEDS[args.set] + i, noise, args.iterations, priors)
        for noise in NOISES
        for name in PLANS
        for i in range(args.nights)
    ]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        nights = list(pool.map(night_odds, jobs, chunksize=4))
    for text in priors:
        print(f"prior {text or 'default'} ({args.set} set, {args.nights} nights a plan):")
        for noise in NOISES:
            mine = [n for n in nights if n[1] == noise]
            for name in PLANS:
                print(row(f"{noise} {name}", [n for n in mine if n[0] == name], text))
            print(row(f"{noise} all plans", mine, text))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

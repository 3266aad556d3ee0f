"""The Brier score an oracle could reach: is a failing Brier cell the odds, or the base rate?

    .venv/bin/python benchmarks/foresight_oracle.py [--set test|tune] [--nights 24]
        [--draws 200] [--plans logistics-dispatch] [--noise uniform]

benchmarks/foresight.py scores the stated P(in window) against a constant at the base rate
of the same nights. Where nearly every night makes its window (the logistics plan under the
uniform noise model: 1 breach in 24 held-out nights), the constant's Brier is p(1 - p), about
0.04, and one breached night stated at 0.95 costs 0.95^2 / 24 = 0.038 on its own. Whether
any honest forecaster could do better is a property of the generator, not of the engine:

This script asks an oracle that knows each night's hidden slowness S (which the engine can
only estimate from the finished steps) for P(in window | S), by replaying the same generator
(`simulate_events`) `--draws` times with that S and fresh step noise and snags, and scores it
against the nights' outcomes beside the constant. No engine, no forecast: seconds, not
minutes. If the oracle does not beat the constant either, the cell fails on the base rate:
the nights that breach do so on late snags no evidence before them announces.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import foresight  # noqa: E402

MINUTE = timedelta(minutes=1)


def night_outcome(plan, seed: int, index: int, noise: str) -> tuple[float, bool]:
    """The hidden slowness of the benchmark's night `seed` and whether it breached."""
    slowness, _events, finish_at = foresight.simulate_events(plan, seed, index, noise)
    return slowness, finish_at > plan.window.end


def p_in_given(plan, slowness: float, index: int, noise: str, draws: int, salt: int) -> float:
    """P(in window | S) by replaying the generator with S fixed and fresh step noise."""
    saved = (foresight.SLOW_RANGE, foresight.LOGN_MEDIAN, foresight.LOGN_SD)
    # uniform(S, S) is S; S x exp(0 x normal) is S: the same generator, its S pinned.
    foresight.SLOW_RANGE = (slowness, slowness)
    foresight.LOGN_MEDIAN, foresight.LOGN_SD = slowness, 0.0
    try:
        made = 0
        for k in range(draws):
            _s, _events, finish_at = foresight.simulate_events(
                plan, 10_000_000 + salt * draws + k, index, noise
            )
            made += finish_at <= plan.window.end
        return made / draws
    finally:
        foresight.SLOW_RANGE, foresight.LOGN_MEDIAN, foresight.LOGN_SD = saved


def score(name: str, noise: str, which: str, nights: int, draws: int) -> str:
    plan = foresight._plan(name)
    index = list(foresight.PLANS).index(name)
    made, oracle = [], []
    for i in range(nights):
        seed = foresight.SEEDS[which] + i
        slowness, breached = night_outcome(plan, seed, index, noise)
        made.append(0.0 if breached else 1.0)
        oracle.append(p_in_given(plan, slowness, index, noise, draws, seed))
    outcome, stated = np.array(made), np.array(oracle)
    base = outcome.mean()
    constant = float(np.mean((base - outcome) ** 2))
    ours = float(np.mean((stated - outcome) ** 2))
    breach = ", ".join(f"{p:.2f}" for p in stated[outcome == 0]) or "-"
    return (
        f"{noise:9} {name:18} {nights:3d} nights, {int(nights - outcome.sum()):2d} breach: "
        f"oracle-of-S Brier {ours:.3f} vs constant {constant:.3f} "
        f"({'beats' if ours < constant else 'does not beat'} it); "
        f"its P(in) on the breached nights: {breach}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=list(foresight.SEEDS), default="test")
    parser.add_argument("--nights", type=int, default=24)
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--plans", nargs="*", default=list(foresight.PLANS))
    parser.add_argument("--noise", nargs="*", default=list(foresight.NOISES))
    args = parser.parse_args()
    print(f"{args.set} set, {args.draws} replays of the generator per night with S known")
    for noise in args.noise:
        for name in args.plans:
            print(score(name, noise, args.set, args.nights, args.draws), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

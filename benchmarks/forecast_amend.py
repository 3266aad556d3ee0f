"""The forecast's next refresh after a live amendment, carried over beside made afresh.

    .venv/bin/python benchmarks/forecast_amend.py [--steps 5000] [--runs 5]

On a STEPS-step plan halfway through its night (benchmarks/forecast.py `halfway`), with the
war room's forecaster (engine.verdict.forecaster_for: 500 iterations) and tonight's pace
(`foresee`'s slowness, with its per-step scatter): the refresh after one estimate change
(`EstimateChanged` on a pending step) and after a step added live, by a forecaster that had
worked out the odds before (its draws carried over: engine/forecast_reuse.py), beside the
same refresh by a forecaster that draws everything afresh (what every amendment cost before,
issue 14: 2.6 s at 5,000 steps). Both give the same figures (asserted: a benchmark of wrong
figures is no benchmark); the medians of `--runs`, and the random streams each one made.
Prints; asserts nothing else.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
from forecast import halfway  # noqa: E402
from make_large_plan import make_large_plan  # noqa: E402

from cutover_tui.engine.events import EstimateChanged, StepAdded  # noqa: E402
from cutover_tui.engine.forecast import Forecaster  # noqa: E402
from cutover_tui.engine.pace import infer_pace  # noqa: E402
from cutover_tui.engine.state import apply  # noqa: E402
from cutover_tui.engine.verdict import FORECAST_ITERATIONS  # noqa: E402
from cutover_tui.plan import parse_plan  # noqa: E402


def one(plan, kind: str, carried: bool) -> tuple[float, int, np.ndarray]:
    """Seconds of the refresh after one amendment, the streams it made, its finishes."""
    state, now = halfway(plan)
    pace = infer_pace(state, now)
    forecaster = Forecaster(iterations=FORECAST_ITERATIONS, seed=7)
    if carried:
        forecaster.simulate(state, now, slowness=pace.slowness)  # the odds before the change
    pending = [sid for sid in state.order if state.status[sid].status == "pending"]
    commander = plan.people_with_role("commander")[0]
    who = {"actor": commander, "at": now, "reason": "bench"}
    target = pending[len(pending) // 2]
    if kind == "estimate":
        event = EstimateChanged(step=target, duration_s=45 * 60, **who)
    else:
        event = StepAdded(
            step="bench-added", title="Added", owner=commander, duration_s=600, after=[target],
            **who,
        )  # fmt: skip
    apply(state, event)
    later = now + timedelta(seconds=1)
    made = forecaster.streams_made
    began = time.perf_counter()
    sim = forecaster.simulate(state, later, slowness=pace.slowness)
    return time.perf_counter() - began, forecaster.streams_made - made, sim.ends


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    plan = parse_plan(make_large_plan(args.steps)).plan
    print(f"{args.steps} steps, {FORECAST_ITERATIONS} iterations, median of {args.runs}")
    for kind in ("estimate", "added"):
        fresh = [one(plan, kind, carried=False) for _ in range(args.runs)]
        kept = [one(plan, kind, carried=True) for _ in range(args.runs)]
        assert np.array_equal(fresh[0][2], kept[0][2]), "carried draws gave other figures"
        f = statistics.median(t for t, _, _ in fresh)
        k = statistics.median(t for t, _, _ in kept)
        print(
            f"  after {kind:9} carried {k * 1000:7.0f} ms ({kept[0][1]:,} streams made)"
            f"   afresh {f * 1000:7.0f} ms ({fresh[0][1]:,} streams)   {k / f:.2f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

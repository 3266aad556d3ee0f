"""What expanding `${name}` in a plan's checks (plan/vars.py) costs on a large plan, beside
`tomllib.loads` of the same text, in the same process.

    .venv/bin/python benchmarks/plan_vars.py [--steps 50000] [--runs 5]

The plan is benchmarks/make_large_plan.py's ERP plan at --steps; `expand` visits only the
check tables, so its cost should be a small fraction of reading the TOML. Prints medians and
the ratio; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from make_large_plan import make_large_plan  # noqa: E402

from cutover_tui.plan.vars import expand  # noqa: E402


def median_seconds(work, runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    text = make_large_plan(args.steps)
    raws = [tomllib.loads(text) for _ in range(args.runs)]  # expand works in place
    baseline = median_seconds(lambda: tomllib.loads(text), args.runs)
    pending = iter(raws)
    expanding = median_seconds(lambda: expand(next(pending)), args.runs)
    steps = len(raws[0]["step"])
    print(f"{steps} steps: tomllib.loads {baseline * 1000:.1f} ms (baseline)")
    print(f"{steps} steps: vars.expand  {expanding * 1000:.2f} ms")
    print(f"ratio expand / loads: {expanding / baseline:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

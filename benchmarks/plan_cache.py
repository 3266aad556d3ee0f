"""A run's plan read from this user's cache (journal/plan_cache.py) beside parsing it in full.

    .venv/bin/python benchmarks/plan_cache.py [--steps 320,5000,20000] [--runs 3]

For each size, a plan from make_large_plan.py: the median CPU seconds of `parse_plan` (the
TOML read, the models validated, the checks: what every command paid per run opened before
the cache; the first parse, which builds the models' schemas, is left out), of writing the
cache, and of reading it back (the digest checked, the pickle loaded); the ratio of the
parse to the read, and the file's size. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from make_large_plan import make_large_plan  # noqa: E402

from cutover_tui.journal import plan_cache  # noqa: E402
from cutover_tui.plan import parse_plan  # noqa: E402


def cpu(work: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        began = time.process_time()
        work()
        samples.append(time.process_time() - began)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="320,5000,20000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ["CUTOVER_STATE"] = tempfile.mkdtemp(prefix="cutover-plan-cache-")
    parse_plan(make_large_plan(320), name="warm.toml")  # the schemas, built once per process
    print(
        f"{'steps':>6} {'parse s':>8} {'keep s':>8} {'recall s':>9} {'parse/recall':>13} {'MB':>6}"
    )
    for steps in (int(n) for n in args.steps.split(",")):
        text = make_large_plan(steps)
        plan = parse_plan(text, name="plan.toml").plan
        parse = cpu(lambda text=text: parse_plan(text, name="plan.toml"), args.runs)
        keep = cpu(lambda text=text, plan=plan: plan_cache.keep(text, plan), args.runs)
        recall = cpu(lambda text=text: plan_cache.recall(text), args.runs)
        assert plan_cache.recall(text) == plan
        size = plan_cache.cache_file(text).stat().st_size / 1e6
        print(
            f"{steps:6} {parse:8.3f} {keep:8.3f} {recall:9.3f} {parse / recall:12.1f}x {size:6.1f}"
        )
    print(f"load average {os.getloadavg()[0]:.1f}; medians of {args.runs}, CPU seconds")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What the check before rtoml costs (plan/toml_doubt.py), beside rtoml.loads on the same text.

    .venv/bin/python benchmarks/toml_doubt.py [--steps 50000] [--runs 5]

Writes the large plan with benchmarks/make_large_plan.py (into a temporary directory), then
times `doubtful` (split pairs and header order) and `rtoml.loads` in this process, best of
--runs each, and prints both and the ratio. It also prints whether the plan would fall back
to tomli (it must not: "doubtful: False"). Asserts nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import rtoml

from cutover_tui.plan.toml_doubt import doubtful

ROOT = Path(__file__).resolve().parent.parent


def best(run: Callable[[], object], runs: int) -> float:
    """The fastest of `runs` calls, in ms (the least disturbed by the machine's other work)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "large.toml"
        maker = [sys.executable, str(ROOT / "benchmarks" / "make_large_plan.py")]
        subprocess.run([*maker, "--steps", str(args.steps), "--out", str(out)], check=True)
        text = out.read_text()
    check = best(lambda: doubtful(text), args.runs)
    parse = best(lambda: rtoml.loads(text), args.runs)
    print(f"{args.steps} steps, {len(text) / 1e6:.1f} MB; doubtful: {doubtful(text)}")
    print(f"doubtful {check:.0f} ms, rtoml.loads {parse:.0f} ms: ratio {check / parse:.2f}")


if __name__ == "__main__":
    main()

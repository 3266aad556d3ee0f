"""How long `cutover import` takes on a sheet full of mistakes, beside a valid sheet of the
same size imported in the same process (the baseline).

    .venv/bin/python benchmarks/import_errors.py [--rows N] [--runs N]

Three CSV sheets of N step rows each (Task, Owner, Duration, Predecessors):
- valid: 50 chains side by side, each step after the one 50 rows up (the baseline);
- unknown: the same, every predecessor a misspelt name no row has ("Setp 12"), so each row is
  an "unknown predecessor" problem that may carry a suggestion (issue: 10,000 rows took 90.9 s
  against 3.4 s valid, every problem comparing itself with every id);
- cycle: one chain whose first step waits for its last, so the cycle runs through every row
  (its one error line was 89 KB at 10,000 rows; the length printed here).

Prints the median of each and its ratio to the valid sheet. Asserts nothing; wall times count
whatever else the machine runs.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cutover_tui.importers import ImportOptions, ImportResult, import_runbook  # noqa: E402

HEADER = ["Task", "Owner", "Duration", "Predecessors"]
FIRST_ROW = 2  # the header is row 1: step n is on sheet row n + 2


def sheet(count: int, kind: str) -> list[list[str]]:
    out = [HEADER]
    for n in range(count):
        if kind == "cycle":
            pred = str(FIRST_ROW + (n - 1) % count)  # the first waits for the last
        elif n < 50:
            pred = ""
        elif kind == "unknown":
            pred = f"Setp {n - 50}"
        else:
            pred = str(FIRST_ROW + n - 50)
        out.append([f"Step {n}", f"Person {n % 40}", "15m", pred])
    return out


def write(rows: list[list[str]], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def ours(path: Path) -> ImportResult:
    return import_runbook(path, ImportOptions(start=datetime(2026, 12, 5, 22), timezone="UTC"))


def median(func: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        func()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = {k: write(sheet(args.rows, k), Path(tmp) / f"{k}.csv") for k in ("valid", "unknown", "cycle")}  # fmt: skip
        print(f"{args.rows:,} step rows; load average {os.getloadavg()[0]:.2f}")
        valid = ours(paths["valid"])
        assert valid.toml is not None, [str(p) for p in valid.problems][:3]
        base = median(lambda: ours(paths["valid"]), args.runs)
        print(f"  valid sheet (baseline)         {base:7.2f} s")
        for kind in ("unknown", "cycle"):
            took = median(lambda k=kind: ours(paths[k]), args.runs)
            problems = [str(p) for p in ours(paths[kind]).problems if p.severity == "error"]
            hinted = sum("did you mean" in p for p in problems)
            longest = max((len(p) for p in problems), default=0)
            print(
                f"  {kind:<8} {len(problems):>6,} errors  {took:7.2f} s  {took / base:5.1f}x valid"
                f"  ({hinted:,} with a suggestion, longest line {longest:,} chars)"
            )


if __name__ == "__main__":
    main()

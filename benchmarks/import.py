"""How long `cutover import` takes on a 5,000-row runbook sheet, beside openpyxl's own
read-only read of the same workbook (every cell's value, nothing else).

    .venv/bin/python benchmarks/import.py [--rows N] [--runs N]

The sheet is written here (write-only openpyxl): a merged title, phase headings every 50 rows,
durations in mixed units, predecessors by sheet row number, an unmapped column. Prints the
median of each, the ratio, and the CSV of the same rows for comparison. Target (issue 18):
under 5 s for 5,000 rows. Asserts nothing; wall times count whatever else the machine runs.
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

from openpyxl import Workbook, load_workbook  # noqa: E402

from cutover_tui.importers import ImportOptions, import_runbook  # noqa: E402

HEADER = ["Task", "Owner", "Duration", "Predecessors", "Type", "Instructions", "Ticket"]
UNITS = ["15", "30 min", "1.5h", "1:30", "2 hrs", "45m"]


def rows(count: int) -> list[list[object]]:
    """50 chains of steps side by side, one step of each per phase (a wide night, not a line)."""
    out: list[list[object]] = [["Benchmark runbook"], [], HEADER]
    row_of: dict[int, int] = {}
    for n in range(count):
        if n % 50 == 0:
            out.append([f"PHASE {n // 50 + 1}"])
        row_of[n] = len(out) + 1
        pred = str(row_of[n - 50]) if n >= 50 else None
        kind = "Checkpoint" if n % 25 == 24 else None
        out.append([f"Step {n}", f"Person {n % 40}", UNITS[n % len(UNITS)], pred, kind,
                    f"Do thing {n}", f"T-{n}"])  # fmt: skip
    return out


def write_sheets(count: int, folder: Path) -> tuple[Path, Path]:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Runbook")
    data = rows(count)
    for row in data:
        sheet.append(row)
    xlsx = folder / "big.xlsx"
    book.save(xlsx)
    path = folder / "big.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(data)
    return xlsx, path


def openpyxl_read(path: Path) -> int:
    book = load_workbook(path, read_only=True)
    cells = sum(len(row) for row in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return cells


def ours(path: Path) -> int:
    result = import_runbook(path, ImportOptions(start=datetime(2026, 12, 5, 22), timezone="UTC"))
    assert result.toml is not None, [str(p) for p in result.problems if p.severity == "error"][:3]
    return result.steps


def median(func: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        func()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        xlsx, text = write_sheets(args.rows, Path(tmp))
        print(f"{args.rows:,} step rows; load average {os.getloadavg()[0]:.2f}")
        base = median(lambda: openpyxl_read(xlsx), args.runs)
        xlsx_time = median(lambda: ours(xlsx), args.runs)
        csv_time = median(lambda: ours(text), args.runs)
        print(f"  openpyxl read-only read   {base:6.2f} s")
        print(f"  cutover import (XLSX)     {xlsx_time:6.2f} s   {xlsx_time / base:.1f}x openpyxl")
        print(f"  cutover import (CSV)      {csv_time:6.2f} s")
        print(f"  target: under 5 s for 5,000 rows: {'met' if xlsx_time < 5 else 'MISSED'}")


if __name__ == "__main__":
    main()

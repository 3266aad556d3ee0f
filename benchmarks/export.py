"""What making every cell safe costs `cutover export PLAN`: the plan's workbook and CSV as
written (importers/export.py through sheet_cells.py), beside the same step rows written raw
(openpyxl write-only append, csv.writer) in the same process: the floor.

    .venv/bin/python benchmarks/export.py [--steps N] [--runs N]

The plan is the shop test plan with N copies of a step; one title in ten holds an OSC 52
sequence, one note in ten starts with '='. The raw writer is given the rows with the control
characters already removed (openpyxl refuses them). Prints the median of each and the ratio.
Asserts nothing; wall times count whatever else the machine runs.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402

from cutover_tui.importers.export import STEP_COLUMNS, step_rows, write_csv, write_xlsx  # noqa: E402
from cutover_tui.plan import parse_plan  # noqa: E402
from cutover_tui.plan.model import Plan  # noqa: E402
from tests.report_support import shop_plan  # noqa: E402


def large_plan(count: int) -> Plan:
    plan = parse_plan(shop_plan(), name="shop.toml").plan
    model = plan.step[0]
    steps = [
        model.model_copy(
            update={
                "id": f"s{n}",
                "title": f"Step {n} \x1b]52;c;aGk=\x07" if n % 10 == 0 else f"Step {n}",
                "instructions": f'=HYPERLINK("http://x/{n}")' if n % 10 == 5 else f"Do {n}",
            }
        )
        for n in range(count)
    ]
    return plan.model_copy(update={"step": steps})


def floor_rows(plan: Plan) -> list[list[object]]:
    """The same step rows, control characters removed so that openpyxl takes them."""
    return [
        [v.replace("\x1b", "").replace("\x07", "") if isinstance(v, str) else v for v in row]
        for row in step_rows(plan)
    ]


def raw_xlsx(plan: Plan, path: Path) -> None:
    rows = floor_rows(plan)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Runbook")
    sheet.append(list(STEP_COLUMNS))
    for row in rows:
        sheet.append(row)
    book.save(path)


def raw_csv(plan: Plan, path: Path) -> None:
    rows = floor_rows(plan)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(STEP_COLUMNS)
        writer.writerows(rows)


def median_seconds(action: Callable[[], None], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    plan = large_plan(args.steps)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        # The plan's workbook holds other sheets too (people, phases...): tiny beside N steps.
        pairs = [
            (
                "xlsx",
                lambda: write_xlsx(plan, out / "p.xlsx"),
                lambda: raw_xlsx(plan, out / "r.xlsx"),
            ),
            ("csv", lambda: write_csv(plan, out / "p.csv"), lambda: raw_csv(plan, out / "r.csv")),
        ]
        for name, ours, floor in pairs:
            mine = median_seconds(ours, args.runs)
            base = median_seconds(floor, args.runs)
            print(
                f"{name}: {args.steps} steps: export {mine:.3f} s, raw write {base:.3f} s "
                f"(ratio {mine / base:.2f}x, median of {args.runs})"
            )


if __name__ == "__main__":
    main()

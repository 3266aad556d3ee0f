"""How long `cutover import` takes to read text dates, beside the old way of reading them (every
strptime format tried in turn, as values.when_of did before importers/text_dates.py) run in the
same process.

    .venv/bin/python benchmarks/import_dates.py [--rows N] [--runs N]

Two CSV sheets of N step rows (Task, Owner, Start, Duration), one day first and one month
first, their Start texts a third each ISO (2026-12-05 22:00), numeric (05/12/2026 22:00, both
readings possible for the first 12 days) and 12-hour (05/12/2026 10:00 PM). For each sheet,
the median of: its Start texts read as the import reads them (the column's date order, then
each text), old and new; the whole import, old and new; a bare csv read of the file. The
cache of texts already read is emptied before each run. Asserts nothing; wall times count
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cutover_tui.importers import ImportOptions, import_runbook, text_dates, values  # noqa: E402

FORMS = {
    "dmy": ("%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d/%m/%Y %I:%M %p"),
    "mdy": ("%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M %p"),
}
WINDOW_START = datetime(2026, 12, 1, 22, 0)
SPAN = timedelta(days=25)  # the steps' starts spread over most of December


def strptime_in_turn(text: str, order: str) -> tuple[datetime, bool] | None:
    """The old way: each format in turn until strptime reads one."""
    for day in (*text_dates.DATES["iso"], *text_dates.DATES[order]):
        for clock in text_dates.TIMES:
            try:
                return datetime.strptime(text, day + clock), clock == ""
            except ValueError:
                continue
    return None


@contextmanager
def old_way() -> Iterator[None]:
    values.read_text = strptime_in_turn  # type: ignore[assignment]
    try:
        yield
    finally:
        values.read_text = text_dates.read_text


def write_sheet(count: int, order: str, path: Path) -> list[str]:
    starts = []
    for n in range(count):
        at = WINDOW_START + SPAN * n / count
        starts.append(at.strftime(FORMS[order][n % 3]))
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Task", "Owner", "Start", "Duration"])
        out.writerows([f"Step {n}", f"Person {n % 40}", s, "15m"] for n, s in enumerate(starts))
    return starts


def read_starts(texts: list[str]) -> None:
    order = values.date_order(texts)
    for text in texts:
        values.when_of(text, order)


def import_sheet(path: Path) -> None:
    result = import_runbook(path, ImportOptions(start=WINDOW_START, timezone="UTC"))
    assert result.toml is not None, [str(p) for p in result.problems if p.severity == "error"][:3]


def bare_read(path: Path) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        list(csv.reader(handle))


def median(func: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        text_dates._read_cached.cache_clear()  # each run reads every text afresh
        began = time.perf_counter()
        func()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def old_and_new(func: Callable[[], object], runs: int) -> tuple[float, float]:
    with old_way():
        old = median(func, runs)
    return old, median(func, runs)


def one_sheet(order: str, rows: int, runs: int, folder: Path) -> None:
    path = folder / f"{order}.csv"
    starts = write_sheet(rows, order, path)
    old_read, new_read = old_and_new(lambda: read_starts(starts), runs)
    old_import, new_import = old_and_new(lambda: import_sheet(path), runs)
    bare = median(lambda: bare_read(path), runs)
    print(f"{'day' if order == 'dmy' else 'month'} first ({', '.join(starts[1:3])}):")
    for what, old, new in (("Start texts", old_read, new_read), ("import", old_import, new_import)):
        print(f"  {what + ', strptime in turn':30} {old:6.3f} s")
        print(f"  {what + ', now':30} {new:6.3f} s   {old / new:5.1f}x faster")
    print(f"  {'bare csv read':30} {bare:6.3f} s   (import now {new_import / bare:.0f}x it)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{args.rows:,} step rows; load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        for order in ("dmy", "mdy"):
            one_sheet(order, args.rows, args.runs, Path(tmp))


if __name__ == "__main__":
    main()

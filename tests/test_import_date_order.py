"""A workbook's Plan and Triggers sheets read their dates in the order its steps' dates use.

Left from a review (2026-12-03): the import reads a Start or End column month first when a
date in it only reads that way (11/13/2026), but the Plan sheet's window text and the
Triggers sheet's `at` were read day first whatever the steps used: a window starting on
11/12/2026 began on 11 December (after its steps: refused), a trigger due then was due a
month late. They are now read in the steps' order.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from cutover_tui.cli import main
from cutover_tui.plan import load_plan

# Either way round (month first here), then only month first.
STARTS: tuple[object, object] = ("11/12/2026 22:30", "11/13/2026 01:00")


def _book(path: Path, window_start: str, trigger_at: str, starts: tuple = STARTS) -> Path:
    book = Workbook()
    runbook = book.active
    runbook.title = "Runbook"
    runbook.append(("ID", "Task", "Owner", "Duration", "Start"))
    runbook.append(("a", "A", "boss", "30m", starts[0]))
    runbook.append(("b", "B", "boss", "30m", starts[1]))
    plan = book.create_sheet("Plan")
    plan.append(("key", "value"))
    plan.append(("window start", window_start))
    triggers = book.create_sheet("Triggers")
    triggers.append(("id", "step", "condition", "at", "action"))
    triggers.append(("late", "a", "not-done-by", trigger_at, "alert"))
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("starts", "window_start", "trigger_at", "due"),
    [
        (STARTS, "11/12/2026 22:00", "11/12/2026 23:30", datetime(2026, 11, 12, 23, 30)),
        # Date cells settle no order: a text reads as a step's would, day first (the window's
        # 12/11) unless it only reads month first (the trigger's 11/13).
        (
            (datetime(2026, 11, 12, 22, 30), datetime(2026, 11, 13, 1, 0)),
            "12/11/2026 22:00",
            "11/13/2026 00:30",
            datetime(2026, 11, 13, 0, 30),
        ),
    ],
)
def test_the_plan_and_triggers_sheets_read_dates_in_the_steps_order(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    starts: tuple,
    window_start: str,
    trigger_at: str,
    due: datetime,
) -> None:
    sheet = _book(tmp_path / "night.xlsx", window_start, trigger_at, starts)
    code = main(["import", str(sheet), "--out", str(tmp_path / "night.toml")])
    _, err = capsys.readouterr()
    assert code == 0, err
    plan = load_plan(tmp_path / "night.toml").plan
    assert plan.window.start == datetime(2026, 11, 12, 22, 0, tzinfo=UTC)  # 12 Nov, not 11 Dec
    assert plan.trigger[0].at == due.replace(tzinfo=UTC)


def test_a_plan_sheet_date_that_reads_only_the_other_way_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = _book(tmp_path / "night.xlsx", "13/11/2026 22:00", "11/12/2026 23:30")
    code = main(["import", str(sheet), "--out", str(tmp_path / "night.toml")])
    _, err = capsys.readouterr()
    assert code == 1
    [line] = [line for line in err.splitlines() if "[Plan]" in line]
    assert line == (
        f"  {sheet} [Plan], window start: '13/11/2026 22:00' reads only day first, but the"
        " steps' dates read month first (did you mean '2026-11-13 22:00'?)"
    )

"""Every step of a run with its plan and actual times, owner, status and variance, for the
people who paste it into a slide: `cutover export RUN --csv|--xlsx`.

From the journal alone, like the review (report/timeline.py's lines). Times are in the plan's
zone, ISO 8601 with their offset; durations in minutes. Text from the plan goes through
sheet_cells.py: a control character shown visibly (the title's ESC as "␛"), a cell a
spreadsheet would read as a formula (=, +, -, @ first) written as text, never run.
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

from ..engine.events import Event
from ..engine.state import fold
from ..plan.model import Plan
from ..sheet_cells import append_row, csv_text, row_cells, sheet_text, xlsx_cell
from .timeline import StepLine, step_lines

COLUMNS = [
    "step", "title", "phase", "owner", "kind", "status", "planned start", "planned finish",
    "actual start", "actual finish", "budget (min)", "actual (min)", "variance (min)",
    "slip (min)", "planned critical path",
]  # fmt: skip


def step_table(plan: Plan, events: list[Event]) -> list[list[object]]:
    state = fold(plan, events)
    end = state.ended_at or max((e.at for e in events), default=plan.window.start)
    return [_row(plan, s, state.name(s.owner)) for s in step_lines(state, end)]


def _row(plan: Plan, s: StepLine, owner: str) -> list[object]:
    return [
        s.id, s.title, s.phase, owner, s.kind, s.status,
        _time(plan, s.planned_start), _time(plan, s.planned_finish),
        _time(plan, s.actual_start), _time(plan, s.actual_finish),
        _minutes(s.budget), _minutes(s.actual), _minutes(s.variance), _minutes(s.slip),
        "yes" if s.on_planned_critical_path else "",
    ]  # fmt: skip


def _time(plan: Plan, moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(plan.zone).isoformat(timespec="minutes")


def _minutes(delta: timedelta | None) -> float | str:
    return "" if delta is None else round(delta.total_seconds() / 60, 1)


def write_csv(rows: list[list[object]], path: Path) -> None:
    """Text cells through sheet_cells.csv_text: no control character, never a formula."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for number, row in enumerate(rows, start=2):
            writer.writerow(row_cells(_where(number, row), COLUMNS, row, _csv_cell))


def _csv_cell(value: object) -> object:
    return csv_text(value) if isinstance(value, str) else value


def _where(number: int, row: list[object]) -> str:
    return f"sheet 'Steps', row {number} (step {row[0]!r})"


def write_xlsx(rows: list[list[object]], path: Path, title: str) -> None:
    """Every cell through sheet_cells.xlsx_cell: text as data, never a formula."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Steps"
    sheet.append(COLUMNS)
    for number, row in enumerate(rows, start=2):
        append_row(sheet, _where(number, row), COLUMNS, row, lambda v: xlsx_cell(sheet, v))
    sheet.freeze_panes = "A2"
    book.properties.title = sheet_text(title[:200])
    book.save(path)

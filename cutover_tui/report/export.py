"""Every step of a run with its plan and actual times, owner, status and variance, for the
people who paste it into a slide: `cutover export RUN --csv|--xlsx`.

From the journal alone, like the review (report/timeline.py's lines). Times are in the plan's
zone, ISO 8601 with their offset; durations in minutes. A cell of text from the plan that a
spreadsheet would read as a formula (=, +, -, @ first) is written as text, never run.
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

from ..engine.events import Event
from ..engine.state import fold
from ..plan.model import Plan
from .timeline import StepLine, step_lines

COLUMNS = [
    "step", "title", "phase", "owner", "kind", "status", "planned start", "planned finish",
    "actual start", "actual finish", "budget (min)", "actual (min)", "variance (min)",
    "slip (min)", "planned critical path",
]  # fmt: skip
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


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


def _text(value: object) -> object:
    """Plan text that a spreadsheet would run as a formula, kept as text."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def write_csv(rows: list[list[object]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows([[_text(v) for v in row] for row in rows])


def write_xlsx(rows: list[list[object]], path: Path, title: str) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Steps"
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, never a formula
    sheet.freeze_panes = "A2"
    book.properties.title = title[:200]
    book.save(path)

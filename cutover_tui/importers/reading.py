"""Reading a laid-out sheet's rows: formula cells, MS Project summary tasks, date order, and
each step row into a Draft (phase headings carried down to the rows under them)."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from .date_order import DateOrder
from .layout import Heading, StepRow, is_total
from .problems import Problems
from .rows import Draft, read_row
from .values import text_of

if TYPE_CHECKING:
    from .runbook import ImportResult


def note_formulas(
    sheet: Any, header: int, columns: Any, problems: Problems, result: ImportResult
) -> None:
    used = 0
    values = dict(sheet.rows)
    for (row, col), formula in sorted(sheet.formulas.items()):
        if row <= header:
            continue
        column = columns.by_index.get(col - 1)
        cells = values.get(row, [])
        value = cells[col - 1] if len(cells) >= col else None
        if value is None and column is not None and column.field not in ("unmapped", "ignore"):
            problems.add(
                f"formula {formula} has no saved value (the file was written by a program that "
                "does not calculate); type the value, or open and save the file in Excel",
                row,
                column,
            )
        else:
            used += 1
    if used:
        result.notes.append(f"{used} formula cell(s) read as the values Excel saved with them")


def column_date_order(rows: list[StepRow | Heading]) -> DateOrder:
    """The order the steps' Start and End dates written as text read in."""
    texts = [
        str(value)
        for row in rows
        if isinstance(row, StepRow)
        for name in ("start", "end")
        for _, value in row.cells.get(name, [])
        if isinstance(value, str)
    ]
    return DateOrder(texts)


def summaries_as_headings(
    rows: list[StepRow | Heading], result: ImportResult
) -> list[StepRow | Heading]:
    """MS Project's summary tasks (a row whose next row is deeper in the outline) as phases."""
    steps = [r for r in rows if isinstance(r, StepRow)]
    levels = {id(r): _level(r) for r in steps}
    summaries = {
        id(row)
        for row, after in itertools.pairwise(steps)
        if levels[id(row)] is not None
        and levels[id(after)] is not None
        and levels[id(after)] > levels[id(row)]
    }
    if not summaries:
        return rows
    result.notes.append(f"{len(summaries)} summary task(s) (by outline level) read as phases")
    return [
        Heading(r.number, text_of(r.first("title")[1]) or "") if id(r) in summaries else r
        for r in rows
    ]


def _level(row: StepRow) -> float | None:
    value = row.first("outline")[1]
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def read_rows(rows: list[StepRow | Heading], problems: Problems, order: str) -> list[Draft]:
    drafts: list[Draft] = []
    heading: str | None = None
    last: Heading | None = None  # the last heading no step has come under yet
    for row in rows:
        if isinstance(row, Heading):
            heading, last = row.text, row
            continue
        draft = read_row(row, problems, order)
        if draft is None:
            continue
        if draft.title and is_total(draft.title) and not draft.links and not draft.owners:
            problems.warn(f"{draft.title!r} reads as a total, not a step: not imported", row.number)
            continue
        draft.phase = draft.phase or heading
        drafts.append(draft)
        last = None
    if last is not None:
        problems.warn(
            f"{last.text!r} reads as a phase heading but no step comes under it: not imported",
            last.number,
        )
    return drafts

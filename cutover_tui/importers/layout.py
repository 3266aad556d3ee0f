"""The shape of a runbook sheet: title rows, the header row, phase headings, step rows.

Real sheets have a merged title over the table, a blank line, a header, then steps with
phase headings typed between them ("PHASE 2 - MIGRATION" across the row). This finds the
header, reads the title, turns headings into phases, fills vertically merged cells down
their rows and flags what cannot be read: a merge across a step's cells, a value in a
column with no header.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .columns import Column, Columns, header_score, map_columns
from .problems import Problems
from .sheet import Merge, Sheet, Value, column_letter

HEADER_SCAN = 30
_HEADING = re.compile(r"^(phase|stage|part|section|step group|workstream)\b|:$", re.I)
_TOTAL = {"total", "totals", "sum", "grand total", "end", "end of runbook", "end of plan"}


@dataclass
class StepRow:
    number: int
    cells: dict[str, list[tuple[Column, Value]]] = field(default_factory=dict)
    extras: list[tuple[str, Value]] = field(default_factory=list)  # (letter, value) past the header
    heading: str | None = None  # the phase heading above it

    def first(self, name: str) -> tuple[Column, Value] | tuple[None, None]:
        found = self.cells.get(name)
        return found[0] if found else (None, None)


@dataclass
class Heading:
    number: int
    text: str


@dataclass
class Layout:
    header_row: int
    columns: Columns
    title: str | None
    rows: list[StepRow | Heading]


class NoTable(ValueError):
    """The sheet has no runbook table; the message says what it has instead."""


def lay_out(sheet: Sheet, maps: Sequence[tuple[str, str]], problems: Problems) -> Layout:
    if not sheet.rows:
        raise NoTable("the sheet is empty")
    header_index = _header_index(sheet, maps)
    number, header = sheet.rows[header_index]
    columns = map_columns(header, maps)
    title = _title(sheet.rows[:header_index])
    merged = [m for m in sheet.merged if m.max_row > number]
    values = _fill_merged(sheet, merged, number, columns, problems)
    heading_rows = _merged_headings(merged)
    rows: list[StepRow | Heading] = []
    for row_number, cells in sheet.rows[header_index + 1 :]:
        cells = values.get(row_number, cells)
        heading = _heading_text(cells, columns, row_number in heading_rows)
        if heading is not None:
            rows.append(Heading(row_number, heading))
            continue
        rows.append(_step_row(row_number, cells, columns, len(header)))
    return Layout(number, columns, title, rows)


def _header_index(sheet: Sheet, maps: Sequence[tuple[str, str]]) -> int:
    mapped = {column.lower() for column, _ in maps}
    for index, (_, cells) in enumerate(sheet.rows[:HEADER_SCAN]):
        texts = {str(c).strip().lower() for c in cells if isinstance(c, str)}
        if header_score(cells) >= 2 or (mapped and len(mapped & texts) >= 1):
            return index
    first = next((str(c) for c in sheet.rows[0][1] if c is not None), "")
    raise NoTable(
        f"no header row in the first {HEADER_SCAN} rows (the first reads {first[:40]!r}): "
        "a header names the columns, like Task, Owner, Duration, Predecessors; "
        "or name them with --map COLUMN=FIELD"
    )


def _title(rows: list[tuple[int, list[Value]]]) -> str | None:
    for _, cells in rows:
        for cell in cells:
            if isinstance(cell, str) and cell.strip():
                return cell.strip()
    return None


def _fill_merged(
    sheet: Sheet, merged: list[Merge], header: int, columns: Columns, problems: Problems
) -> dict[int, list[Value]]:
    """Rows with vertically merged cells filled down; horizontal merges over step cells flagged."""
    by_row = {number: list(cells) for number, cells in sheet.rows}
    out: dict[int, list[Value]] = {}
    for merge in merged:
        top = by_row.get(merge.min_row, [])
        value = top[merge.min_col - 1] if len(top) >= merge.min_col else None
        column = columns.by_index.get(merge.min_col - 1)
        label = column.label if column else column_letter(merge.min_col)
        if merge.min_row <= header:
            continue  # a header cell merged down into the table: nothing to fill
        if merge.max_col > merge.min_col and not _only_value(top, merge):
            span = f"{column_letter(merge.min_col)}{merge.min_row}:"
            span += f"{column_letter(merge.max_col)}{merge.max_row}"
            names = [
                columns.by_index[i].header or columns.by_index[i].letter
                for i in range(merge.min_col - 1, merge.max_col)
                if i in columns.by_index
            ]
            problems.add(
                f"cells {span} are merged across {', '.join(names)}: only the first holds a "
                "value, the others read empty; unmerge them and fill each cell",
                merge.min_row,
                label,
            )
            continue
        if merge.max_row > merge.min_row and merge.min_col == merge.max_col:
            for row in range(merge.min_row + 1, merge.max_row + 1):
                if row in by_row:
                    cells = out.setdefault(row, by_row[row])
                    cells.extend([None] * (merge.min_col - len(cells)))
                    if cells[merge.min_col - 1] is None:
                        cells[merge.min_col - 1] = value
            problems.warn(
                f"rows {merge.min_row}-{merge.max_row} share one merged cell; "
                f"{value!r} is read for each of them",
                merge.min_row,
                label,
            )
    return out


def _only_value(cells: list[Value], merge: Merge) -> bool:
    """Whether the merged value is the only one on its row (a heading across the table)."""
    return all(
        v is None for i, v in enumerate(cells) if not (merge.min_col - 1 <= i < merge.max_col)
    )


def _merged_headings(merged: list[Merge]) -> set[int]:
    return {m.min_row for m in merged if m.max_col > m.min_col}


def _heading_text(cells: list[Value], columns: Columns, merged_across: bool) -> str | None:
    """The phase heading a row holds, or None if it is a step row."""
    filled = [(i, c) for i, c in enumerate(cells) if c is not None]
    if len(filled) != 1 or not isinstance(filled[0][1], str):
        return None
    index, text = filled[0]
    column = columns.by_index.get(index)
    field_name = column.field if column else "unmapped"
    if merged_across or field_name in ("id", "phase"):
        return text
    # A column kept as notes, or one past the header, holds remarks: a text there is a heading
    # only when it reads as one ("PHASE 2", "Cut-over:"), never a remark ("check with Bob!").
    headless = field_name == "unmapped" and not (column and column.header)
    if (field_name == "title" or headless) and _reads_as_heading(text):
        return text
    return None


def _reads_as_heading(text: str) -> bool:
    return bool(_HEADING.search(text)) or (text.isupper() and len(text) > 3)


def _step_row(number: int, cells: list[Value], columns: Columns, width: int) -> StepRow:
    row = StepRow(number)
    for index, value in enumerate(cells):
        if value is None:
            continue
        column = columns.by_index.get(index)
        if column is None or index >= width or not column.header:
            row.extras.append((column_letter(index + 1), value))
        elif column.field != "ignore":
            row.cells.setdefault(column.field, []).append((column, value))
    return row


def is_total(title: str) -> bool:
    return title.strip().lower().rstrip(":") in _TOTAL

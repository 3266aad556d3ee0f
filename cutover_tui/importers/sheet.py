"""Read a runbook sheet: the rows of an XLSX worksheet (openpyxl) or a CSV file (csv module).

What comes out is plain: each non-blank row with its sheet row number and its cell values, the
merged ranges, the formula cells (with the value Excel saved for them) and notes on how the
file was read (the encoding a CSV was decoded with). Everything that stops a file being read
at all is an ImportRefused with one line; everything else is for runbook.py to judge per row.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from ..plan.errors import nearest
from ..sheet_cells import unquote_csv
from .sniff import DESCRIPTIONS, ImportRefused, whole_file_kind

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_ROWS = 50_000
# Sheets a workbook may hold beside the runbook (written by `cutover export --xlsx`).
AUX_SHEETS = (
    "plan", "people", "phases", "risks", "readiness", "triggers", "audiences", "templates",
    "rollback",
)  # fmt: skip
Value = str | int | float | bool | datetime | date | time | timedelta | None
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


@dataclass(frozen=True)
class Merge:
    """A merged range, 1-based and inclusive; only its top-left cell holds a value."""

    min_row: int
    min_col: int
    max_row: int
    max_col: int


@dataclass
class Sheet:
    file: str
    name: str | None  # None for a CSV
    rows: list[tuple[int, list[Value]]] = field(default_factory=list)
    merged: list[Merge] = field(default_factory=list)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> "=..."
    notes: list[str] = field(default_factory=list)

    def where(self, row: int | None = None, column: str | None = None) -> str:
        """'runbook.xlsx [Runbook] row 7, D (Duration)' style prefix."""
        out = self.file + (f" [{self.name}]" if self.name else "")
        if row is not None:
            out += f" row {row}"
        if column:
            out += f", {column}"
        return out


@dataclass
class Workbook:
    main: Sheet
    aux: dict[str, Sheet] = field(default_factory=dict)  # "people" -> its sheet


def read_workbook(path: str | Path, sheet: str | None = None) -> Workbook:
    """The runbook sheet of `path` (and the auxiliary sheets of a workbook), or ImportRefused."""
    source = Path(path)
    try:
        size = source.stat().st_size
        if not source.is_file():
            raise ImportRefused(f"{source}: not a regular file")
        kind = whole_file_kind(source)
    except OSError as exc:
        raise ImportRefused(f"{source}: cannot read it: {exc.strerror or exc}") from None
    if size > MAX_FILE_BYTES:
        raise ImportRefused(f"{source}: {size:,} bytes; a runbook sheet may be at most 64 MiB")
    suffix = source.suffix.lower()
    if kind == "xlsx":
        if suffix == ".csv":
            note = f"{source}: named .csv but it is an Excel workbook (XLSX); read as one"
            book = _read_xlsx(source, sheet)
            book.main.notes.append(note)
            return book
        return _read_xlsx(source, sheet)
    if kind != "text":
        raise ImportRefused(f"{source}: this is {DESCRIPTIONS[kind]}")
    if suffix in (".xlsx", ".xlsm"):
        raise ImportRefused(
            f"{source}: named {suffix} but it is plain text, not an Excel workbook "
            "(a CSV renamed, or a damaged download); rename it .csv if it is a CSV"
        )
    if sheet is not None:
        raise ImportRefused(f"{source}: --sheet {sheet!r} given, but a CSV has one sheet")
    return Workbook(read_csv(source))


# --- XLSX -----------------------------------------------------------------------------------


# What openpyxl raises on a damaged workbook: a bad ZIP, a missing part, XML that does not
# parse (ParseError is a SyntaxError), a deflate stream that does not inflate, values of the
# wrong type. One line for each, never a trace.
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    struct.error,
    LookupError,  # KeyError (a missing part), IndexError
    OSError,
    ValueError,
    TypeError,
    EOFError,
    SyntaxError,
    AttributeError,
    RuntimeError,  # zipfile: "encrypted", and NotImplementedError for an unknown compression
)


def _read_xlsx(path: Path, wanted: str | None) -> Workbook:
    import openpyxl  # imported here: CSV imports and the rest of cutover do not need it

    # A file object, not the path: openpyxl refuses a workbook named .csv by its name.
    with path.open("rb") as handle:
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=False)
        except _DAMAGED as exc:
            raise ImportRefused(
                f"{path}: the workbook is damaged and cannot be opened ({_short(exc)}); "
                "open it in Excel and save it again"
            ) from None
        try:
            names = list(book.sheetnames)
            main_name = _choose_sheet(path, names, wanted)
            out = Workbook(_read_worksheet(path, book, main_name))
            for name in names:
                key = name.strip().lower()
                if name != main_name and key in AUX_SHEETS:
                    out.aux[key] = _read_worksheet(path, book, name)
            return out
        except _DAMAGED as exc:
            raise ImportRefused(
                f"{path}: the workbook is damaged and cannot be read ({_short(exc)}); "
                "open it in Excel and save it again"
            ) from None
        finally:
            book.close()


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) < 80 else text[:77] + "..."


def _choose_sheet(path: Path, names: list[str], wanted: str | None) -> str:
    if not names:
        raise ImportRefused(f"{path}: the workbook has no sheets")
    if wanted is not None:
        by_lower = {n.lower(): n for n in names}
        if wanted.lower() in by_lower:
            return by_lower[wanted.lower()]
        hint = nearest(wanted, names)
        tail = f" (did you mean {hint!r}?)" if hint else ""
        raise ImportRefused(
            f"{path}: no sheet named {wanted!r}; its sheets are {', '.join(names)}{tail}"
        )
    for name in names:
        if name.strip().lower() not in AUX_SHEETS:
            return name
    return names[0]


def _read_worksheet(path: Path, book: Any, name: str) -> Sheet:
    ws = book[name]
    # The stored dimension may be wrong (some tools write A1:C5 over a wider table): without it
    # read-only mode yields every cell of every row, and gaps as empty rows, so rows count true.
    ws.reset_dimensions()
    sheet = Sheet(str(path), name)
    for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
        values = [_clean(v) for v in row]
        while values and values[-1] is None:
            values.pop()
        if not values:
            continue
        for column, value in enumerate(values, start=1):
            if isinstance(value, str) and value.startswith("="):
                sheet.formulas[(number, column)] = value  # or text typed with a leading '='
        sheet.rows.append((number, values))
        if len(sheet.rows) > MAX_ROWS:
            raise ImportRefused(f"{path}: more than {MAX_ROWS:,} rows; split the runbook")
    if sheet.formulas:
        _saved_values(path, name, sheet)
    sheet.merged = _merged_ranges(book, ws)
    return sheet


def _saved_values(path: Path, name: str, sheet: Sheet) -> None:
    """Put the value Excel saved with each formula in place of the formula (None if none).

    Read without formulas, a formula cell gives its saved value and a text cell its text: a
    cell that reads the same both ways was text that starts with '=', not a formula.
    """
    import openpyxl

    with path.open("rb") as handle:
        cached = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        try:
            ws = cached[name]
            ws.reset_dimensions()
            last = max(r for r, _ in sheet.formulas)
            by_row = dict(sheet.rows)
            for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
                if number > last:
                    break
                for column, value in enumerate(row, start=1):
                    formula = sheet.formulas.get((number, column))
                    if formula is None:
                        continue
                    saved = _clean(value)
                    if saved == formula:
                        del sheet.formulas[(number, column)]
                    else:
                        by_row[number][column - 1] = saved
        finally:
            cached.close()


def _merged_ranges(book: Any, ws: Any) -> list[Merge]:
    """Read-only worksheets do not parse <mergeCells>; read them from the sheet's XML."""
    archive = getattr(book, "_archive", None)
    part = getattr(ws, "_worksheet_path", None)
    if archive is None or part is None:
        return []
    xml = archive.read(part)
    start = xml.rfind(b"<mergeCells")
    if start < 0:
        return []
    out = []
    for first_col, first_row, last_col, last_row in _MERGE.findall(xml[start:]):
        out.append(
            Merge(int(first_row), _col_number(first_col), int(last_row), _col_number(last_col))
        )
    return out


def _col_number(letters: bytes) -> int:
    number = 0
    for char in letters.decode():
        number = number * 26 + ord(char) - 64
    return number


def column_letter(index: int) -> str:
    """1 -> 'A', 27 -> 'AA'."""
    out = ""
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def _clean(value: Any) -> Value:
    if isinstance(value, str):
        text = value.strip()
        return text or None
    return value


# --- CSV ------------------------------------------------------------------------------------


def read_csv(path: Path) -> Sheet:
    data = path.read_bytes()
    text, note = decode(data)
    sheet = Sheet(str(path), None)
    if note:
        sheet.notes.append(f"{path}: {note}")
    if "\x00" in text:
        raise ImportRefused(f"{path}: holds NUL bytes: a binary file, not a CSV")
    dialect = _dialect(text)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for number, cells in enumerate(reader, start=1):
            # The apostrophe `cutover export` (or a careful hand) put before a formula's start.
            values = [_clean(unquote_csv(c)) for c in cells]
            while values and values[-1] is None:
                values.pop()
            if values:
                sheet.rows.append((number, values))
                if len(sheet.rows) > MAX_ROWS:
                    raise ImportRefused(f"{path}: more than {MAX_ROWS:,} rows; split the runbook")
    except csv.Error as exc:
        raise ImportRefused(f"{path}: row {reader.line_num}: not readable as CSV: {exc}") from None
    return sheet


def decode(data: bytes) -> tuple[str, str | None]:
    """The text of a CSV and, when it was not plain UTF-8, a note saying how it was read."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "read as UTF-16 (Excel's 'Unicode text')"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        where = data[: exc.start].count(b"\n") + 1
    try:
        return data.decode("cp1252"), (
            f"not UTF-8 (first at line {where}); read as Windows-1252 (cp1252): "
            "check accented names, or save the sheet as 'CSV UTF-8'"
        )
    except UnicodeDecodeError:
        return data.decode("latin-1"), (
            f"not UTF-8 (first at line {where}); read as Latin-1: check accented names, "
            "or save the sheet as 'CSV UTF-8'"
        )


def _dialect(text: str) -> type[csv.Dialect]:
    """The delimiter the header line uses most (a header rarely quotes one); comma if none.

    csv.Sniffer guesses from quote placement and is fooled by a 16 KB sample cut mid-field.
    """
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in ",;\t|"}
    best = max(counts, key=lambda d: counts[d])

    class Dialect(csv.excel):
        delimiter = best if counts[best] else ","

    return Dialect

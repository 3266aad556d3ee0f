"""Plan and person text made safe for a spreadsheet cell: what every `cutover export` writes.

Two dangers, one rule each, for both kinds of sheet (importers/export.py writes a plan,
report/export.py a run):

- Characters a sheet cannot hold or that drive a terminal. XML 1.0 (an .xlsx) refuses the C0
  controls other than tab, newline and CR, lone surrogates, U+FFFE and U+FFFF: openpyxl raises
  on the first (a traceback quoting the raw text) and writes the last two into a workbook that
  no program can open again. A CSV holds them all, and whoever `cat`s it gets an ESC sequence
  (OSC 52 writes the clipboard). Each is replaced by the stand-in `inert` shows for it (ESC
  -> "␛", BEL -> "␇", CSI -> "\\x9b", U+FFFF -> "\\uffff"), never dropped; CR LF becomes one
  newline, which a cell holds, and a lone CR "␍" (XML would turn it into a newline unseen).
  Bidi and other format characters stay: a sheet holds them, right-to-left text needs them, and
  every screen and printer shows them inert.
- Text a spreadsheet would run as a formula (OWASP's CSV injection). In an .xlsx, openpyxl
  stores any str that starts with "=" as a formula: such a cell is written with the string data
  type, and every cell that starts like a formula gets Excel's quote prefix, so editing it keeps
  it text. In a CSV, a cell that starts with = + - @, a tab or CR, or an apostrophe gets one
  apostrophe in front; `cutover import` takes exactly that one off again (`unquote_csv`), so
  plan -> CSV -> plan gives back the text.

A failure while writing is a `SheetWriteError` naming the sheet, row and column, and
`write_sheet_file` turns any failure into one line naming the file; the target is written
beside itself and renamed into place, so a failure leaves no half-written sheet behind.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import Any

from .inert import inert, inert_line

# What spreadsheet programs read as the start of a formula (OWASP), and the apostrophe that
# marks "text" in front of one: a cell starting with either gets an apostrophe in a CSV.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_QUOTED_START = (*FORMULA_START, "'")

# Every character an .xlsx cannot hold or a terminal would obey: C0 but tab and newline (a
# lone CR too, see above), DEL and C1, lone surrogates, and the two XML non-characters.
_NOT_HELD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


class SheetWriteError(ValueError):
    """A cell that could not be written, located: `where` names the sheet, row and column."""

    def __init__(self, where: str, cause: BaseException) -> None:
        super().__init__(f"{where}: {type(cause).__name__}: {inert_line(cause)}")
        self.where = where


def _stand_in(match: re.Match[str]) -> str:
    char = match.group()
    shown = inert(char)  # the one visible form the rest of the program uses
    return shown if shown != char else f"\\u{ord(char):04x}"  # U+FFFE/U+FFFF: inert keeps them


def sheet_text(text: str) -> str:
    """`text` with every character a sheet cannot hold shown visibly; newlines and tabs kept."""
    text = text.replace("\r\n", "\n")
    if _NOT_HELD.search(text) is None:
        return text
    return _NOT_HELD.sub(_stand_in, text)


def sheet_value(value: Any) -> Any:
    """A cell's value with its text made safe (`sheet_text`); numbers and times as they are."""
    return sheet_text(value) if isinstance(value, str) else value


def starts_like_a_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_text(text: str) -> str:
    """One CSV cell of text: safe characters, and an apostrophe before a formula's start."""
    text = sheet_text(text)
    return "'" + text if text.startswith(_QUOTED_START) else text


def unquote_csv(text: str) -> str:
    """A CSV cell as `csv_text` was given it: the one apostrophe it added taken off."""
    if text.startswith("'") and text[1:].startswith(_QUOTED_START):
        return text[1:]
    return text


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """What to append to `sheet` (write-only or not) for `value`, as data, never a formula: text
    made safe; text starting like a formula as a text cell with the quote prefix."""
    value = sheet_value(value)
    if not starts_like_a_formula(value):
        return value  # a plain value: openpyxl makes the cell (cheaper than making it here)
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"  # openpyxl stores a str starting with '=' as a formula
    cell.quotePrefix = True  # Excel keeps it text when someone edits the cell
    return cell


def row_cells(
    where: str, header: Sequence[str], row: Sequence[Any], make: Callable[[Any], Any]
) -> list[Any]:
    """`make` over one row's values; a value it fails on raised as a SheetWriteError naming
    `where` and the column (the row is walked again only after a failure: no cost before)."""
    try:
        return [make(value) for value in row]
    except Exception as first:
        for head, value in zip(header, row, strict=False):
            try:
                make(value)
            except Exception as exc:
                raise SheetWriteError(f"{where}, column {head}", exc) from exc
        raise SheetWriteError(where, first) from first


def append_row(
    sheet: Any, where: str, header: Sequence[str], row: Sequence[Any], make: Callable[[Any], Any]
) -> None:
    """`make` over the row's values, appended to the openpyxl `sheet`; a value openpyxl refuses
    raised as a SheetWriteError naming `where` and the column."""
    cells = row_cells(where, header, row, make)
    try:
        sheet.append(cells)
    except Exception as first:
        from openpyxl.cell import Cell, WriteOnlyCell

        plain = [(head, value) for head, value in zip(header, cells, strict=False)
                 if not isinstance(value, Cell)]  # fmt: skip
        row_cells(
            where, [h for h, _ in plain], [v for _, v in plain], partial(WriteOnlyCell, sheet)
        )
        raise SheetWriteError(where, first) from first


def same_file(target: Path, source: Path) -> bool:
    """Whether writing `target` would overwrite `source` (by another name or link too)."""
    try:
        return target.exists() and os.path.samefile(target, source)
    except OSError:
        return False


def write_sheet_file(target: Path, write: Callable[[Path], None]) -> str | None:
    """Run `write` on a file beside `target`, then rename it into place.

    Returns None when written, else one line naming `target` and what failed (the file, the
    sheet, row and column): a sheet that cannot be written is said, never a traceback, and
    leaves nothing behind.
    """
    beside = target.with_name(f".{target.stem}.{os.getpid()}.partial{target.suffix}")
    try:
        write(beside)
        os.replace(beside, target)
    except SheetWriteError as exc:
        return f"{target}: not written: {exc}"
    except OSError as exc:
        return f"{target}: not written: {exc.strerror or type(exc).__name__}"
    except Exception as exc:  # a bug below: still one line, and no half-written sheet
        return f"{target}: not written: {type(exc).__name__}: {inert_line(exc)}"
    finally:
        _remove(beside)
    return None


def _remove(beside: Path) -> None:
    with suppress(OSError):  # the directory itself unreadable: the line above says so
        beside.unlink(missing_ok=True)

"""Helpers for the import tests: sheets written on the fly, `cutover import` run in-process."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook

from cutover_tui.cli import main


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], merges: Sequence[str] = ()) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Runbook"
    for row in rows:
        sheet.append(list(row))
    for merge in merges:
        sheet.merge_cells(merge)
    book.save(path)
    return path


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def run_import(
    capsys: pytest.CaptureFixture[str], path: Path, *args: str, start: bool = True
) -> tuple[int, list[str], list[str]]:
    """(exit code, stdout lines, stderr lines) of `cutover import PATH [--start ...] ARGS`."""
    out = path.with_suffix(".toml")
    out.unlink(missing_ok=True)
    when = ["--start", "2026-12-05T22:00"] if start else []
    argv = ["import", str(path), "--out", str(out), *when, *args]
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.splitlines()

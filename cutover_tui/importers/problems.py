"""A problem found in a sheet, located by file, sheet, row and column, with the nearest valid
value when one can be guessed. Every problem of a run is collected; none stops the others."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..inert import inert_line
from .columns import Column
from .sheet import Sheet

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class SheetProblem:
    where: str  # 'runbook.xlsx [Runbook] row 7, D (Duration)'
    message: str
    hint: str | None = None
    severity: Severity = "error"
    row: int | None = None
    column: str | None = None  # the column letter

    def __post_init__(self) -> None:
        # Sheet text (a header, a cell) reaches these strings; a problem is one line on any
        # terminal whatever the sheet holds (a header cell with a line break, an ESC).
        object.__setattr__(self, "where", inert_line(self.where))
        object.__setattr__(self, "message", inert_line(self.message))
        if self.hint is not None:
            object.__setattr__(self, "hint", inert_line(self.hint))

    def __str__(self) -> str:
        label = "" if self.severity == "error" else " warning:"
        tail = f" (did you mean '{self.hint}'?)" if self.hint else ""
        return f"{self.where}:{label} {self.message}{tail}"


@dataclass
class Problems:
    sheet: Sheet
    items: list[SheetProblem] = field(default_factory=list)
    failed_rows: dict[int, str] = field(default_factory=dict)  # row -> why it cannot be imported

    def add(
        self,
        message: str,
        row: int | None = None,
        column: Column | str | None = None,
        hint: str | None = None,
        severity: Severity = "error",
    ) -> None:
        label = column.label if isinstance(column, Column) else column
        letter = column.letter if isinstance(column, Column) else None
        where = self.sheet.where(row, label)
        self.items.append(SheetProblem(where, message, hint, severity, row, letter))
        if severity == "error" and row is not None:
            self.failed_rows.setdefault(row, message)

    def add_at(self, where: str, message: str, hint: str | None, severity: Severity) -> None:
        """A problem in another sheet of the workbook (People, Risks, Plan), `where` given."""
        self.items.append(SheetProblem(where, message, hint, severity))

    def warn(
        self,
        message: str,
        row: int | None = None,
        column: Column | str | None = None,
        hint: str | None = None,
    ) -> None:
        self.add(message, row, column, hint, "warning")

    @property
    def errors(self) -> list[SheetProblem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[SheetProblem]:
        return [p for p in self.items if p.severity == "warning"]

    def sorted(self) -> list[SheetProblem]:
        return sorted(self.items, key=lambda p: (p.severity != "error", p.row or 0, p.column or ""))

"""The order a workbook's text dates read in (27/11/2026 or 11/27/2026), from its steps' Start
and End columns, for the dates of its other sheets too: the Plan sheet's window and a trigger's
time are read as the steps' dates are, not day first whatever the steps use."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from .sheet import Value
from .values import CellError, When, date_order, when_of

_WORDS = {"dmy": "day first", "mdy": "month first"}


@dataclass
class DateOrder:
    texts: list[str] = field(default_factory=list)  # the steps' dates written as text

    @cached_property
    def order(self) -> str:
        """'mdy' when a step's date only reads month first, else 'dmy' (values.date_order)."""
        return date_order(self.texts)

    @cached_property
    def settled(self) -> bool:
        """Whether a step's date reads only one way (else the order is day first by default):
        worked out only when another sheet's date reads only the other way."""
        return self.order == "mdy" or any(_only_day_first(t) for t in self.texts)

    def when(self, value: Value) -> When:
        """`value` read in the steps' order. A text that reads only the other way is refused,
        with the date it names as the hint, when a step's date settles the order; when none
        does, it is read as a step's date would be (day first unless only month first)."""
        try:
            return when_of(value, self.order)
        except CellError:
            other = "mdy" if self.order == "dmy" else "dmy"
            if not isinstance(value, str) or not _reads(value, other):
                raise
        found = when_of(value, other)
        if not self.settled:
            return found
        shown = found.at.strftime("%Y-%m-%d" if found.date_only else "%Y-%m-%d %H:%M")
        raise CellError(
            f"{value!r} reads only {_WORDS[other]}, but the steps' dates read {_WORDS[self.order]}",
            shown,
        )


def _reads(text: str, order: str) -> bool:
    try:
        when_of(text, order)
    except CellError:
        return False
    return True


def _only_day_first(text: str) -> bool:
    return _reads(text, "dmy") and not _reads(text, "mdy")

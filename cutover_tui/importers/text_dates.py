"""Dates written as text in the forms runbooks use (2026-11-27 22:00, 27/11/2026, 11/27/26
10 PM, 27 Nov 2026), tried in a fixed order, the first that strptime reads winning.

strptime alone is slow at this: a text tried against every format in turn failed about a dozen
calls before one read it (56 for a date that only reads month first), and its cache of compiled
formats holds five, so each failure also recompiled a pattern (10,000 Start cells took seconds).
Here each format has a compiled shape that accepts all strptime's format accepts and maybe more;
strptime is asked only where the shape fits, so what is read, and which format reads it, is what
trying every format with strptime gives.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

DATES = {
    "iso": ("%Y-%m-%d",),
    "dmy": ("%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d.%m.%y", "%d-%m-%Y", "%d %b %Y", "%d %B %Y"),
    "mdy": ("%m/%d/%Y", "%m/%d/%y", "%b %d %Y", "%B %d %Y"),
}
TIMES = ("", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I %p", "T%H:%M", "T%H:%M:%S")

# Each directive as loose as, or looser than, strptime's own pattern for it (_strptime.TimeRE):
# %d is "3[01]|[12]\d|0[1-9]|[1-9]| [1-9]", %H "2[0-3]|[01]\d|\d", and so on, \d being any
# Unicode digit there too. Names (%b, %B, %p) depend on the locale, and may even be empty: any text.
_LOOSE = {
    "d": r" ?\d\d?",
    "m": r"\d\d?",
    "y": r"\d\d",
    "Y": r"\d\d\d\d",
    "H": r"\d\d?",
    "I": r"\d\d?",
    "M": r"\d\d?",
    "S": r"\d\d?",
    "b": r".*?",
    "B": r".*?",
    "p": r".*?",
}
_DIRECTIVE = re.compile(r"%(.)")
_LONGEST_CACHED = 64  # longer texts are not dates anyone typed; not worth keeping


def _literal(text: str) -> str:
    # As strptime reads a format's other characters: a run of whitespace is any whitespace.
    return r"\s+".join(re.escape(part) for part in re.split(r"\s+", text))


def _shape(fmt: str) -> re.Pattern[str]:
    """A pattern for every text strptime reads with `fmt` (case-insensitive, as strptime is)."""
    parts = _DIRECTIVE.split(fmt)  # literal, directive letter, literal, ...
    pattern = "".join(_LOOSE[p] if i % 2 else _literal(p) for i, p in enumerate(parts))
    return re.compile(pattern, re.IGNORECASE | re.DOTALL)


def _formats(order: str) -> tuple[tuple[str, re.Pattern[str], bool], ...]:
    """(format, its shape, whether it is a date without a time), in the order they are tried."""
    return tuple(
        (day + clock, _shape(day + clock), clock == "")
        for day in (*DATES["iso"], *DATES[order])
        for clock in TIMES
    )


_FORMATS = {order: _formats(order) for order in ("dmy", "mdy")}


def read_text(text: str, order: str) -> tuple[datetime, bool] | None:
    """The date and time `text` names, and whether it is a date alone; None if no format
    reads it. `order` is "dmy" or "mdy": which of 03/04/2026's numbers is the day."""
    if len(text) > _LONGEST_CACHED:
        return _read(text, order)
    return _read_cached(text, order)


def _read(text: str, order: str) -> tuple[datetime, bool] | None:
    for fmt, shape, date_only in _FORMATS[order]:
        if shape.fullmatch(text) is None:
            continue  # strptime would refuse it too
        try:
            return datetime.strptime(text, fmt), date_only
        except ValueError:  # the shape fits but not the values (31/02/2026, 25:00)
            continue
    return None


# The same texts are read again and again: each step's date when the column's order is worked
# out, again as the step is read, and a Start and an End are often the same times.
# (strptime's month names and AM/PM are the locale's: kept, as the program never sets LC_TIME.)
_read_cached = lru_cache(maxsize=16384)(_read)

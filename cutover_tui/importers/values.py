"""Cell values as runbooks write them: durations, dates, predecessors, step types, people.

Each parser returns the value or raises CellError with a message for the planner and, where one
can be guessed, the nearest valid value ("two hours" -> "2h").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from ..plan.durations import MAX_DURATION, parse_duration
from ..plan.errors import nearest
from .sheet import Value
from .text_dates import read_text


class CellError(ValueError):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


# --- durations ------------------------------------------------------------------------------

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_UNIT_NAMES = {
    "s": ("s", "sec", "secs", "second", "seconds"),
    "m": ("m", "min", "mins", "minute", "minutes", "mn", "'"),
    "h": ("h", "hr", "hrs", "hour", "hours", "u", "std"),
    "d": ("d", "day", "days", "dy", "dys"),
    "w": ("w", "wk", "wks", "week", "weeks"),
}
_UNIT_OF = {name: unit for unit, names in _UNIT_NAMES.items() for name in names}
_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*(e?[a-z']+)?\s*")
_CLOCK = re.compile(r"^(\d{1,3}):([0-5]\d)(?::([0-5]\d))?$")
_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "fortyfive": 45,
    "fifty": 50,
    "sixty": 60,
    "ninety": 90,
    "half": 0.5,
}
_EXCEL_EPOCH = datetime(1899, 12, 30)
EXAMPLES = 'write it like "90m", "1.5h", "1:30" or "2 days"'


def duration_of(value: Value, unit: str | None = None) -> timedelta:
    """A cell's duration; a plain number is in `unit` (the column's, else minutes)."""
    try:
        found = _duration_of(value, unit)
    except OverflowError:
        found = None
    if found is None or found > MAX_DURATION:
        raise CellError(f"{value!r} is longer than a year; is it a typo? {EXAMPLES}")
    return found


def _duration_of(value: Value, unit: str | None) -> timedelta:
    if isinstance(value, timedelta):
        return _not_negative(value, value)
    if isinstance(value, time):
        return timedelta(hours=value.hour, minutes=value.minute, seconds=value.second)
    if isinstance(value, datetime):
        if value.year <= 1900:  # a [h]:mm cell longer than a day: a time since Excel's epoch
            return _not_negative(value, value - _EXCEL_EPOCH)
        raise CellError(f"{value:%Y-%m-%d %H:%M} is a date, not a duration; {EXAMPLES}")
    if isinstance(value, bool) or value is None or isinstance(value, date):
        raise CellError(f"{value!r} is not a duration; {EXAMPLES}")
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellError(f"{value!r} is not a duration; {EXAMPLES}")
        return _not_negative(value, timedelta(seconds=float(value) * _UNIT_SECONDS[unit or "m"]))
    return _text_duration(str(value), unit)


def _not_negative(shown: object, value: timedelta) -> timedelta:
    if value < timedelta(0):
        raise CellError(f"{shown!r} is negative; a step takes a positive time")
    return value


def _text_duration(text: str, unit: str | None) -> timedelta:
    raw = text.strip().lower().rstrip("?~ ").replace("≈", "")
    if raw.startswith("-"):
        raise CellError(f"{text!r} is negative; a step takes a positive time")
    clock = _CLOCK.match(raw)
    if clock:
        hours, minutes, seconds = (int(g or 0) for g in clock.groups())
        return timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if raw.upper().startswith("P"):
        try:
            return parse_duration(raw.upper())
        except ValueError:
            pass
    total, pos, last = 0.0, 0, None
    while pos < len(raw):
        part = _PART.match(raw, pos)
        if not part or part.end() == pos:
            break
        number = float(part.group(1).replace(",", "."))
        part_unit = _part_unit(part.group(2), last, part.end() == len(raw), unit)
        # Each part in a smaller unit than the one before ("1h 30m"): "1h 2h", "30m 30m",
        # "2 3" and "1e3" are not durations, not sums.
        if part_unit is None or (last and _UNIT_SECONDS[part_unit] >= _UNIT_SECONDS[last]):
            break
        total += number * _UNIT_SECONDS[part_unit]
        last, pos = part_unit, part.end()
    if pos == len(raw) and raw:
        return timedelta(seconds=round(total))
    raise CellError(f"{text!r} is not a duration; {EXAMPLES}", _from_words(raw))


def _part_unit(written: str | None, last: str | None, alone: bool, unit: str | None) -> str | None:
    """The unit of one part of a duration, or None when the part has none it may have."""
    if written:
        # MS Project's elapsed units ("15 emins", "2 edays") are the same units here.
        word = written[1:] if written[:1] == "e" and written[1:].isalpha() else written
        return _UNIT_OF.get(word)
    if last == "h":
        return "m"  # "1h30": a bare number after hours is minutes
    if last is None and alone:
        return unit or "m"  # a lone number is in the column's unit
    return None


def _from_words(raw: str) -> str | None:
    """'two hours' -> '2h', 'half an hour' -> '30m': the value the planner meant, if clear."""
    words = raw.replace(" and ", " ").split()
    number, unit = None, None
    for word in words:
        if word in _WORDS and number is None:
            number = _WORDS[word]
        elif word in _UNIT_OF:
            unit = _UNIT_OF[word]
    if number is None or unit is None:
        return None
    seconds = number * _UNIT_SECONDS[unit]
    if "half" in words and number != 0.5:
        seconds += _UNIT_SECONDS[unit] / 2
    return exact_duration(timedelta(seconds=seconds))


def exact_duration(value: timedelta) -> str:
    """A duration the plan reads back exactly: '1h30m', '2d', '45s', '0m'."""
    total = round(value.total_seconds())
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s")]
    return "".join(f"{n}{unit}" for n, unit in parts if n) or "0m"


# --- dates ----------------------------------------------------------------------------------

_WEEKDAY = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.I)


# A time with its UTC offset after it (01:30+00:00, 01:30:00 +0100, 01:30Z): as `cutover
# export` writes a time in the hour a clock change repeats.
_OFFSET = re.compile(r"\d:\d\d(:\d\d(\.\d+)?)?\s*([+-]\d\d:?\d\d|Z)$", re.I)


@dataclass(frozen=True)
class When:
    at: datetime  # naive: on the wall clock (of its offset, when one is written)
    date_only: bool  # a day with no time: a start at 00:00, an end at the end of the day
    offset: timedelta | None = None  # written with the time (2026-10-25 01:30+00:00)

    @property
    def written(self) -> datetime:
        """As the plan is to read it: a local time (the first of two in a repeated hour), or
        with its offset, read as written (the second 01:30 of a night the clocks go back)."""
        return self.at if self.offset is None else self.at.replace(tzinfo=timezone(self.offset))


def when_of(value: Value, order: str = "dmy") -> When:
    """A cell's date and time (naive, the plan's wall clock)."""
    if isinstance(value, datetime):
        if value.year < 1970:
            raise CellError(f"{value} is not a plausible date (before 1970)")
        plain = value.replace(tzinfo=None)
        return When(plain, plain.time() == time(0))  # a date cell reads as midnight
    if isinstance(value, date):
        return When(datetime(value.year, value.month, value.day), True)
    if not isinstance(value, str):
        raise CellError(f"{value!r} is not a date; write it like 2026-11-27 22:00")
    text = _WEEKDAY.sub("", value.strip()).replace(",", "")
    if _OFFSET.search(text):
        return _with_offset(value, text)
    found = read_text(text, order)  # the forms in text_dates.DATES and TIMES
    if found is not None:
        return When(*found)
    raise CellError(f"{value!r} is not a date and time; write it like 2026-11-27 22:00")


def _with_offset(value: str, text: str) -> When:
    try:
        moment = datetime.fromisoformat(re.sub(r"\s+(?=[+-]\d|Z$)", "", text, flags=re.I))
    except ValueError:
        raise CellError(
            f"{value!r} is not a date and time; write it like 2026-11-27 22:00, or with its"
            " offset, 2026-10-25 01:30+00:00"
        ) from None
    if moment.year < 1970:
        raise CellError(f"{value} is not a plausible date (before 1970)")
    return When(moment.replace(tzinfo=None), False, moment.utcoffset())


def date_order(texts: list[str]) -> str:
    """'mdy' when some date in the column only reads month first (11/27/2026), else 'dmy'."""
    for text in texts:
        try:
            when_of(text, "dmy")
        except CellError:
            try:
                when_of(text, "mdy")
            except CellError:
                continue
            return "mdy"
    return "dmy"


# --- predecessors ---------------------------------------------------------------------------

_LINK = re.compile(
    r"^(?P<ref>\d+)\s*(?P<type>FS|SS|FF|SF)?\s*(?:(?P<sign>[+-])\s*(?P<lag>.+))?$", re.I
)


@dataclass(frozen=True)
class Link:
    ref: str
    type: str = "FS"  # MS Project's link types: FS, SS, FF, SF
    lag: timedelta = timedelta(0)
    text: str = ""


def links_of(value: Value) -> list[Link]:
    """'3FS+10m; 5, backup-db' -> links; a link that cannot be read raises CellError."""
    if value is None:
        return []
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return [Link(str(value), text=str(value))]
    out = []
    for token in re.split(r"[,;\n]+", str(value)):
        token = token.strip()
        if not token:
            continue
        match = _LINK.match(token)
        if not match:
            out.append(Link(token.lower(), text=token))
            continue
        lag = timedelta(0)
        if match.group("lag"):
            lag_text = match.group("lag").strip()
            if lag_text.endswith("%"):
                raise CellError(
                    f"{token!r}: a lag in per cent of a duration cannot be honoured; "
                    "write the lag as a time, like 3FS+10m",
                    f"{match.group('ref')}FS",
                )
            try:
                lag = _text_duration(lag_text, "d")
            except (CellError, OverflowError):  # not a lag after all: an id such as "8-8kgz"
                out.append(Link(token.lower(), text=token))
                continue
            if match.group("sign") == "-":
                lag = -lag
        kind = (match.group("type") or "FS").upper()
        out.append(Link(match.group("ref"), kind, lag, token))
    return out


# --- kinds and people -----------------------------------------------------------------------

KINDS = {
    "task": "task",
    "step": "task",
    "activity": "task",
    "action": "task",
    "work": "task",
    "checkpoint": "checkpoint",
    "check": "checkpoint",
    "verification": "checkpoint",
    "verify": "checkpoint",
    "test": "checkpoint",
    "validation": "checkpoint",
    "gate": "gate",
    "go/no-go": "gate",
    "go-no-go": "gate",
    "go no go": "gate",
    "go/nogo": "gate",
    "gonogo": "gate",
    "decision": "gate",
    "approval": "gate",
    "milestone": "milestone",
    "ms": "milestone",
    "comms": "comms",
    "communication": "comms",
    "comm": "comms",
    "email": "comms",
    "notification": "comms",
    "announcement": "comms",
}


def kind_of(value: Value) -> str:
    if value is None:
        return "task"
    text = str(value).strip().lower()
    if text in KINDS:
        return KINDS[text]
    near = nearest(text, [*KINDS])
    raise CellError(
        f"{value!r} is not a step type; types are task, checkpoint, gate (go/no-go), "
        "milestone, comms",
        KINDS[near] if near else None,
    )


_PEOPLE_SPLIT = re.compile(r"\s*[,;/&+\n]\s*|\s+and\s+")


def names_of(value: Value) -> list[str]:
    """'Priya / Omar' -> ['Priya', 'Omar']."""
    if value is None:
        return []
    return [n for n in _PEOPLE_SPLIT.split(str(value).strip()) if n]


def slug(text: str, allow_underscore: bool = False) -> str:
    """An id from free text: 'Back up the DB!' -> 'back-up-the-db'."""
    keep = "a-z0-9_" if allow_underscore else "a-z0-9"
    out = re.sub(f"[^{keep}]+", "-", text.lower()).strip("-_")
    return out[:48].rstrip("-_")


def text_of(value: Value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value).strip() or None

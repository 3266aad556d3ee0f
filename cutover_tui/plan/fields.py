"""The plan's field types: budgets and other durations, percentages, plan times and ids.

Each is an `Annotated` type whose validator reads what an author writes ("1h30m", "25%", a
local time in the plan's zone) and whose serializer writes it back the same way, so that
`plan/model.py` declares its tables with them and a written plan reads as it was written.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PlainSerializer,
    ValidationInfo,
    WithJsonSchema,
)

from .durations import format_duration, localize, parse_duration, parse_percent
from .limits import MAX_WINDOW

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
PERSON_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"


def _positive_duration(value: Any) -> timedelta:
    parsed = value if isinstance(value, timedelta) else parse_duration(value)
    if parsed <= timedelta(0):
        raise ValueError(f"duration {value!r} is zero; a budget must be positive")
    return _within_a_window(value, parsed)


def _zero_or_more_duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return _within_a_window(value, value)
    if isinstance(value, str) and value.strip() in {"0", "0s", "0m", "0h"}:
        return timedelta(0)
    return _within_a_window(value, parse_duration(value))


def _within_a_window(value: Any, parsed: timedelta) -> timedelta:
    """No duration in a plan is longer than the longest window (docs/plan-format.md, Limits)."""
    if parsed > MAX_WINDOW:
        raise ValueError(
            f"duration {value!r} is longer than {MAX_WINDOW.days} days, the longest a window may be"
        )
    return parsed


def _percent(value: Any) -> float:
    if isinstance(value, float):
        if not 0 <= value < 1:  # also NaN
            raise ValueError(f'{value!r} is not a percentage; write it like "25%"')
        return value
    return parse_percent(value)


def _plan_time(value: datetime, info: ValidationInfo) -> datetime:
    if not 1970 <= value.year <= 2999:
        raise ValueError(f"{value.isoformat()} is not a plausible cutover time (years 1970-2999)")
    zone = (info.context or {}).get("zone") or ZoneInfo("UTC")
    return localize(value, zone)


_DURATION_SCHEMA = WithJsonSchema(
    {
        "type": "string",
        "pattern": r"^(\d+d)?(\d+h)?(\d+m)?(\d+s)?$|^P",
        "examples": ["15m", "1h30m"],
    }
)
_DURATION_OUT = PlainSerializer(format_duration, return_type=str)

Duration = Annotated[
    timedelta, BeforeValidator(_positive_duration), _DURATION_SCHEMA, _DURATION_OUT
]
MilestoneDuration = Annotated[
    timedelta, BeforeValidator(_zero_or_more_duration), _DURATION_SCHEMA, _DURATION_OUT
]
Percent = Annotated[
    float,
    BeforeValidator(_percent),
    WithJsonSchema({"type": "string", "pattern": r"^\d+(\.\d+)?%$", "examples": ["25%"]}),
    PlainSerializer(lambda v: f"{v * 100:g}%", return_type=str),
]
PlanTime = Annotated[datetime, AfterValidator(_plan_time)]
Id = Annotated[str, Field(pattern=ID_PATTERN)]

"""Durations, percentages and plan-local times as the plan file writes them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

_SHORT = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_ISO = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
_PERCENT = re.compile(r"^(\d+(?:\.\d+)?)\s*%$")


def parse_duration(text: str) -> timedelta:
    """Parse "90s", "15m", "1h30m", "2h", "1d" or ISO 8601 "PT1H30M".

    Raises ValueError with a message fit for a plan author.
    """
    if not isinstance(text, str):
        raise ValueError(
            f'a duration is written as a string such as "15m" or "1h30m", not {text!r}'
        )
    return _parse_text(text)


# A large plan writes the same few durations tens of thousands of times ("15m", "1h"): parsed
# once each (a 50,000-step plan has 62,000 of them). Refusals raise and are not cached.
@lru_cache(maxsize=4096)
def _parse_text(text: str) -> timedelta:
    raw = text.strip()
    if raw.startswith("-"):
        raise ValueError(f"duration {text!r} is negative; a step takes a positive time")
    short = _SHORT.match(raw.lower())
    if short and any(short.groups()):
        d, h, m, s = (int(g or 0) for g in short.groups())
        return _bounded(text, d, h, m, s)
    iso = _ISO.match(raw.upper())
    if iso and any(iso.groups()) and not raw.upper().endswith("T"):
        d, h, m = (int(g or 0) for g in iso.groups()[:3])
        return _bounded(text, d, h, m, float(iso.group(4) or 0))
    raise ValueError(
        f'{text!r} is not a duration; write it like "90s", "15m", "1h30m" or "PT1H30M"'
    )


MAX_DURATION = timedelta(days=366)


def _bounded(text: str, days: int, hours: int, minutes: int, seconds: float) -> timedelta:
    """The duration, unless it is longer than a year (a typo, and past what dates can hold)."""
    try:
        value = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        value = None
    if value is None or value > MAX_DURATION:
        raise ValueError(f"duration {text!r} is longer than a year; is it a typo?")
    return value


def format_duration(delta: timedelta, *, signed: bool = False) -> str:
    """Render a duration the way the war room speaks: 45m, 1h05m, 35h35m, 4d2h05m, 30s."""
    total = round(delta.total_seconds())
    sign = "-" if total < 0 else ("+" if signed else "")
    total = abs(total)
    if total >= 60:  # minutes shown are rounded, not cut: 5m51s reads 6m (beside "ratio 1.17")
        total = (total + 30) // 60 * 60
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if total >= 72 * 3600:  # days only past three: a 48h window reads best as 35h35m
        body = f"{days}d{hours}h{minutes:02d}m"
    elif days or hours:
        hours += days * 24
        body = f"{hours}h{minutes:02d}m"
    elif minutes or not seconds:
        body = f"{minutes}m"
    else:
        body = f"{seconds}s"
    return sign + body


def parse_percent(text: str) -> float:
    """Parse "25%" into 0.25."""
    match = _PERCENT.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f'{text!r} is not a percentage; write it like "25%"')
    value = float(match.group(1)) / 100
    if value >= 1:
        raise ValueError(f"{text!r} would leave no time for the work; use less than 100%")
    return value


def localize(value: datetime, zone: ZoneInfo) -> datetime:
    """Attach the plan's zone to a local datetime and return it in UTC.

    Offset datetimes are taken as written. A local time that does not exist (the hour skipped
    when clocks go forward) is an error; an ambiguous one (clocks go back) is the first of the two.
    """
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    aware = value.replace(tzinfo=zone)
    as_utc = aware.astimezone(UTC)
    if as_utc.astimezone(zone).replace(tzinfo=None) != value:
        raise ValueError(
            f"{value.isoformat()} does not exist in {zone.key}: the clocks skip that hour; "
            "write the time after the change or give an offset"
        )
    return as_utc

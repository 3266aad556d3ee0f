"""Clock ticks for the timeline's time axis: about ten, on round local times, for any span.

A night is labelled in hours (22:00, 23:00...), a weekend in days (Sat 12), a multi-week
plan in weeks (14 Dec). The interval grows with the span without end, so no span can leave
the chart without ticks (a span over ten days once had no interval at all and crashed the
war room: `next()` on an empty generator inside the refresh coroutine).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, tzinfo

MOST = 10  # ticks at most on the axis
_HOURS = (0.25, 0.5, 1, 2, 3, 6, 12)  # sub-day intervals, labelled HH:MM
_DAYS = (1, 2, 7, 14, 28)  # intervals of whole days, labelled by the date


def clock_ticks(
    left: datetime, right: datetime, zone: tzinfo, most: int = MOST
) -> tuple[list[datetime], list[str]]:
    """Ticks between `left` and `right` (aware) at round moments of `zone`, with labels."""
    span = max(right - left, timedelta(0))
    hours = span / timedelta(hours=1)
    every = next((h for h in _HOURS if hours / h <= most), None)
    if every is not None:
        step = timedelta(hours=every)
        first = left.astimezone(zone).replace(minute=0, second=0, microsecond=0)
        label = "%H:%M"
    else:
        days = hours / 24
        whole = next((d for d in _DAYS if days / d <= most), None)
        whole = whole or 28 * math.ceil(days / (28 * most))  # months: multiples of 4 weeks
        step = timedelta(days=whole)
        first = left.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        label = "%a %d" if whole < 7 else "%d %b"
    ticks: list[datetime] = []
    moment = first
    while moment <= right and len(ticks) <= most:
        if moment >= left:
            ticks.append(moment)
        moment = moment + step
    return ticks, [t.astimezone(zone).strftime(label) for t in ticks]

"""The two time rules for a time typed by a person, in the plan's zone, for the CLI and the
war room alike.

- `moment_near` reads when something happened or will (`cutover do --at`, `--eta`,
  `status --at`): HH:MM is the one such moment within 12 hours of now, and an ISO time is
  taken as written (plan zone when it names none).
- `next_time_of_day` reads an ETA typed in the war room: HH:MM is the next such moment after
  now, never one in the past.

They differ on purpose only where the typed time lies behind now: `--eta 22:00` at 23:00
reads as an hour ago on the command line and as tomorrow in the war room.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..plan.limits import within_reach
from ..plan.model import Plan

HALF_DAY = timedelta(hours=12)


def time_of_day(text: str) -> tuple[int, int] | None:
    """(hours, minutes) of an `HH:MM`; None when `text` is not of that form; ValueError when
    the hours or minutes are out of range."""
    try:
        hours, minutes = (int(part) for part in text.split(":"))
    except ValueError:
        return None
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise ValueError(f"{text!r} is not a time of day")
    return hours, minutes


def moment_near(text: str, plan: Plan, now: datetime) -> datetime:
    """HH:MM in the plan's zone (the latest such moment not after now + 12h), or an ISO time."""
    text = text.strip()
    hhmm = time_of_day(text)
    if hhmm is None:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a time: write HH:MM or 2026-11-27T23:40") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=plan.zone)
        return within_reach(moment, now, text)  # years 0001 and 9999 overflowed downstream
    local = now.astimezone(plan.zone)
    moment = local.replace(hour=hhmm[0], minute=hhmm[1], second=0, microsecond=0)
    if moment - local > HALF_DAY:
        moment -= timedelta(days=1)
    elif local - moment > HALF_DAY:
        moment += timedelta(days=1)
    return moment.astimezone(UTC)


def next_time_of_day(text: str, plan: Plan, now: datetime) -> datetime:
    """The next occurrence of HH:MM (plan-local) after now (in now's zone)."""
    hhmm = time_of_day(text)
    if hhmm is None:
        raise ValueError(f"{text!r} is not a time; write HH:MM")
    local = now.astimezone(plan.zone)
    candidate = local.replace(hour=hhmm[0], minute=hhmm[1], second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate.astimezone(now.tzinfo)

"""The two time rules for a time typed by a person, in the plan's zone, for the CLI and the
war room alike.

- `moment_near` reads when something happened or will (`cutover do --at`, `status --at`):
  HH:MM is the moment showing it nearest now (within 12 hours, counted in absolute time; in the
  hour the clocks repeat, the pass nearest now; one they skipped refused, naming the
  readings either side), and an ISO time is taken as written (plan zone when it names none,
  read as a plan file's times are).
- `next_time_of_day` reads an ETA: HH:MM is the next such moment after the suspension (now
  in the war room, `--at` or now on the command line: `eta_after`), never one before it,
  and refused when that time of day passed less than six hours ago (a slip).

An ETA read as the nearest 20:30 was yesterday's when typed at 08:08 (11h38m back against
12h22m ahead), and the suspension was refused as "not after now" (hostile user pass,
2026-12-02); the war room read the same words as tonight's.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..plan.durations import format_duration, localize
from ..plan.limits import within_reach
from ..plan.model import Plan


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
    """HH:MM in the plan's zone (the moment showing it nearest now, in absolute time), or an ISO
    time; ValueError for a wall time the clocks skipped."""
    text = text.strip()
    hhmm = time_of_day(text)
    if hhmm is None:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a time: write HH:MM or 2026-11-27T23:40") from None
        # Years 0001 and 9999 overflowed downstream; without an offset, as in a plan file: a
        # time the clocks skipped is refused, one they repeated is the first of the two.
        within_reach(moment if moment.tzinfo else moment.replace(tzinfo=plan.zone), now, text)
        return localize(moment, plan.zone)
    local = now.astimezone(plan.zone)
    day = local.replace(hour=hhmm[0], minute=hhmm[1], second=0, microsecond=0, fold=0)
    return _nearest(text, [day + timedelta(days=shift) for shift in (-1, 0, 1)], now)


def _nearest(text: str, walls: list[datetime], now: datetime) -> datetime:
    """Of the moments these wall-clock readings name, the one nearest `now` in absolute time
    (the later of two as near): a difference of two times in one zone is wall-clock time, an
    hour off on a clock-change day (01:45 typed at 13:30 CET on 25 Oct in Berlin was taken
    as 12h45m ago, not as tomorrow's, 12h15m ahead). A reading in the repeated hour names
    both its passes; one the clocks skipped is refused when it is the nearest."""
    named = [each for wall in walls for each in _moments(wall)]
    moment, wall = min(named, key=lambda each: (abs(each[0] - now), now - each[0]))
    _refuse_skipped(text, wall)
    return moment


def _refuse_skipped(text: str, wall: datetime) -> None:
    """ValueError when `wall` is a reading the clocks jumped over, naming the two beside it."""
    if _skipped(wall):
        before, after = (wall.replace(fold=fold).astimezone(UTC) for fold in (1, 0))
        raise ValueError(
            f"{text} does not exist in {wall.tzinfo} on {wall:%Y-%m-%d}: the clocks skip that"
            f" hour; write {before.astimezone(wall.tzinfo):%H:%M} (before the change) or"
            f" {after.astimezone(wall.tzinfo):%H:%M} (after it)"
        )


def _moments(wall: datetime) -> list[tuple[datetime, datetime]]:
    """(moment in UTC, `wall`) for each moment a wall-clock reading names: two in the hour the
    clocks repeat; for one they skipped, the middle of its two readings, near the change."""
    first, second = (wall.replace(fold=fold).astimezone(UTC) for fold in (0, 1))
    if _skipped(wall):
        return [(first + (second - first) / 2, wall)]
    return [(first, wall), (second, wall)]


def _skipped(wall: datetime) -> bool:
    """Is this wall-clock reading one the clocks jumped over (02:30 on a spring-forward night)?"""
    back = wall.astimezone(UTC).astimezone(wall.tzinfo)
    return back.replace(tzinfo=None, fold=0) != wall.replace(tzinfo=None, fold=0)


def next_time_of_day(text: str, plan: Plan, now: datetime) -> datetime:
    """The next occurrence of HH:MM (plan-local) after now (in now's zone); ValueError for
    one that passed less than RECENTLY_PASSED ago (a slip, not tomorrow's)."""
    hhmm = time_of_day(text)
    if hhmm is None:
        raise ValueError(f"{text!r} is not a time; write HH:MM")
    local = now.astimezone(plan.zone)
    candidate = local.replace(hour=hhmm[0], minute=hhmm[1], second=0, microsecond=0)
    if candidate <= local:  # on the wall clock (an hour the clocks skipped reads passed)
        # Passed, unless the clocks go back and its second pass is still to come (02:20
        # typed at 02:40 CEST on 25 Oct in Berlin is 02:20 CET, 40m away, not tomorrow's).
        second = candidate.replace(fold=1)
        candidate = second if _span(local, second) > timedelta(0) else candidate + timedelta(days=1)
    # Spans in absolute time: a difference of two times in one zone is wall-clock time, an
    # hour off on a clock-change day (01:30 typed at 06:45 on 25 Oct in Berlin passed 6h15m
    # ago, not 5h15m, and was refused as a slip).
    ago = _since_last(candidate - timedelta(days=1), local)  # since it last came round
    if ago < RECENTLY_PASSED:
        day = "tomorrow" if candidate.date() > local.date() else "later today"
        raise ValueError(
            f"{text} has passed (it was {format_duration(_whole_minutes(ago))} ago); the next"
            f" {text} is {day}, {format_duration(_whole_minutes(_span(local, candidate)))} away:"
            f" if that is meant, write it with its date ({candidate:%Y-%m-%dT%H:%M})"
        )
    _refuse_skipped(text, candidate)  # as --at does: 02:30 on 29 Mar was taken as 03:30
    return candidate.astimezone(now.tzinfo)


# An ETA typed as HH:MM that passed this recently is a slip (16:00 typed at 17:04), not
# tomorrow's: a user pass (2026-12-02) saw it taken as 22h56m ahead, every screen showing
# "resumes ~16:00" and a finish a day late. One further back is the next such moment (20:30
# typed at 08:08 is tonight's).
RECENTLY_PASSED = timedelta(hours=6)


def _span(start: datetime, end: datetime) -> timedelta:
    return end.astimezone(UTC) - start.astimezone(UTC)


def _since_last(wall: datetime, local: datetime) -> timedelta:
    """How long before `local` the wall-clock time `wall` last came round: of the two passes
    of a repeated hour the later one already gone (02:05 typed at 02:10 CET was 5m ago, not
    the 1h05m since 02:05 CEST), and of an hour the clocks skipped the reading already gone
    (02:30 typed at 03:10 CEST on 29 Mar read "-20m", said "1m ago")."""
    spans = [_span(wall.replace(fold=fold), local) for fold in (0, 1)]
    return min((span for span in spans if span >= timedelta(0)), default=spans[0])


def _whole_minutes(span: timedelta) -> timedelta:
    return timedelta(minutes=max(1, round(span.total_seconds() / 60)))


def eta_after(text: str, plan: Plan, at: datetime) -> datetime:
    """An ETA typed on the command line or in the war room's form: HH:MM the next such
    moment after `at` (the suspension's time), an ISO time as written (`moment_near`), as
    the refusal of a recently passed HH:MM suggests."""
    if time_of_day(text.strip()) is not None:
        return next_time_of_day(text.strip(), plan, at)
    return moment_near(text, plan, at)

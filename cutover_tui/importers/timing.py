"""Times of an imported runbook: each step's duration (written, or from its start and end)
and the plan's window (from --start, the Plan sheet or the first planned start, to the end of
the steps plus the 25% buffer, never longer than the longest window a plan may have).

Times are worked in absolute time on the plan's clock, never on the wall clock: across a clock
change the wall clock is an hour off (00:30 to 03:00 the night London's clocks go forward is
1h30m). A plain time in the hour a change repeats is the first of the two, as a plan file reads
it (a warning says so where it makes a duration); one the clocks skip is refused.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..plan.durations import localize, parse_duration
from ..plan.graph import CycleError, baseline
from ..plan.limits import MAX_WINDOW
from ..plan.write import local_time
from ..plan.zones import ambiguous
from .problems import Problems
from .rows import Draft
from .values import CellError, When, exact_duration

if TYPE_CHECKING:
    from .date_order import DateOrder
    from .runbook import ImportOptions, ImportResult

DEFAULT_BUFFER = 0.25


def settle_durations(drafts: list[Draft], problems: Problems, zone: ZoneInfo) -> None:
    """Each draft's duration: written, or from its start and end; zero makes a milestone."""
    for draft in drafts:
        if draft.failed:
            continue
        column = draft.columns.get("duration")
        if draft.duration is None and draft.start and draft.end:
            draft.duration = _between(draft, draft.start, draft.end, zone, problems)
            if draft.duration is None:
                draft.failed = True
                continue
        if draft.duration is None:
            if draft.kind == "milestone":
                draft.duration = timedelta(0)
                continue
            problems.add(
                "no duration, and no start and end to take one from",
                draft.row,
                column or draft.columns.get("start"),
            )
            draft.failed = True
        elif draft.duration == timedelta(0) and draft.kind == "task":
            draft.kind = "milestone"
        elif draft.duration == timedelta(0) and draft.kind != "milestone":
            problems.add(
                f"a {draft.kind} takes time; its duration is zero", draft.row, column, "5m"
            )
            draft.failed = True


def _between(
    draft: Draft, start: When, end: When, zone: ZoneInfo, problems: Problems
) -> timedelta | None:
    """The time from the draft's start to its end (an end date: the end of its day), or None
    with the problem said on its row."""
    begin = _cell_instant(draft, "start", start, zone, problems)
    if end.date_only:
        finish: datetime | None = instant(end.at + timedelta(days=1), zone)
    else:
        finish = _cell_instant(draft, "end", end, zone, problems)
    if begin is None or finish is None:
        return None
    if finish <= begin:
        problems.add(
            f"ends ({end.at:%Y-%m-%d %H:%M}) before it starts ({start.at:%Y-%m-%d %H:%M})",
            draft.row,
            draft.columns.get("end"),
        )
        return None
    return finish - begin


def _cell_instant(
    draft: Draft, name: str, when: When, zone: ZoneInfo, problems: Problems
) -> datetime | None:
    """The instant of a Start or End cell; a plain time the clocks skip is refused, one they
    repeat is the first of the two, said (the sheet cannot tell which was meant)."""
    if when.offset is not None:
        return when.written.astimezone(UTC)
    column = draft.columns.get(name)
    local = when.at.replace(tzinfo=zone)
    try:
        moment = localize(when.at, zone)  # as a plan file's time: the skipped hour refused
    except ValueError:
        problems.add(
            f"{when.at:%Y-%m-%d %H:%M} does not exist in {zone.key}: the clocks skip that hour; "
            "write the time after the change or with its offset",
            draft.row,
            column,
        )
        return None
    if ambiguous(local) and not when.date_only:  # a date alone: no time to ask about
        second = local.replace(fold=1)
        problems.warn(
            f"{when.at:%Y-%m-%d %H:%M} comes twice in {zone.key}: read as the first "
            f"({local:%H:%M %Z}); for the second write "
            f"{second.isoformat(sep=' ', timespec='minutes')}",
            draft.row,
            column,
        )
    return moment


def window_of(
    drafts: list[Draft],
    steps: list[dict[str, Any]],
    options: ImportOptions,
    settings: dict[str, Any],
    zone: ZoneInfo,
    dates: DateOrder,
    problems: Problems,
    result: ImportResult,
) -> tuple[datetime | None, datetime | None]:
    """The window's start and end, as the plan is to read them (with an offset if written with
    one: the second 01:30 of a night the clocks go back); a Plan sheet's date written as text
    in the order the steps' dates read."""
    starts = [d.start for d in drafts if d.start and not d.failed]
    given = options.start or _sheet_time(settings, "window start", dates, problems)
    first = min(starts, key=lambda w: instant(w.written, zone)).written if starts else None
    written = given or first
    if written is None:
        written = options.default_start
        if written is None:
            problems.add("the sheet has no dates: give the window's start with --start")
            return None, None
        result.notes.append(
            f"the window starts {written:%Y-%m-%d %H:%M} (the sheet has no dates; set it with"
            " --start)"
        )
    written_end = _sheet_time(settings, "window end", dates, problems)
    if written_end is not None:
        return written, written_end
    start = instant(written, zone)
    span = span_of(steps, start, zone)
    if span is None:
        return written, local_time(start + timedelta(hours=1), zone)
    if span > MAX_WINDOW:
        problems.add(
            f"the steps take {span.days} days from the window's start; a plan's window may be at "
            f"most {MAX_WINDOW.days} days: split the runbook into plans"
        )
        return None, None
    wanted = span / (1 - DEFAULT_BUFFER)
    half_hours = math.ceil(max(wanted, timedelta(hours=1)) / timedelta(minutes=30))
    # Added in absolute time, written on the plan's clock (with its offset in a repeated hour).
    end = local_time(start + min(timedelta(minutes=30) * half_hours, MAX_WINDOW), zone)
    result.notes.append(
        f"the window ends {end:%Y-%m-%d %H:%M}: the steps' {exact_duration(span)} and a 25% buffer"
    )
    return written, end


def zone_of(name: Any) -> ZoneInfo:
    """The plan's zone for the sheet's times (UTC when none or unknown: the plan's
    validation names a zone it does not know)."""
    try:
        return ZoneInfo(str(name)) if name else ZoneInfo("UTC")
    except (ValueError, ZoneInfoNotFoundError):
        return ZoneInfo("UTC")


def instant(value: datetime, zone: ZoneInfo) -> datetime:
    """`value` in UTC: as written with its offset, else on the plan's clock (the first of two
    in a repeated hour, as the plan reads it)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _sheet_time(
    settings: dict[str, Any], key: str, dates: DateOrder, problems: Problems
) -> datetime | None:
    """The Plan sheet's `key`: a date cell, or a text (with its offset, as `cutover export`
    writes a time in the hour a clock change repeats)."""
    value = settings.get(key)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return dates.when(value).written
    except CellError as exc:
        problems.add_at(f"{problems.sheet.file} [Plan], {key}", str(exc), exc.hint, "error")
        return None


def span_of(steps: list[dict[str, Any]], start: datetime, zone: ZoneInfo) -> timedelta | None:
    """How long the steps take from `start`, their 'not before' times honoured, in absolute
    time (a time without an offset is on the plan's clock)."""
    try:
        origin = instant(start, zone)
        items = [
            SimpleNamespace(
                id=s["id"],
                duration=parse_duration(s["duration"]) if s["duration"] != "0m" else timedelta(0),
                after=s.get("after", []),
                not_before=_instant_or_none(s.get("not_before"), zone),
            )
            for s in steps
        ]
        return baseline(items, origin).end - origin if items else None
    except CycleError:
        return None
    except OverflowError:  # past the calendar's end: far longer than any window
        return MAX_WINDOW * 1000


def _instant_or_none(value: Any, zone: ZoneInfo) -> datetime | None:
    return instant(value, zone) if isinstance(value, datetime) else None

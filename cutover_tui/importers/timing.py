"""Times of an imported runbook: each step's duration (written, or from its start and end)
and the plan's window (from --start, the Plan sheet or the first planned start, to the end of
the steps plus the 25% buffer, never longer than the longest window a plan may have)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, tzinfo
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..plan.durations import parse_duration
from ..plan.graph import CycleError, baseline
from ..plan.limits import MAX_WINDOW
from .problems import Problems
from .rows import Draft
from .values import CellError, When, exact_duration, when_of

if TYPE_CHECKING:
    from .runbook import ImportOptions, ImportResult

DEFAULT_BUFFER = 0.25


def settle_durations(drafts: list[Draft], problems: Problems) -> None:
    """Each draft's duration: written, or from its start and end; zero makes a milestone."""
    for draft in drafts:
        if draft.failed:
            continue
        column = draft.columns.get("duration")
        if draft.duration is None and draft.start and draft.end:
            if draft.start.offset is not None and draft.end.offset is not None:
                draft.duration = draft.end.written - draft.start.written  # across a change
            else:
                end = draft.end.at + (timedelta(days=1) if draft.end.date_only else timedelta(0))
                draft.duration = end - draft.start.at
            if draft.duration <= timedelta(0):
                problems.add(
                    f"ends ({draft.end.at:%Y-%m-%d %H:%M}) before it starts "
                    f"({draft.start.at:%Y-%m-%d %H:%M})",
                    draft.row,
                    draft.columns.get("end"),
                )
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


def window_of(
    drafts: list[Draft],
    steps: list[dict[str, Any]],
    options: ImportOptions,
    settings: dict[str, Any],
    problems: Problems,
    result: ImportResult,
) -> tuple[datetime | None, datetime | None]:
    """The window's start and end, as the plan is to read them (with an offset if written with
    one: the second 01:30 of a night the clocks go back)."""
    starts = [d.start for d in drafts if d.start and not d.failed]
    given = options.start or _sheet_time(settings, "window start", problems)
    zone = _zone(options.timezone or settings.get("timezone"))
    first = min(starts, key=lambda w: _moment(w, zone)).written if starts else None
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
    written_end = _sheet_time(settings, "window end", problems)
    if written_end is not None:
        return written, written_end
    start = written.replace(tzinfo=None)  # the steps' times are on the wall clock, as written
    span = span_of(steps, start)
    if span is None:
        return written, start + timedelta(hours=1)
    if span > MAX_WINDOW:
        problems.add(
            f"the steps take {span.days} days from the window's start; a plan's window may be at "
            f"most {MAX_WINDOW.days} days: split the runbook into plans"
        )
        return None, None
    wanted = span / (1 - DEFAULT_BUFFER)
    half_hours = math.ceil(max(wanted, timedelta(hours=1)) / timedelta(minutes=30))
    end = start + min(timedelta(minutes=30) * half_hours, MAX_WINDOW)
    result.notes.append(
        f"the window ends {end:%Y-%m-%d %H:%M}: the steps' {exact_duration(span)} and a 25% buffer"
    )
    return written, end


def _zone(name: Any) -> tzinfo:
    """The plan's zone for ordering the sheet's times (UTC when none or unknown: the plan's
    validation names a zone it does not know)."""
    try:
        return ZoneInfo(str(name)) if name else UTC
    except (ValueError, ZoneInfoNotFoundError):
        return UTC


def _moment(when: When, zone: tzinfo) -> datetime:
    """The instant a sheet's time names: as written with its offset, else on the plan's clock
    (the first of two in a repeated hour, as the plan reads it)."""
    return when.written if when.offset is not None else when.at.replace(tzinfo=zone)


def _sheet_time(settings: dict[str, Any], key: str, problems: Problems) -> datetime | None:
    """The Plan sheet's `key`: a date cell, or a text (with its offset, as `cutover export`
    writes a time in the hour a clock change repeats)."""
    value = settings.get(key)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return when_of(value).written
    except CellError as exc:
        problems.add_at(f"{problems.sheet.file} [Plan], {key}", str(exc), exc.hint, "error")
        return None


def span_of(steps: list[dict[str, Any]], start: datetime) -> timedelta | None:
    items = [
        SimpleNamespace(
            id=s["id"],
            duration=parse_duration(s["duration"])
            if s["duration"] not in ("0m",)
            else timedelta(0),
            after=s.get("after", []),
            not_before=naive(s.get("not_before")),  # on the wall clock, as `start`
        )
        for s in steps
    ]
    try:
        return baseline(items, start).end - start if items else None
    except CycleError:
        return None
    except OverflowError:  # past the calendar's end: far longer than any window
        return MAX_WINDOW * 1000


def naive(value: Any) -> datetime | None:
    return value.replace(tzinfo=None) if isinstance(value, datetime) else None

"""Times of an imported runbook: each step's duration (written, or from its start and end)
and the plan's window (from --start, the Plan sheet or the first planned start, to the end of
the steps plus the 25% buffer, never longer than the longest window a plan may have)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from ..plan.durations import parse_duration
from ..plan.graph import CycleError, baseline
from ..plan.limits import MAX_WINDOW
from .problems import Problems
from .rows import Draft
from .values import exact_duration

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
    starts = [d.start.at for d in drafts if d.start and not d.failed]
    start = (
        options.start or naive(settings.get("window start")) or (min(starts) if starts else None)
    )
    if start is None:
        start = options.default_start
        if start is None:
            problems.add("the sheet has no dates: give the window's start with --start")
            return None, None
        result.notes.append(
            f"the window starts {start:%Y-%m-%d %H:%M} (the sheet has no dates; set it with --start)"
        )
    written_end = naive(settings.get("window end"))
    if written_end is not None:
        return start, written_end
    span = span_of(steps, start)
    if span is None:
        return start, start + timedelta(hours=1)
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
    return start, end


def span_of(steps: list[dict[str, Any]], start: datetime) -> timedelta | None:
    items = [
        SimpleNamespace(
            id=s["id"],
            duration=parse_duration(s["duration"])
            if s["duration"] not in ("0m",)
            else timedelta(0),
            after=s.get("after", []),
            not_before=s.get("not_before"),
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

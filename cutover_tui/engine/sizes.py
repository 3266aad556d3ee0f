"""How big an event may be: text, lists and amended durations, within the format's limits.

A 10 MB note once pinned every war room at full CPU for over a minute, and a 300-day
estimate pushed the projection past anything the screens can draw. `check` refuses such an
event with a line that names the limit (the figures are in plan/limits.py and in
docs/plan-format.md, Limits).
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import TYPE_CHECKING

from ..plan.durations import format_duration
from ..plan.limits import MAX_EVIDENCE_CHARS, MAX_LIST_ITEMS, MAX_TEXT_CHARS, longest_step
from .events import EstimateChanged, Event, StepAdded

if TYPE_CHECKING:
    from .state import RunState

_LONG_FIELDS = frozenset({"evidence", "body"})  # pasted command output, a message's body
_LABEL = {"text": "note", "body": "message body", "risks": "accepted risks", "to": "audiences"}


def size_problem(state: RunState, event: Event) -> str | None:
    """Why `event` is too big to record (None when it is not)."""
    for name in type(event).model_fields:
        value = getattr(event, name)
        label = _LABEL.get(name, name)
        if isinstance(value, str):
            problem = _text_problem(label, value, _limit(name))
        elif isinstance(value, list):
            problem = _list_problem(label, value)
        else:
            continue
        if problem:
            return problem
    if isinstance(event, StepAdded | EstimateChanged):
        return _duration_problem(state, event.duration_s)
    return None


def _limit(name: str) -> int:
    return MAX_EVIDENCE_CHARS if name in _LONG_FIELDS else MAX_TEXT_CHARS


def _text_problem(label: str, value: str, limit: int) -> str | None:
    if len(value) <= limit:
        return None
    return f"the {label} is {len(value):,} characters long; {limit:,} is the limit"


def _list_problem(label: str, items: list) -> str | None:
    if len(items) > MAX_LIST_ITEMS:
        return f"the {label} name {len(items):,} items; {MAX_LIST_ITEMS:,} is the limit"
    for item in items:
        problem = (
            _text_problem(f"{label} item", item, MAX_TEXT_CHARS) if isinstance(item, str) else None
        )
        if problem:
            return problem
    return None


def _duration_problem(state: RunState, seconds: float) -> str | None:
    longest = longest_step(state.plan.window.length)
    if math.isfinite(seconds) and seconds <= longest.total_seconds():
        return None
    return (
        f"a step of {_shown(seconds)} is longer than {format_duration(longest)}, the most a step may "
        "take (7 days, or the window if longer)"
    )


def _shown(seconds: float) -> str:
    try:
        return format_duration(timedelta(seconds=seconds))
    except (OverflowError, ValueError):  # past what a timedelta holds, or NaN
        return f"{seconds:g}s"

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
from ..plan.limits import longest_step
from .events import EstimateChanged, Event, StepAdded
from .texts import values_problem

if TYPE_CHECKING:
    from .state import RunState


def size_problem(state: RunState, event: Event) -> str | None:
    """Why `event` is too big to record (None when it is not): its texts and lists
    (engine/texts.py), then an amended duration."""
    problem = values_problem((name, getattr(event, name)) for name in type(event).model_fields)
    if problem:
        return problem
    if isinstance(event, StepAdded | EstimateChanged):
        return _duration_problem(state, event.duration_s)
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

"""The forms' field checks and defaults: a budget, a person of the plan, the
estimate as the form shows it. Each check returns the problem in one line, or None."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from ...engine.state import RunState
from ...plan.durations import parse_duration


def verify_text(state: RunState, step: str) -> str:
    """The checkpoint's `verify` line, for the pass form's note."""
    verify = getattr(state.plan.step_by_id.get(step), "verify", None)
    return f"verify: {verify}" if verify else ""


def short(delta: timedelta) -> str:
    """A budget as a person types it: 45m, 1h30m."""
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"


def duration_problem(text: str) -> str | None:
    try:
        value = parse_duration(text)
    except ValueError as exc:
        return str(exc)
    return None if value.total_seconds() > 0 else "a budget must be positive"


def own_first(state: RunState, items: list[str], actor: str) -> str:
    """The first of `items` that `actor` owns, else the first: what the readiness form asks."""
    owned = state.plan.readiness_by_id
    return next((i for i in items if owned[i].owner == actor), items[0])


def one_of(choices: tuple[str, ...]) -> Callable[[str], str | None]:
    """A check that the value is one of the plan's people."""

    def problem(value: str) -> str | None:  # worded as the refusals and the incident form
        return (
            None
            if value in choices
            else f"{value!r} is not in the plan's people: {', '.join(choices)}"
        )

    return problem

"""Post-cutover validation items that check themselves: the rules for the conductor's
ValidationRecorded, and the event it records from a check's outcome.

An item's `check` (plan/aftercare.py) runs only when asked (`cutover check RUN ITEM`, or v in
the war room), as the OS user who started the run (clock/aftercare_checks.py runs it). Its
outcome is recorded as the item's ValidationRecorded by the conductor, as a person's would
be: a measure with the value the check read (the fold then judges it against the baseline
and tolerance), a pass/fail item passed or failed; the trimmed, inert output is the note.
A check that could not measure (the shop down) is a failure with the reason, no value.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from .checks import may_run_checks
from .events import CONDUCTOR, ValidationRecorded

if TYPE_CHECKING:
    from .runstate import RunState

NOTE_LIMIT = 2_000  # the note keeps the check's summary and the head of its output


def item_check(state: RunState, item: str) -> Any:  # -> AnyCheck | None
    """The plan's check on validation item `item`, or None."""
    after = state.plan.aftercare
    found = after.check_by_id().get(item) if after is not None else None
    return getattr(found, "check", None)


def conductor_permission(state: RunState, event: ValidationRecorded) -> str | None:
    """The conductor records a validation item only as its check's outcome."""
    if item_check(state, event.check) is None:
        return f"the conductor does not record {event.type} for an item without a check"
    return may_run_checks(state)


def could_not_measure(event: ValidationRecorded) -> bool:
    """A measure's check that failed before it read a value: a failure without a value."""
    return event.actor == CONDUCTOR and event.passed is False and event.value is None


def outcome_event(
    state: RunState, item: str, ok: bool, value: float | None, evidence: str, at: datetime
) -> ValidationRecorded:
    """The item's result from its check's outcome (keyed per attempt: recorded once)."""
    measured = state.plan.aftercare.check_by_id()[item].measured  # type: ignore[union-attr]
    attempt = sum(1 for e in state.aftercare.check_history if e.check == item) + 1
    if measured and ok and value is not None:
        passed, measure = None, value
    else:
        passed, measure = (ok and not measured), None
    return ValidationRecorded(
        actor=CONDUCTOR,
        at=at,
        check=item,
        value=measure,
        passed=passed,
        note=evidence[:NOTE_LIMIT],
        key=f"check:{item}:{attempt}",
    )

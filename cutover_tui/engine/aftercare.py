"""After the night: the plan's `[aftercare]` tracked in the journal like steps.

Four events (engine/events.py): a validation item recorded (a measure with its value, passed
when within the plan's tolerance, else a failure; a pass/fail item with its answer), a
temporary access closed, the handover accepted by the receiving owner, the runbook updated.
Access closed and the runbook may be recorded from the run's start; validation and the
handover only after go-live (the run ended); and, unlike anything else but review remarks,
all four after it ended (`engine/review.allowed_after_end`): that is when they happen.

Deadlines count from go-live, the moment the run ended: where each item stands, and what is
overdue, is `engine/aftercare_status.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..plan.errors import nearest
from .aftercare_checks import could_not_measure
from .events import (
    AccessClosed,
    Event,
    HandoverAccepted,
    NoteAdded,
    RunbookUpdated,
    ValidationRecorded,
)
from .incidents import the_commander
from .texts import says_nothing
from .times import stamp

if TYPE_CHECKING:
    from ..plan.aftercare import Aftercare, ValidationCheck
    from .runstate import RunState

AFTERCARE_TYPES = frozenset(
    {"validation-recorded", "access-closed", "handover-accepted", "runbook-updated"}
)


@dataclass
class AfterState:
    """What has been recorded after the night, folded from the journal."""

    checks: dict[str, ValidationRecorded] = field(default_factory=dict)  # the latest per item
    check_history: list[ValidationRecorded] = field(default_factory=list)
    access: dict[str, AccessClosed] = field(default_factory=dict)
    handover: HandoverAccepted | None = None
    runbook: RunbookUpdated | None = None


# -- the fold --------------------------------------------------------------------------------


def passed(check: ValidationCheck, event: ValidationRecorded) -> bool:
    """A measure passes within its tolerance; a pass/fail item as the person said."""
    if check.measured and event.value is not None:
        return check.within_tolerance(event.value)
    return bool(event.passed)


def _validated(state: RunState, e: ValidationRecorded) -> None:
    state.aftercare.checks[e.check] = e
    state.aftercare.check_history.append(e)


def _access_closed(state: RunState, e: AccessClosed) -> None:
    state.aftercare.access[e.access] = e


def _handover(state: RunState, e: HandoverAccepted) -> None:
    state.aftercare.handover = e


def _runbook(state: RunState, e: RunbookUpdated) -> None:
    state.aftercare.runbook = e


APPLY = {
    "validation-recorded": _validated,
    "access-closed": _access_closed,
    "handover-accepted": _handover,
    "runbook-updated": _runbook,
}


# -- who may, and what may happen now --------------------------------------------------------


def permission(state: RunState, event: Event) -> str | None:
    """The owner named in the plan (not a mere watcher), or the commander; the handover only
    by its receiving owner, whose acceptance it is."""
    after = state.plan.aftercare
    actor, who = event.actor, state.name(event.actor)
    roles = state.roles_of(actor)
    if after is None:
        return None  # legality says the plan has no [aftercare]
    owner, what = _owner_of(after, event)
    if owner is None:
        return None  # an unknown id: legality names it with a hint
    if isinstance(event, HandoverAccepted):
        if actor == owner:
            return None
        return (
            f"{who} may not accept the handover: only its receiving owner, {state.name(owner)}, may"
        )
    if "commander" in roles or (actor == owner and roles != {"watcher"}):
        return None
    return f"{who} may not {what}: only {the_commander(state)} or {state.name(owner)} may"


def _owner_of(after: Aftercare, event: Event) -> tuple[str | None, str]:
    if isinstance(event, ValidationRecorded):
        item = after.check_by_id().get(event.check)
        return (item.owner if item else None), f"record validation item {event.check!r}"
    if isinstance(event, AccessClosed):
        access = after.access_by_id().get(event.access)
        return (access.opened_by if access else None), f"close access {event.access!r}"
    if isinstance(event, HandoverAccepted):
        return (after.handover.owner if after.handover else None), "accept the handover"
    if isinstance(event, RunbookUpdated):
        return (after.runbook.owner if after.runbook else None), "record the runbook update"
    return None, ""


def _no_part(state: RunState, what: str) -> str | None:
    after = state.plan.aftercare
    if after is None:
        return "this plan has no [aftercare] part: nothing is tracked after the night"
    if what == "handover" and after.handover is None:
        return "this plan has no [aftercare.handover]"
    if what == "runbook" and after.runbook is None:
        return "this plan has no [aftercare.runbook]"
    return None


def _unknown(what: str, value: str, pool: dict) -> str:
    hint = nearest(value, pool)
    return f"there is no {what} {value!r}" + (f"; did you mean {hint!r}?" if hint else "")


def before_go_live(state: RunState, what: str) -> str | None:
    """Validation and the handover come after go-live, the run's end: recorded during the
    night, a pass stood in for the real result (which was then refused as "already passed")
    and a handover stayed accepted after the night rolled back (user pass, 2026-12-02)."""
    if state.phase == "ended":
        return None
    return (
        f"{what} is recorded after go-live, once the run has ended; during the night a "
        "check is a checkpoint"
    )


def _check_validation(state: RunState, e: ValidationRecorded) -> str | None:
    problem = _no_part(state, "check") or before_go_live(state, f"validation item {e.check!r}")
    if problem:
        return problem
    items = state.plan.aftercare.check_by_id()  # type: ignore[union-attr]
    item = items.get(e.check)
    if item is None:
        return _unknown("validation item", e.check, items)
    if item.measured and e.value is None and not could_not_measure(e):
        return (
            f"{e.check!r} is a measure: give the value measured (--value), against {item.target()}"
        )
    if not item.measured and e.value is not None:
        return f"{e.check!r} is pass/fail, not a measure: record it without --value"
    if not item.measured and e.passed is None:
        return f"{e.check!r} is pass/fail: say whether it passed"
    if e.value is not None and not _finite(e.value):
        return f"{e.value!r} is not a measured value"
    if not item.measured and e.passed is False and says_nothing(e.note):
        return f"a failed {e.check!r} needs a note saying what was seen (--note)"
    earlier = state.aftercare.checks.get(e.check)
    if earlier is not None and passed(item, earlier):
        return (
            f"{e.check!r} already passed, recorded by {state.name(earlier.actor)} at "
            f"{stamp(state, earlier.at)}"
        )
    return None


def _finite(value: float) -> bool:
    return value == value and abs(value) != float("inf")


def _check_access(state: RunState, e: AccessClosed) -> str | None:
    problem = _no_part(state, "access")
    if problem:
        return problem
    register = state.plan.aftercare.access_by_id()  # type: ignore[union-attr]
    if e.access not in register:
        return _unknown("temporary access", e.access, register)
    earlier = state.aftercare.access.get(e.access)
    if earlier is not None:
        return f"{e.access!r} was already closed by {state.name(earlier.actor)} at {stamp(state, earlier.at)}"
    return None


NOT_LIVE = "the run did not go live (rolled back or aborted): there is nothing to hand over"


def not_live(state: RunState) -> bool:
    """The night did not go live: no handover is owed (aftercare_status.py says it too)."""
    return state.outcome in ("rolled-back", "aborted") or state.rollback_at is not None


def _check_handover(state: RunState, e: HandoverAccepted) -> str | None:
    problem = _no_part(state, "handover")
    if problem:
        return problem
    if not_live(state):
        return NOT_LIVE
    problem = before_go_live(state, "the handover")
    if problem:
        return problem
    earlier = state.aftercare.handover
    if earlier is not None:
        return f"the handover was already accepted by {state.name(earlier.actor)} at {stamp(state, earlier.at)}"
    return None


def _check_runbook(state: RunState, e: RunbookUpdated) -> str | None:
    problem = _no_part(state, "runbook")
    if problem:
        return problem
    if says_nothing(e.note):
        return "say what changed in the runbook and where it lives (--note)"
    earlier = state.aftercare.runbook
    if earlier is not None:
        return f"the runbook update was already recorded by {state.name(earlier.actor)} at {stamp(state, earlier.at)}"
    return None


LEGALITY = {
    "validation-recorded": _check_validation,
    "access-closed": _check_access,
    "handover-accepted": _check_handover,
    "runbook-updated": _check_runbook,
}


def is_aftercare(event: Event) -> bool:
    return event.type in AFTERCARE_TYPES


def remark_problem(event: NoteAdded) -> str | None:
    """A heading (went-well, to-change, process-gap) belongs on a review remark only."""
    if event.remark is not None and event.kind != "review":
        return "a remark heading (--remark) is for review remarks (--kind review)"
    return None

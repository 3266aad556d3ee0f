"""After the night: the plan's `[aftercare]` tracked in the journal like steps.

Four events (engine/events.py): a validation item recorded (a measure with its value, passed
when within the plan's tolerance, else a failure; a pass/fail item with its answer), a
temporary access closed, the handover accepted by the receiving owner, the runbook updated.
They may be recorded from the run's start and, unlike anything else but review remarks,
after it ended (`engine/review.allowed_after_end`): that is when most of them happen.

Deadlines count from go-live, the moment the run ended; before that nothing is due.
`rows(state, now)` is the one reading of where each item stands (the war room's `V`,
`cutover aftercare`, `cutover status` and the review all use it): an item open past its
deadline is overdue, and an overdue access turns the run's summary red.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from ..plan.errors import nearest
from .events import (
    AccessClosed,
    Event,
    HandoverAccepted,
    NoteAdded,
    RunbookUpdated,
    ValidationRecorded,
)
from .times import stamp

if TYPE_CHECKING:
    from ..plan.aftercare import Aftercare, ValidationCheck
    from .runstate import RunState

AFTERCARE_TYPES = frozenset(
    {"validation-recorded", "access-closed", "handover-accepted", "runbook-updated"}
)
RowKind = Literal["check", "access", "handover", "runbook"]


@dataclass
class AfterState:
    """What has been recorded after the night, folded from the journal."""

    checks: dict[str, ValidationRecorded] = field(default_factory=dict)  # the latest per item
    check_history: list[ValidationRecorded] = field(default_factory=list)
    access: dict[str, AccessClosed] = field(default_factory=dict)
    handover: HandoverAccepted | None = None
    runbook: RunbookUpdated | None = None


@dataclass(frozen=True)
class AfterRow:
    """One item after the night, as every front end shows it."""

    kind: RowKind
    id: str
    area: str  # a validation area; "access", "handover" or "runbook" for the others
    title: str
    owner: str  # a people key (the access's opener; the handover's receiving owner)
    status: str  # open, passed, failed, closed, accepted, updated
    detail: str  # the measure against its target, who closed it and when
    due: datetime | None  # None until go-live
    overdue: bool

    @property
    def done(self) -> bool:
        return self.status in ("passed", "closed", "accepted", "updated")


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
    return f"{who} may not {what}: only the commander or {state.name(owner)} may"


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


def _check_validation(state: RunState, e: ValidationRecorded) -> str | None:
    problem = _no_part(state, "check")
    if problem:
        return problem
    items = state.plan.aftercare.check_by_id()  # type: ignore[union-attr]
    item = items.get(e.check)
    if item is None:
        return _unknown("validation item", e.check, items)
    if item.measured and e.value is None:
        return (
            f"{e.check!r} is a measure: give the value measured (--value), against {item.target()}"
        )
    if not item.measured and e.value is not None:
        return f"{e.check!r} is pass/fail, not a measure: record it without --value"
    if not item.measured and e.passed is None:
        return f"{e.check!r} is pass/fail: say whether it passed"
    if e.value is not None and not _finite(e.value):
        return f"{e.value!r} is not a measured value"
    if not item.measured and e.passed is False and not e.note.strip():
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


def _check_handover(state: RunState, e: HandoverAccepted) -> str | None:
    problem = _no_part(state, "handover")
    if problem:
        return problem
    if state.outcome in ("rolled-back", "aborted") or state.rollback_at is not None:
        return "the run did not go live (rolled back or aborted): there is nothing to hand over"
    earlier = state.aftercare.handover
    if earlier is not None:
        return f"the handover was already accepted by {state.name(earlier.actor)} at {stamp(state, earlier.at)}"
    return None


def _check_runbook(state: RunState, e: RunbookUpdated) -> str | None:
    problem = _no_part(state, "runbook")
    if problem:
        return problem
    if not e.note.strip():
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


# -- where each item stands ------------------------------------------------------------------


def go_live(state: RunState) -> datetime | None:
    """Deadlines count from here: the end of the run."""
    return state.ended_at


def rows(state: RunState, now: datetime) -> list[AfterRow]:
    """Every item after the night, in the plan's order: checklist by area, access, handover,
    runbook."""
    after = state.plan.aftercare
    if after is None:
        return []
    live = go_live(state)
    out = [_check_row(state, c, live, now) for c in _by_area(after.check)]
    out += [_access_row(state, a, live, now) for a in after.access]
    if after.handover is not None:
        out.append(_handover_row(state, live, now))
    if after.runbook is not None:
        out.append(_runbook_row(state, live, now))
    return out


def _by_area(checks: list[ValidationCheck]) -> list[ValidationCheck]:
    from ..plan.aftercare import AREAS

    return sorted(checks, key=lambda c: AREAS.index(c.area))


def _due(live: datetime | None, within: timedelta) -> datetime | None:
    return live + within if live is not None else None


def _row(
    kind: RowKind,
    id_: str,
    area: str,
    title: str,
    owner: str,
    status: str,
    detail: str,
    due: datetime | None,
    now: datetime,
) -> AfterRow:
    done = status in ("passed", "closed", "accepted", "updated")
    return AfterRow(
        kind,
        id_,
        area,
        title,
        owner,
        status,
        detail,
        due,
        overdue=not done and due is not None and now > due,
    )


def _check_row(state: RunState, c: ValidationCheck, live, now: datetime) -> AfterRow:
    e = state.aftercare.checks.get(c.id)
    if e is None:
        status, detail = "open", f"target {c.target()}"
    else:
        ok = passed(c, e)
        status = "passed" if ok else "failed"
        seen = f"{e.value:g}{' ' + c.unit if c.unit else ''}" if e.value is not None else status
        if c.measured:
            verdict = "within" if ok else "OUT OF TOLERANCE:"
            detail = f"{seen}, {verdict} {c.target()}"
        else:
            detail = status
        detail += f"; {state.name(e.actor)} at {stamp(state, e.at)}"
    return _row("check", c.id, c.area, c.item, c.owner, status, detail, _due(live, c.within), now)


def _access_row(state: RunState, a, live, now: datetime) -> AfterRow:
    e = state.aftercare.access.get(a.id)
    detail = f"for {a.holder}"
    if e is not None:
        detail += f"; closed by {state.name(e.actor)} at {stamp(state, e.at)}"
    status = "closed" if e else "open"
    due = _due(live, a.close_within)
    return _row("access", a.id, "access", a.what, a.opened_by, status, detail, due, now)


def _handover_row(state: RunState, live, now: datetime) -> AfterRow:
    h = state.plan.aftercare.handover  # type: ignore[union-attr]
    e = state.aftercare.handover
    end = _due(live, h.hypercare)
    detail = f"hypercare {in_days(h.hypercare)}" + (f" to {stamp(state, end)}" if end else "")
    if e is not None:
        detail += f"; accepted by {state.name(e.actor)} at {stamp(state, e.at)}"
    status = "accepted" if e else "open"
    title = f"handover to {h.team}"
    return _row(
        "handover",
        "handover",
        "handover",
        title,
        h.owner,
        status,
        detail,
        _due(live, h.within),
        now,
    )


def _runbook_row(state: RunState, live, now: datetime) -> AfterRow:
    r = state.plan.aftercare.runbook  # type: ignore[union-attr]
    e = state.aftercare.runbook
    detail = f"within {in_days(r.within)} of go-live"
    if e is not None:
        detail = f"{e.note}; {state.name(e.actor)} at {stamp(state, e.at)}"
    status = "updated" if e else "open"
    return _row(
        "runbook",
        "runbook",
        "runbook",
        "runbook updated",
        r.owner,
        status,
        detail,
        _due(live, r.within),
        now,
    )


def in_days(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:g} days" if hours >= 48 and hours % 24 == 0 else f"{hours:g} h"


def overdue(state: RunState, now: datetime) -> list[AfterRow]:
    return [row for row in rows(state, now) if row.overdue]


def summary(state: RunState, now: datetime) -> tuple[str, bool] | None:
    """One line for the run's summary, and whether it is red (an access left open past its
    deadline, or anything overdue); None when the plan has no [aftercare]."""
    all_rows = rows(state, now)
    if not all_rows:
        return None
    done = sum(row.done for row in all_rows)
    late = [row for row in all_rows if row.overdue]
    failed = [row for row in all_rows if row.status == "failed"]
    text = f"after the night: {done}/{len(all_rows)} done"
    if failed:
        text += f", {len(failed)} failed ({', '.join(r.id for r in failed)})"
    if late:
        text += f", {len(late)} OVERDUE ({', '.join(r.id for r in late)})"
    elif go_live(state) is None:
        text += " (deadlines start at go-live)"
    return text, bool(late)

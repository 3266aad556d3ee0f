"""Where each item after the night stands, from go-live: `rows(state, now)` is the one
reading the war room's `V`, `cutover aftercare`, `cutover status` and the review all use.

Deadlines count from go-live, the moment the run ended; before that nothing is due. An item
open past its deadline is overdue, and anything overdue (an access left open above all)
turns the run's summary red. The events, rules and fold are `engine/aftercare.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from .aftercare import NOT_LIVE, not_live, passed
from .times import stamp

if TYPE_CHECKING:
    from ..plan.aftercare import ValidationCheck
    from .runstate import RunState

RowKind = Literal["check", "access", "handover", "runbook"]
# Nothing left to do: "not owed" is the handover of a night that did not go live, which the
# journal refuses (engine/aftercare.py): kept open, it fell overdue with nothing to be done.
DONE = ("passed", "closed", "accepted", "updated", "not owed")


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
        return self.status in DONE


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
    done = status in DONE
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
    if e is None and not_live(state):  # nothing went live to validate (user pass, 2026-12-02)
        status, detail, live = "not owed", NOT_VALIDATED, None
    elif e is None:
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


NOT_VALIDATED = "the run did not go live (rolled back or aborted): there is nothing to validate"


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
    if e is None and not_live(state):
        status, detail, live = "not owed", NOT_LIVE, None
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
    # Deadlines count from the run's end (go_live): a night that never went live says so.
    since = "the run's end" if not_live(state) else "go-live"
    detail = f"within {in_days(r.within)} of {since}"
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


def due_words(state: RunState, row: AfterRow) -> str:
    """The due column: a time, "at go-live" before it, "—" for what is not owed at all."""
    if row.status == "not owed":
        return "—"
    return stamp(state, row.due) if row.due else "at go-live"


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

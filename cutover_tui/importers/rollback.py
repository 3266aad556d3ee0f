"""A workbook's Rollback sheet: the `[rollback]` steps, in the runbook sheet's columns, with
its owner and RTO in the Plan sheet ("rollback owner", "rollback rto"). `cutover export
--xlsx` writes it; a runbook's own "Rollback" tab reads the same way (without a Plan sheet the
first step's owner makes the call and the RTO is the critical path, both flagged). Problems in
it are located in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .layout import NoTable, lay_out
from .links import References
from .people import People
from .problems import Problems
from .reading import column_date_order, read_rows
from .rows import Draft
from .sheet import Sheet, Workbook
from .steps import build_steps
from .timing import instant, span_of
from .values import exact_duration, text_of


@dataclass
class ImportedRollback:
    data: dict[str, Any]
    sheet: Sheet
    drafts: list[Draft] = field(default_factory=list)
    failed_rows: list[int] = field(default_factory=list)


def rollback_data(
    book: Workbook,
    people: People,
    phases: dict[str, str],
    references: References,
    settings: dict[str, Any],
    problems: Problems,
    taken: set[str],
    zone: ZoneInfo,
) -> ImportedRollback | None:
    sheet = book.aux.get("rollback")
    if sheet is None:
        return None
    own = Problems(sheet)
    owner, rto = text_of(settings.get("rollback owner")), text_of(settings.get("rollback rto"))
    drafts: list[Draft] = []
    steps: list[dict[str, Any]] = []
    main, people.problems = people.problems, own  # a name first met here is flagged here
    try:
        layout = lay_out(sheet, (), own)
        drafts = read_rows(layout.rows, own, column_date_order(layout.rows).order)
        has_ids = layout.columns.first("id") is not None
        steps = build_steps(drafts, has_ids, people, phases, references, own, taken, zone)
        key = people.key_for(owner, None, None) if owner else ""
    except NoTable as exc:
        own.add(str(exc))
        key = ""
    finally:
        people.problems = main
    if not owner and steps:
        key = steps[0]["owner"]
        own.warn(
            f"no 'rollback owner' row in the Plan sheet: {key}, who owns the first rollback "
            "step, makes the call"
        )
    if not rto and steps:
        starts = [instant(s["not_before"], zone) for s in steps if s.get("not_before")]
        origin = min(starts, default=datetime(2000, 1, 1, tzinfo=UTC))
        span = span_of(steps, origin, zone) or timedelta(0)
        rto = exact_duration(max(span, timedelta(minutes=1)))
        own.warn(
            f"no 'rollback rto' row in the Plan sheet: the RTO is taken as the rollback's "
            f"critical path, {rto}; set the time the business can accept"
        )
    problems.items.extend(own.items)
    data = {"owner": key, "rto": rto or "", "step": steps}
    return ImportedRollback(data, sheet, drafts, sorted(own.failed_rows))

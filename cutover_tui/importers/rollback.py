"""A workbook's Rollback sheet: the `[rollback]` steps, in the runbook sheet's columns, with
its owner and RTO in the Plan sheet ("rollback owner", "rollback rto"). `cutover export
--xlsx` writes it; problems in it are located in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .layout import NoTable, lay_out
from .links import References
from .people import People
from .problems import Problems
from .reading import column_date_order, read_rows
from .rows import Draft
from .sheet import Sheet, Workbook
from .steps import build_steps
from .values import text_of


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
) -> ImportedRollback | None:
    sheet = book.aux.get("rollback")
    if sheet is None:
        return None
    own = Problems(sheet)
    owner, rto = text_of(settings.get("rollback owner")), text_of(settings.get("rollback rto"))
    if not owner or not rto:
        own.add("a Rollback sheet needs 'rollback owner' and 'rollback rto' rows in the Plan sheet")
    drafts: list[Draft] = []
    steps: list[dict[str, Any]] = []
    main, people.problems = people.problems, own  # a name first met here is flagged here
    try:
        layout = lay_out(sheet, (), own)
        drafts = read_rows(layout.rows, own, column_date_order(layout.rows))
        has_ids = layout.columns.first("id") is not None
        steps = build_steps(drafts, has_ids, people, phases, references, own, taken)
        key = people.key_for(owner, None, None) if owner else ""
    except NoTable as exc:
        own.add(str(exc))
        key = ""
    finally:
        people.problems = main
    problems.items.extend(own.items)
    data = {"owner": key, "rto": rto or "", "step": steps}
    return ImportedRollback(data, sheet, drafts, sorted(own.failed_rows))

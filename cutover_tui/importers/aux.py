"""The sheets a workbook may hold beside the runbook (`cutover export --xlsx` writes them):

- Plan:   two columns, key and value (id, title, timezone, launch, description, window start,
          window end, buffer, warning);
- People: key, name, user, roles, phone, email, team, escalates_to;
- Phases: id, title;
- Risks:  id, risk, likelihood, impact, owner, mitigation, steps, triggers, status;
- Readiness: id, stream, item, owner (the go-live checklist gate criteria may name).

Their cells go into the plan as written; the plan's own validation judges them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .sheet import Sheet, Value
from .values import text_of

LIST_KEYS = {"roles", "steps", "triggers"}
PEOPLE_KEYS = ("key", "name", "user", "roles", "phone", "email", "team", "escalates_to")
PHASE_KEYS = ("id", "title")
RISK_KEYS = (
    "id",
    "risk",
    "likelihood",
    "impact",
    "owner",
    "mitigation",
    "steps",
    "triggers",
    "status",
)
PLAN_KEYS = (
    "id",
    "title",
    "timezone",
    "launch",
    "description",
    "window start",
    "window end",
    "buffer",
    "warning",
)


def table(sheet: Sheet | None) -> list[dict[str, Any]]:
    """The sheet's rows as dicts keyed by its first row (lower case), empty cells left out."""
    if sheet is None or not sheet.rows:
        return []
    header = [(text_of(c) or "").strip().lower().replace(" ", "_") for c in sheet.rows[0][1]]
    out = []
    for _, cells in sheet.rows[1:]:
        item: dict[str, Any] = {}
        for key, value in zip(header, cells, strict=False):
            if key and value is not None:
                item[key] = _cell(key, value)
        if item:
            out.append(item)
    return out


def _cell(key: str, value: Value) -> Any:
    if key in LIST_KEYS:
        return [v.strip() for v in (text_of(value) or "").split(",") if v.strip()]
    if isinstance(value, datetime):
        return value
    return text_of(value) if not isinstance(value, str) else value


def plan_settings(sheet: Sheet | None) -> dict[str, Any]:
    """The Plan sheet's key/value rows: {'id': ..., 'window start': datetime, ...}."""
    out: dict[str, Any] = {}
    if sheet is None:
        return out
    for _, cells in sheet.rows:
        if len(cells) >= 2 and isinstance(cells[0], str) and cells[1] is not None:
            key = cells[0].strip().lower()
            if key in PLAN_KEYS:
                out[key] = cells[1]
    return out

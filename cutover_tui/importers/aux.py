"""The sheets a workbook may hold beside the runbook (`cutover export --xlsx` writes them):

- Plan:   two columns, key and value (id, title, timezone, launch, description, window start,
          window end, buffer, warning, rollback owner, rollback rto);
- Rollback: the rollback's steps, in the runbook sheet's columns (rollback.py reads it);
- People: key, name, user, roles, phone, email, team, escalates_to;
- Phases: id, title;
- Risks:  id, risk, likelihood, impact, owner, mitigation, steps, triggers, status;
- Readiness: id, stream, item, owner (the go-live checklist gate criteria may name);
- Triggers, Audiences, Templates: one column per key of `[[trigger]]`, `[[audience]]`,
  `[[template]]` (lists joined with ', ').

Their cells go into the plan as written; the plan's own validation judges them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from ..plan.model import Audience, Person, Phase, Readiness, Template, Trigger
from ..plan.risks import Risk
from .date_order import DateOrder
from .sheet import Sheet, Value, column_letter
from .values import CellError, text_of


def _list_keys(model: type[BaseModel]) -> frozenset[str]:
    """The keys of `model` that hold lists (a cell writes them joined with ', ')."""
    return frozenset(
        name for name, info in model.model_fields.items() if get_origin(info.annotation) is list
    )


# Each sheet's model, for which of its columns hold lists.
_MODELS: dict[str, type[BaseModel]] = {
    "people": Person,
    "phases": Phase,
    "risks": Risk,
    "readiness": Readiness,
    "triggers": Trigger,
    "audiences": Audience,
    "templates": Template,
}
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
    "rollback owner",
    "rollback rto",
)


def table(sheet: Sheet | None, dates: DateOrder | None = None) -> list[dict[str, Any]]:
    """The sheet's rows as dicts of the plan keys its header names (others: `unknown_columns`);
    a time written as text read in the order of the steps' dates, `dates`."""
    model = _model_of(sheet)
    keys = _keys_of(model)
    lowered = _choice_keys(model) if model else frozenset()
    rows = _table(sheet, _list_keys(model) if model else frozenset(), keys, lowered)
    for key in _time_keys(model) if model else ():
        for row in (row for row in rows if key in row):
            row[key] = _time(row[key], dates or DateOrder())
    return rows


def _time_keys(model: type[BaseModel]) -> list[str]:
    """The keys of `model` that hold a time (a trigger's `at`)."""
    return [name for name, info in model.model_fields.items() if _holds_time(info.annotation)]


def _holds_time(annotation: Any) -> bool:
    """datetime, or a type made of it (`PlanTime | None`: Optional of Annotated)."""
    return annotation is datetime or any(_holds_time(arg) for arg in get_args(annotation))


def _time(cell: Any, dates: DateOrder) -> Any:
    """A time written as text (in the steps' date order; with its offset as `cutover export`
    writes one in the hour a clock change repeats), as the plan is to read it; a text that is
    no time as written (the plan's validation says what is wrong with it)."""
    if not isinstance(cell, str):
        return cell
    try:
        return dates.when(cell).written
    except CellError:
        return cell


def unknown_columns(sheet: Sheet | None) -> list[str]:
    """The headers of a sheet that name no key of its table (a People tab's "Mobile")."""
    keys = _keys_of(_model_of(sheet))
    if sheet is None or not sheet.rows or keys is None:
        return []
    return [h for h in (text_of(c) for c in sheet.rows[0][1]) if h and _key(h) not in keys]


def _model_of(sheet: Sheet | None) -> type[BaseModel] | None:
    return _MODELS.get(sheet.name.strip().lower()) if sheet and sheet.name else None


def _keys_of(model: type[BaseModel] | None) -> set[str] | None:
    if model is None:
        return None
    return set(model.model_fields) | ({"key"} if model is Person else set())


# Column names risk registers and contact lists use for the plan's keys.
_KEY_ALIASES = {
    "probability": "likelihood",
    "description": "risk",
    "risk_description": "risk",
    "mitigation_plan": "mitigation",
    "mitigations": "mitigation",
    "related_steps": "steps",
    "full_name": "name",
    "login": "user",
    "e-mail": "email",
    "escalation": "escalates_to",
}


def _key(header: str) -> str:
    key = header.strip().lower().replace(" ", "_")
    return _KEY_ALIASES.get(key, key)


def _choice_keys(model: type[BaseModel]) -> frozenset[str]:
    """The keys of `model` that take one of a few words (likelihood: low | medium | high):
    a sheet's "High" or "Open" is read in lower case."""
    out = set()
    for name, info in model.model_fields.items():
        inner = [info.annotation, *get_args(info.annotation)]
        if any(get_origin(t) is Literal for t in inner):
            out.add(name)
    return frozenset(out)


def _table(
    sheet: Sheet | None,
    lists: frozenset[str],
    keys: set[str] | None = None,
    lowered: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """The sheet's rows as dicts keyed by its first row (lower case), empty cells left out."""
    if sheet is None or not sheet.rows:
        return []
    header = [_key(text_of(c) or "") for c in sheet.rows[0][1]]
    out = []
    for _, cells in sheet.rows[1:]:
        item: dict[str, Any] = {}
        for key, value in zip(header, cells, strict=False):
            if key and value is not None and (keys is None or key in keys):
                cell = _cell(value, key in lists)
                item[key] = _lower(cell) if key in lowered else cell
        if item:
            out.append(item)
    return out


def _lower(cell: Any) -> Any:
    if isinstance(cell, list):
        return [c.lower() if isinstance(c, str) else c for c in cell]
    return cell.lower() if isinstance(cell, str) else cell


def _cell(value: Value, is_list: bool) -> Any:
    if is_list:
        return [v.strip() for v in (text_of(value) or "").split(",") if v.strip()]
    if isinstance(value, datetime | bool):
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


def numbered(sheet: Sheet | None) -> list[int]:
    """The sheet row number of each dict `table` returns, in the same order."""
    if sheet is None or not sheet.rows:
        return []
    return [number for number, cells in sheet.rows[1:] if any(c is not None for c in cells)]


_SHEET_OF = {
    "people": "people",
    "risk": "risks",
    "readiness": "readiness",
    "trigger": "triggers",
    "audience": "audiences",
    "template": "templates",
}
# Plan tables held by a sheet of the same meaning: (plan key, sheet name).
TABLES = tuple(_SHEET_OF.items())[1:]


def locate(aux_sheets: dict[str, Sheet], loc: tuple[str | int, ...]) -> str | None:
    """Where in a workbook's own sheets a plan problem at `loc` was written, if it was."""
    if not loc:
        return None
    head = str(loc[0])
    if head in ("plan", "window", "rollback") and len(loc) >= 2 and loc[1] != "step":
        key = str(loc[1]) if head == "plan" else f"{head} {loc[1]}"
        return _plan_row(aux_sheets.get("plan"), key)
    sheet = aux_sheets.get(_SHEET_OF.get(head, ""))
    if sheet is None or len(loc) < 2:
        return None
    header = [(text_of(c) or "").strip().lower().replace(" ", "_") for c in sheet.rows[0][1]]
    rows = numbered(sheet)
    if head == "people":
        keys = [str(item.get("key", "")) for item in table(sheet)]
        index = keys.index(str(loc[1])) if str(loc[1]) in keys else None
    else:
        index = loc[1] if isinstance(loc[1], int) else None
    if index is None or index >= len(rows):
        return None
    field = str(loc[2]) if len(loc) >= 3 else None
    column = ""
    if field in header:
        column = f", {column_letter(header.index(field) + 1)} ({field})"
    return f"{sheet.where(rows[index])}{column}"


def _plan_row(sheet: Sheet | None, key: str) -> str | None:
    if sheet is None:
        return None
    for number, cells in sheet.rows:
        if cells and isinstance(cells[0], str) and cells[0].strip().lower() == key:
            return sheet.where(number, "B (value)")
    return None

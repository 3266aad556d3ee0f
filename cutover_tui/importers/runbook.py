"""A runbook sheet turned into a plan that validates, or every problem with it in one run.

read (sheet.py) -> lay out (layout.py: header, title, phase headings, merged cells) -> read
each row (rows.py) -> ids, people, phases, predecessors (links.py) -> times and the window ->
the plan's data -> the plan's own validation, its findings put back on the rows they came from.
A row that cannot be imported is named by its row number; none is dropped in silence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..plan.errors import PlanError, nearest
from ..plan.load import validate_data
from ..plan.write import dumps_plan
from . import aux
from .columns import ALIASES, Columns, MapError, parse_maps
from .date_order import DateOrder
from .layout import NoTable, lay_out
from .links import References
from .people import People
from .problems import Problems, SheetProblem
from .reading import column_date_order, note_formulas, read_rows, summaries_as_headings
from .rollback import ImportedRollback, rollback_data
from .rows import Draft
from .sheet import Workbook, read_workbook
from .sniff import ImportRefused
from .steps import build_steps, listed_phases
from .timing import window_of, zone_of
from .values import slug, text_of


@dataclass
class ImportOptions:
    sheet: str | None = None
    maps: Sequence[str] = ()
    start: datetime | None = None  # the window's start when the sheet has no dates
    default_start: datetime | None = None  # used (and said) when neither gives one
    timezone: str | None = None
    plan_id: str | None = None
    title: str | None = None


@dataclass
class ImportResult:
    source: str
    refused: str | None = None  # the file could not be read at all: one line
    problems: list[SheetProblem] = field(default_factory=list)
    failed_rows: dict[int, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] | None = None
    toml: str | None = None
    steps: int = 0
    header_row: int | None = None
    rollback: ImportedRollback | None = None

    @property
    def ok(self) -> bool:
        return self.refused is None and self.toml is not None


def import_runbook(path: str | Path, options: ImportOptions | None = None) -> ImportResult:
    options = options or ImportOptions()
    try:
        maps = parse_maps(options.maps)
        book = read_workbook(path, options.sheet)
    except (ImportRefused, MapError) as exc:
        return ImportResult(str(path), refused=str(exc))
    return build(book, options, maps)


def build(book: Workbook, options: ImportOptions, maps: list[tuple[str, str]]) -> ImportResult:
    sheet = book.main
    problems = Problems(sheet)
    result = ImportResult(sheet.file, notes=list(sheet.notes))
    try:
        layout = lay_out(sheet, maps, problems)
    except MapError as exc:
        return ImportResult(sheet.file, refused=f"{sheet.file}: {exc}")
    except NoTable as exc:
        problems.add(str(exc))
        return _finish(result, problems)
    result.header_row = layout.header_row
    columns = layout.columns
    if not _has_needed_columns(columns, layout.header_row, problems):
        return _finish(result, problems)
    for demoted, kept in columns.duplicates:
        problems.warn(
            f"{demoted.header!r} reads as {kept.field} too; {kept.header!r} is used, "
            f"{demoted.header!r} is kept in the steps' notes "
            f"(choose with --map '{demoted.header}=FIELD')",
            layout.header_row,
            demoted,
        )
    if columns.unmapped:
        shown = ", ".join(repr(c.header) for c in columns.unmapped if c.header)
        if shown:
            result.notes.append(f"columns kept as step notes: {shown}")
    note_formulas(sheet, layout.header_row, columns, problems, result)
    rows = summaries_as_headings(layout.rows, result)
    dates = column_date_order(rows)  # the Plan and Triggers sheets' dates read the same way
    drafts = read_rows(rows, problems, dates.order)
    for name, aux_sheet in book.aux.items():
        for header in aux.unknown_columns(aux_sheet):
            problems.add_at(
                aux_sheet.where(aux_sheet.rows[0][0], header),
                f"{header!r} is not a column of a {name} sheet: left out",
                None,
                "warning",
            )
    settings = aux.plan_settings(book.aux.get("plan"))
    people = People(aux.table(book.aux.get("people")), problems)
    data = _plan_data(book, layout, drafts, people, options, settings, dates, problems, result)
    if data is not None and not problems.errors:
        _validate(data, drafts, problems, result, book.aux)
    return _finish(result, problems)


def _finish(result: ImportResult, problems: Problems) -> ImportResult:
    result.problems = problems.sorted()
    result.failed_rows = dict(sorted(problems.failed_rows.items()))
    if problems.errors:
        result.data = result.toml = None
    return result


def _has_needed_columns(columns: Columns, header_row: int, problems: Problems) -> bool:
    headers = [c.header for c in columns.by_index.values() if c.header]
    if columns.first("title") is None:
        problems.add(
            f"no column reads as the task name; the header has {', '.join(headers)}: "
            "name one with --map COLUMN=title",
            header_row,
            hint=nearest("Task", headers),
        )
        return False
    timed = columns.first("duration") or (columns.first("start") and columns.first("end"))
    if not timed:
        problems.add(
            "no duration column, and no start and end columns to take durations from: "
            f"the header has {', '.join(headers)}; name one with --map COLUMN=duration",
            header_row,
        )
        return False
    return True


def _plan_data(
    book: Workbook,
    layout: Any,
    drafts: list[Draft],
    people: People,
    options: ImportOptions,
    settings: dict[str, Any],
    dates: DateOrder,
    problems: Problems,
    result: ImportResult,
) -> dict[str, Any] | None:
    if not drafts:
        problems.add("no step rows under the header", layout.header_row)
        return None
    has_ids = layout.columns.first("id") is not None
    if not has_ids and any(d.links for d in drafts):
        result.notes.append("predecessor numbers read as sheet row numbers (there is no ID column)")
    references = References()
    references.extra = {str(r.get("id")) for r in aux.table(book.aux.get("readiness"))}
    references.has_readiness = "readiness" in book.aux
    references.audiences = {str(a.get("id")) for a in aux.table(book.aux.get("audiences"))}
    references.templates = {str(t.get("id")) for t in aux.table(book.aux.get("templates"))}
    phases = listed_phases(aux.table(book.aux.get("phases")))
    taken: set[str] = set()
    zone = zone_of(options.timezone or settings.get("timezone"))
    steps = build_steps(drafts, has_ids, people, phases, references, problems, taken, zone)
    good = [d for d in drafts if not d.failed]
    rollback = rollback_data(book, people, phases, references, settings, problems, taken, zone)
    start, end = window_of(drafts, steps, options, settings, zone, dates, problems, result)
    if start is None:
        return None
    data: dict[str, Any] = {
        "format": 1,
        "plan": _plan_info(book, layout, options, settings),
        "window": {"start": start, "end": end},
    }
    for key in ("buffer", "warning"):
        if settings.get(key):
            data["window"][key] = str(settings[key])
    data["people"] = people.table
    if phases:
        data["phase"] = [{"id": pid, "title": title} for pid, title in phases.items()]
    data["step"] = steps
    if rollback is not None:
        data["rollback"] = rollback.data
        result.rollback = rollback
    for section, sheet_name in aux.TABLES:
        rows = aux.table(book.aux.get(sheet_name), dates)
        if rows:
            data[section] = rows
    if references.added:
        data["readiness"] = [
            {"id": rid, "stream": "process", "item": f"{rid} (to be completed)", "owner": owner}
            for rid, owner in references.added.items()
        ]
    pinned = sum(1 for d in good if d.start is not None)
    if pinned:
        result.notes.append(
            f"{pinned} planned start(s) read as 'not before' times: those steps do not start earlier"
        )
    if people.added:
        result.notes.append(f"people to complete (login, roles, phone): {', '.join(people.added)}")
    result.steps = len(steps)
    return data


def _plan_info(
    book: Workbook, layout: Any, options: ImportOptions, settings: dict[str, Any]
) -> dict[str, Any]:
    stem = Path(book.main.file).stem
    title = options.title or text_of(settings.get("title")) or layout.title or stem
    info: dict[str, Any] = {
        "id": options.plan_id or text_of(settings.get("id")) or slug(stem) or "imported",
        "title": title,
        "timezone": options.timezone or text_of(settings.get("timezone")) or "UTC",
    }
    for key in ("launch", "description"):
        if settings.get(key):
            info[key] = text_of(settings[key])
    return info


def _validate(
    data: dict[str, Any],
    drafts: list[Draft],
    problems: Problems,
    result: ImportResult,
    aux_sheets: dict[str, Any],
) -> None:
    """The plan's own checks, each finding put back on the row and column it came from."""
    text = dumps_plan(data)
    try:
        # The data, not its TOML: the same checks without reading 5,000 steps back in
        # (tests load the written text itself).
        loaded = validate_data(data, "<import>")
        findings = loaded.warnings
    except PlanError as exc:
        findings = exc.problems
    rows = {d.id: d for d in drafts}
    rollback = result.rollback
    rollback_rows = {d.id: d for d in rollback.drafts} if rollback else {}
    for finding in findings:
        loc = finding.loc
        found = _step_row(data, loc, rows, rollback_rows)
        if found is not None:
            draft, in_rollback = found
            column = None
            field_at = 3 if in_rollback else 2  # rollback.step[i].key or step[i].key
            if len(loc) > field_at:
                key = str(loc[field_at])
                column = draft.columns.get(_FIELD_OF_KEY.get(key, key))
            if in_rollback and rollback is not None:
                label = column.label if column else None
                where = rollback.sheet.where(draft.row, label)
                problems.add_at(where, finding.message, finding.hint, finding.severity)
            else:
                problems.add(finding.message, draft.row, column, finding.hint, finding.severity)
            continue
        elsewhere = aux.locate(aux_sheets, loc)
        if elsewhere is not None:
            problems.add_at(elsewhere, finding.message, finding.hint, finding.severity)
            continue
        where_key = f"{'.'.join(str(p) for p in loc)}: " if loc else ""
        problems.add(where_key + finding.message, None, None, finding.hint, finding.severity)
    if not problems.errors:
        result.data, result.toml = data, text


def _step_row(
    data: dict[str, Any],
    loc: tuple[str | int, ...],
    rows: dict[str, Draft],
    rollback_rows: dict[str, Draft],
) -> tuple[Draft, bool] | None:
    """The row a finding at `loc` (step[i]... or rollback.step[i]...) came from, if a row."""
    if len(loc) >= 2 and loc[0] == "step" and isinstance(loc[1], int):
        steps, index, pool, in_rollback = data["step"], loc[1], rows, False
    elif len(loc) >= 3 and loc[:2] == ("rollback", "step") and isinstance(loc[2], int):
        steps, index, pool, in_rollback = data["rollback"]["step"], loc[2], rollback_rows, True
    else:
        return None
    if index >= len(steps) or steps[index]["id"] not in pool:
        return None
    return pool[steps[index]["id"]], in_rollback


_FIELD_OF_KEY = {
    "instructions": "notes",
    "not_before": "start",
    "estimate": "low",
    "kind": "kind",
}
assert set(_FIELD_OF_KEY.values()) <= set(ALIASES)

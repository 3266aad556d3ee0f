"""A runbook sheet turned into a plan that validates, or every problem with it in one run.

read (sheet.py) -> lay out (layout.py: header, title, phase headings, merged cells) -> read
each row (rows.py) -> ids, people, phases, predecessors (links.py) -> times and the window ->
the plan's data -> the plan's own validation, its findings put back on the rows they came from.
A row that cannot be imported is named by its row number; none is dropped in silence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..plan.errors import PlanError, nearest
from ..plan.load import validate_data
from ..plan.model import ID_PATTERN
from ..plan.write import dumps_plan
from . import aux
from .columns import ALIASES, Columns, MapError, parse_maps
from .layout import NoTable, lay_out
from .links import References, WaitStep, find_cycle, resolve_links
from .people import People
from .problems import Problems, SheetProblem
from .reading import column_date_order, note_formulas, read_rows, summaries_as_headings
from .rows import Draft
from .sheet import Workbook, read_workbook
from .sniff import ImportRefused
from .timing import settle_durations, window_of
from .values import exact_duration, slug, text_of
from .wire import step_data

_ID = re.compile(ID_PATTERN)


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
    drafts = read_rows(rows, problems, column_date_order(rows))
    settings = aux.plan_settings(book.aux.get("plan"))
    people = People(aux.table(book.aux.get("people")), problems)
    data = _plan_data(book, layout, drafts, people, options, settings, problems, result)
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


def _assign_ids(drafts: list[Draft], problems: Problems) -> set[str]:
    taken: set[str] = set()
    for draft in drafts:
        column = draft.columns.get("id")
        wanted = (draft.id_text or "").strip().lower()
        if wanted and wanted in taken:
            problems.add(f"ID {draft.id_text!r} is used by an earlier row too", draft.row, column)
            draft.failed = True
        if wanted and not _ID.fullmatch(wanted):
            problems.warn(
                f"ID {draft.id_text!r} is not a plan id (lowercase letters, digits, '-'): "
                f"the step is {slug(wanted) or 'row-' + str(draft.row)!r}",
                draft.row,
                column,
            )
        base = (wanted if _ID.fullmatch(wanted) else slug(wanted)) or slug(draft.title)
        base = base or f"row-{draft.row}"
        step_id, n = base, 2
        while step_id in taken:
            step_id, n = f"{base}-{n}", n + 1
        draft.id = step_id
        taken.add(step_id)
    return taken


def _plan_data(
    book: Workbook,
    layout: Any,
    drafts: list[Draft],
    people: People,
    options: ImportOptions,
    settings: dict[str, Any],
    problems: Problems,
    result: ImportResult,
) -> dict[str, Any] | None:
    if not drafts:
        problems.add("no step rows under the header", layout.header_row)
        return None
    taken = _assign_ids(drafts, problems)
    has_ids = layout.columns.first("id") is not None
    after, waits = resolve_links(drafts, has_ids, problems, taken)
    if not has_ids and any(d.links for d in drafts):
        result.notes.append("predecessor numbers read as sheet row numbers (there is no ID column)")
    # A cycle's first row is set aside (and named) so that every other problem is still found.
    find_cycle(drafts, {**after, **{w.id: [w.after] for w in waits}}, problems)
    phases = _phases(drafts, aux.table(book.aux.get("phases")))
    settle_durations(drafts, problems)
    references = References(drafts, has_ids)
    references.extra = {str(r.get("id")) for r in aux.table(book.aux.get("readiness"))}
    references.has_readiness = "readiness" in book.aux
    references.audiences = {str(a.get("id")) for a in aux.table(book.aux.get("audiences"))}
    references.templates = {str(t.get("id")) for t in aux.table(book.aux.get("templates"))}
    good = [d for d in drafts if not d.failed]
    failed_ids = {d.id for d in drafts if d.failed}
    steps = [
        step_data(
            d, people, phases, references, problems, [a for a in after[d.id] if a not in failed_ids]
        )
        for d in good
    ]
    steps = _with_waits(steps, waits, people, phases, problems)
    start, end = window_of(drafts, steps, options, settings, problems, result)
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
    for section, sheet_name in aux.TABLES:
        rows = aux.table(book.aux.get(sheet_name))
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


def _phases(drafts: list[Draft], listed: list[dict[str, Any]]) -> dict[str, str]:
    """Phase id -> title; each draft's phase text becomes its phase id."""
    out: dict[str, str] = {}
    by_text: dict[str, str] = {}
    for item in listed:
        pid, title = str(item.get("id", "")), str(item.get("title", item.get("id", "")))
        if pid:
            out[pid] = title
            by_text[pid.lower()] = by_text[title.lower()] = pid
    for draft in drafts:
        if draft.phase is None:
            continue
        text = draft.phase.strip()
        pid = by_text.get(text.lower()) or slug(text) or "phase"
        out.setdefault(pid, text)
        by_text[text.lower()] = pid
        draft.phase = pid
    return out


def _with_waits(
    steps: list[dict[str, Any]],
    waits: list[WaitStep],
    people: People,
    phases: dict[str, str],
    problems: Problems,
) -> list[dict[str, Any]]:
    """Wait steps placed just before the step that waits for them."""
    by_before: dict[str, list[WaitStep]] = {}
    for wait in waits:
        by_before.setdefault(wait.before.id, []).append(wait)
        problems.warn(
            f"the lag of {exact_duration(wait.lag)} after row {wait.after_row} becomes a wait step "
            f"{wait.id!r} (the plan has no lags)",
            wait.before.row,
            wait.before.columns.get("after"),
        )
    out = []
    for step in steps:
        for wait in by_before.get(step["id"], []):
            item = {
                "id": wait.id,
                "kind": "milestone",
                "title": wait.title,
                "owner": step["owner"],
                "duration": exact_duration(wait.lag),
                "after": [wait.after],
            }
            if "phase" in step:
                item["phase"] = step["phase"]
            out.append(item)
        out.append(step)
    return out


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
    rows = {d.id: d for d in drafts}
    try:
        # The data, not its TOML: the same checks without reading 5,000 steps back in
        # (tests load the written text itself).
        loaded = validate_data(data, "<import>")
        findings = loaded.warnings
    except PlanError as exc:
        findings = exc.problems
    for finding in findings:
        loc = finding.loc
        draft = None
        column = None
        if (
            len(loc) >= 2
            and loc[0] == "step"
            and isinstance(loc[1], int)
            and loc[1] < len(data["step"])
        ):
            step = data["step"][loc[1]]
            draft = rows.get(step["id"])
            if draft is not None and len(loc) >= 3:
                column = draft.columns.get(_FIELD_OF_KEY.get(str(loc[2]), str(loc[2])))
        elsewhere = None if draft else aux.locate(aux_sheets, loc)
        if elsewhere is not None:
            problems.add_at(elsewhere, finding.message, finding.hint, finding.severity)
            continue
        where_key = "" if draft else f"{'.'.join(str(p) for p in loc)}: " if loc else ""
        problems.add(
            where_key + finding.message,
            draft.row if draft else None,
            column,
            finding.hint,
            finding.severity,
        )
    if not problems.errors:
        result.data, result.toml = data, text


_FIELD_OF_KEY = {
    "instructions": "notes",
    "not_before": "start",
    "estimate": "low",
    "kind": "kind",
}
assert set(_FIELD_OF_KEY.values()) <= set(ALIASES)

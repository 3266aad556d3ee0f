"""A plan written as a sheet a planner can edit and import again (`cutover export`).

The steps sheet's columns are names `cutover import` recognises, so plan -> sheet -> plan
gives back every field the sheet holds. A workbook also holds Plan, People, Phases, Risks,
Readiness, Triggers, Audiences, Templates and Rollback sheets; a CSV holds the steps alone
(phases by title, owners by people key, comms steps as tasks). What a CSV does not hold is
named when it is written.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..plan import PlanError, load_plan
from ..plan.model import AnyStep, Checkpoint, Comms, Gate, Plan
from ..plan.probes import not_in_a_sheet
from ..plan.zones import ambiguous
from ..sheet_cells import (
    append_row,
    csv_text,
    row_cells,
    same_file,
    write_sheet_file,
    xlsx_cell,
)
from .values import exact_duration

STEP_COLUMNS = (
    "ID", "Phase", "Task", "Type", "Owner", "Duration", "Predecessors", "Start", "Stream",
    "Notes", "Verification", "On fail", "Criteria", "Approvers", "Accountable", "Consulted",
    "Informed", "Low estimate", "High estimate", "Template", "Audiences", "Auto",
)  # fmt: skip
PEOPLE_COLUMNS = ("key", "name", "user", "roles", "phone", "email", "team", "escalates_to")
RISK_COLUMNS = (
    "id", "risk", "likelihood", "impact", "owner", "mitigation", "steps", "triggers", "status",
)  # fmt: skip


def step_rows(plan: Plan, steps: Sequence[AnyStep] | None = None) -> list[list[Any]]:
    """One row per step, in STEP_COLUMNS order; times on the plan's wall clock."""
    phases = {p.id: p.title for p in plan.phase}
    rows = []
    for step in plan.step if steps is None else steps:
        verify = step.verify if isinstance(step, Checkpoint) else None
        on_fail = step.on_fail if isinstance(step, Checkpoint) else None
        comms = step if isinstance(step, Comms) else None
        criteria = step.criteria if isinstance(step, Gate) else []
        approvers = step.approvers if isinstance(step, Gate) else []
        rows.append(
            [
                step.id,
                phases.get(step.phase or "", step.phase),
                step.title,
                step.kind,
                step.owner,
                exact_duration(step.duration),
                ", ".join(step.after) or None,
                _local(plan, step.not_before),
                step.stream,
                step.instructions,
                verify,
                on_fail,
                ", ".join(criteria) or None,
                ", ".join(approvers) or None,
                step.accountable,
                ", ".join(step.consulted) or None,
                ", ".join(step.informed) or None,
                exact_duration(step.estimate.low) if step.estimate else None,
                exact_duration(step.estimate.high) if step.estimate else None,
                comms.template if comms else None,
                ", ".join(comms.to) if comms else None,
                comms.auto if comms and comms.auto else None,
            ]
        )
    return rows


def _local(plan: Plan, moment: datetime | None) -> datetime | str | None:
    """`moment` on the plan's wall clock, as a sheet's date cell; in the hour a clock change
    repeats, a text with its UTC offset (2026-10-25 01:30+00:00), which `cutover import`
    reads as written: a plain 01:30 is the first of the two, and the second came back an
    hour early (a trigger's time, a window's end, a step's start)."""
    if moment is None:
        return None
    local = moment.astimezone(plan.zone)
    if ambiguous(local):
        return local.isoformat(sep=" ", timespec="seconds" if local.second else "minutes")
    return local.replace(tzinfo=None)


def plan_rows(plan: Plan) -> list[list[Any]]:
    info, window = plan.plan, plan.window
    rows: list[list[Any]] = [
        ["id", info.id],
        ["title", info.title],
        ["timezone", info.timezone],
        ["launch", info.launch],
        ["window start", _local(plan, window.start)],
        ["window end", _local(plan, window.end)],
        ["buffer", f"{window.buffer * 100:g}%"],
        ["warning", exact_duration(window.warning)],
    ]
    if info.description:
        rows.append(["description", info.description])
    if plan.rollback:
        rows.append(["rollback owner", plan.rollback.owner])
        rows.append(["rollback rto", exact_duration(plan.rollback.rto)])
    return rows


def people_rows(plan: Plan) -> list[list[Any]]:
    return [
        [key, p.name, p.user, ", ".join(p.roles) or None, p.phone, p.email, p.team,
         p.escalates_to]
        for key, p in plan.people.items()
    ]  # fmt: skip


def risk_rows(plan: Plan) -> list[list[Any]]:
    return [
        [r.id, r.risk, r.likelihood, r.impact, r.owner, r.mitigation,
         ", ".join(r.steps) or None, ", ".join(r.triggers) or None, r.status]
        for r in plan.risk
    ]  # fmt: skip


def model_rows(plan: Plan, items: Sequence[BaseModel]) -> tuple[tuple[str, ...], list[list[Any]]]:
    """A table of plan items, one column per model field: lists joined with ', ', durations
    and times as the plan writes them. New fields of the model come along by themselves."""
    header = tuple(type(items[0]).model_fields)
    rows = []
    for item in items:
        row = []
        for key in header:
            value = getattr(item, key)
            if isinstance(value, list):
                value = ", ".join(map(str, value)) or None
            elif isinstance(value, timedelta):
                value = exact_duration(value)
            elif isinstance(value, datetime):
                value = _local(plan, value)
            row.append(value)
        rows.append(row)
    return header, rows


def write_csv(plan: Plan, target: Path) -> None:
    with target.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel reads UTF-8
        writer = csv.writer(handle)
        writer.writerow(STEP_COLUMNS)
        for number, row in enumerate(step_rows(plan), start=2):
            where = f"row {number} (step {row[0]!r})"
            writer.writerow(row_cells(where, STEP_COLUMNS, row, _csv_cell))


def _csv_cell(value: Any) -> str:
    """Text safe in a CSV (sheet_cells.csv_text: no control characters, no formula)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    return csv_text(str(value))


def write_xlsx(plan: Plan, target: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)  # streams: a 5,000-step plan stays small in memory
    _sheet(book, "Runbook", STEP_COLUMNS, step_rows(plan))
    _sheet(book, "Plan", ("key", "value"), plan_rows(plan))
    _sheet(book, "People", PEOPLE_COLUMNS, people_rows(plan))
    _sheet(book, "Phases", ("id", "title"), [[p.id, p.title] for p in plan.phase])
    if plan.rollback:
        _sheet(book, "Rollback", STEP_COLUMNS, step_rows(plan, plan.rollback.step))
    if plan.risk:
        _sheet(book, "Risks", RISK_COLUMNS, risk_rows(plan))
    if plan.readiness:
        rows = [[r.id, r.stream, r.item, r.owner] for r in plan.readiness]
        _sheet(book, "Readiness", ("id", "stream", "item", "owner"), rows)
    for title, items in (
        ("Triggers", [t for t in plan.trigger if t.probe is None]),  # probes are not in a sheet
        ("Audiences", plan.audience),
        ("Templates", plan.template),
    ):
        if items:
            header, rows = model_rows(plan, items)
            _sheet(book, title, header, rows)
    book.save(target)


def _sheet(book: Any, title: str, header: tuple[str, ...], rows: list[list[Any]]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet = book.create_sheet(title)
    bold = Font(bold=True)
    heads = []
    for text in header:
        cell = WriteOnlyCell(sheet, text)
        cell.font = bold
        heads.append(cell)
    sheet.append(heads)
    for number, row in enumerate(rows, start=2):
        where = f"sheet {title!r}, row {number} ({header[0]} {row[0]!r})"
        append_row(sheet, where, header, row, lambda value: _cell(sheet, value))


def _cell(sheet: Any, value: Any) -> Any:
    """Text as data, never a formula, and no character a workbook cannot hold (sheet_cells)."""
    if isinstance(value, datetime):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "yyyy-mm-dd hh:mm:ss" if value.second else "yyyy-mm-dd hh:mm"
        return cell
    return xlsx_cell(sheet, value)


def csv_leaves_out(plan: Plan) -> list[str]:
    """What the plan holds that a CSV (steps only) does not; a workbook holds all of it."""
    out = []
    if plan.rollback:
        out.append(f"the rollback ({len(plan.rollback.step)} steps)")
    for name, items in (
        ("risk", plan.risk),
        ("readiness item", plan.readiness),
        ("trigger", plan.trigger),
        ("audience", plan.audience),
        ("template", plan.template),
    ):
        if items:
            out.append(f"{len(items)} {name}{'s' if len(items) != 1 else ''}")
    return out


def export_plan(args: argparse.Namespace) -> int:
    """`cutover export PLAN --xlsx|--csv [--out FILE] [--force]`."""
    suffix = ".xlsx" if args.xlsx else ".csv"
    target = Path(args.out) if args.out else Path(args.plan).with_suffix(suffix)
    if same_file(target, Path(args.plan)):
        print(f"{target}: is the plan being exported; choose another --out", file=sys.stderr)
        return 1
    if target.exists() and not args.force:
        print(f"{target}: already exists; choose another --out or add --force", file=sys.stderr)
        return 1
    try:
        plan = load_plan(args.plan).plan
    except PlanError as exc:
        print(f"{args.plan}: cannot export a plan that does not validate:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    failed = write_sheet_file(
        target, lambda path: (write_xlsx if args.xlsx else write_csv)(plan, path)
    )
    if failed:
        print(failed, file=sys.stderr)
        return 1
    held = f"{len(plan.step)} steps"
    if args.xlsx:
        held += (
            f", {len(plan.people)} people, {len(plan.phase)} phases, {len(plan.risk)} risks, "
            f"{len(plan.readiness)} readiness items, {len(plan.trigger)} triggers, "
            f"{len(plan.audience)} audiences, {len(plan.template)} templates, "
            f"{len(plan.rollback_steps)} rollback steps"
        )
    print(f"wrote {target}: {held}; import it again with: cutover import {target}")
    missing = [] if args.xlsx else csv_leaves_out(plan)
    if missing:
        print(f"  not in a CSV (they stay in {args.plan}; --xlsx holds them): {', '.join(missing)}")
    unsheeted = not_in_a_sheet(plan)
    if unsheeted:  # plan/probes.py: what runs by itself stays in the TOML, where it is reviewed
        print(f"  not in any sheet (they stay in {args.plan}): {', '.join(unsheeted)}")
    return 0

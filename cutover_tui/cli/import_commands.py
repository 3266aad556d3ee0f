"""`cutover import` (a runbook sheet into a plan) and `cutover export` (a plan out as a sheet)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..importers import ImportOptions, ImportResult, import_runbook
from ..sheet_cells import same_file
from .inert_output import say_line
from .options import add_runs_option


def register(subparsers: argparse._SubParsersAction) -> None:
    cmd = subparsers.add_parser(
        "import", help="read a runbook sheet (XLSX or CSV) and write it as a plan"
    )
    cmd.add_argument("file", metavar="FILE", help="the runbook: .xlsx or .csv")
    cmd.add_argument("--sheet", metavar="NAME", help="the worksheet to read (default: the first)")
    cmd.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help="read COLUMN (its header or letter) as FIELD (title, owner, duration, after, "
        "notes, ignore, ...); may be repeated",
    )
    cmd.add_argument("--out", metavar="PLAN.toml", help="where to write (default: FILE.toml)")
    cmd.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    cmd.add_argument(
        "--start",
        metavar="WHEN",
        help="the window's start when the sheet has no dates (2026-12-05T22:00)",
    )
    cmd.add_argument("--timezone", metavar="ZONE", help="the plan's IANA zone (default UTC)")
    cmd.add_argument("--id", dest="plan_id", metavar="ID", help="the plan id (default: from FILE)")
    cmd.add_argument("--title", help="the plan title (default: the sheet's title row)")
    cmd.set_defaults(func=cmd_import)

    export = subparsers.add_parser(
        "export",
        help="write a plan as a sheet to edit and import, or a run's steps, plan against actual",
    )
    export.add_argument("plan", metavar="PLAN_OR_RUN")
    kind = export.add_mutually_exclusive_group(required=True)
    kind.add_argument("--xlsx", action="store_true", help="an Excel workbook")
    kind.add_argument("--csv", action="store_true", help="a CSV of the steps")
    export.add_argument("--out", metavar="FILE", help="where to write (default: PLAN.xlsx/.csv)")
    export.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    add_runs_option(export)  # a RUN is looked up there
    export.set_defaults(func=cmd_export)


def cmd_import(args: argparse.Namespace) -> int:
    source = Path(args.file)
    target = Path(args.out) if args.out else source.with_suffix(".toml")
    if same_file(target, source):
        say_line(f"{target}: is the runbook being imported; choose another --out", sys.stderr)
        return 1
    if target.exists() and not args.force:
        say_line(f"{target}: already exists; choose another --out or add --force", sys.stderr)
        return 1
    try:
        zone = ZoneInfo(args.timezone or "UTC")
        start = datetime.fromisoformat(args.start) if args.start else None
    except (ZoneInfoNotFoundError, ValueError) as exc:
        say_line(
            f"cutover import: {exc}: give --start like 2026-12-05T22:00 and --timezone "
            "like Europe/London",
            sys.stderr,
        )
        return 1
    tomorrow = datetime.now(zone).date() + timedelta(days=1)
    options = ImportOptions(
        sheet=args.sheet,
        maps=args.map,
        start=start.replace(tzinfo=None) if start else None,
        default_start=datetime(tomorrow.year, tomorrow.month, tomorrow.day, 22, 0),
        timezone=args.timezone,
        plan_id=args.plan_id,
        title=args.title,
    )
    result = import_runbook(source, options)
    if result.refused:
        say_line(result.refused, sys.stderr)
        return 1
    report(result, target)
    if not result.ok or result.toml is None:
        return 1
    target.write_text(result.toml, encoding="utf-8")
    return 0


def report(result: ImportResult, target: Path) -> None:
    """What was read, every problem, and what was written (or why nothing was)."""
    errors = [p for p in result.problems if p.severity == "error"]
    warnings = [p for p in result.problems if p.severity == "warning"]
    out = sys.stdout if not errors else sys.stderr
    head = f"{result.source}:"
    if result.header_row is not None:
        head += f" header on row {result.header_row};"
    if errors:
        head += f" {len(errors)} error(s), {len(warnings)} warning(s); nothing written"
    else:
        head += f" {result.steps} steps, {len(warnings)} warning(s)"
    say_line(head, out)
    for note in result.notes:
        say_line(f"  note: {note}", out)
    for problem in result.problems:
        say_line(f"  {problem}", out)
    if result.failed_rows:
        rows = ", ".join(str(r) for r in result.failed_rows)
        say_line(f"  rows that cannot be imported: {rows}", out)
    if result.rollback and result.rollback.failed_rows:
        rows = ", ".join(str(r) for r in result.rollback.failed_rows)
        say_line(f"  Rollback rows that cannot be imported: {rows}", out)
    if not errors:
        say_line(f"wrote {target}; check it with: cutover validate {target}", out)


def cmd_export(args: argparse.Namespace) -> int:
    from ..importers.export import export_plan
    from .report_commands import cmd_export_run, names_a_run

    if names_a_run(args):  # a run's steps, plan against actual (report/export.py)
        return cmd_export_run(args)

    return export_plan(args)

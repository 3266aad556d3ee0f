"""`cutover report RUN` (the blameless review, Markdown and HTML) and `cutover aftercare RUN`
(where each item after the night stands, overdue ones said loudly).

The review is written from the run's journal alone (the plan it carries, its events) with
the plan's other rehearsals beside it; nothing is fetched, nothing is asked of anybody.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine.aftercare_status import due_words, rows, summary
from ..engine.when import moment_near
from ..inert import inert_line
from ..journal.run import run_clock
from ..journal.store import Journal
from .options import add_runs_option, open_run, said_in_one_line

if TYPE_CHECKING:
    from ..locked.client import LockedJournal


def register(subparsers: argparse._SubParsersAction) -> None:
    report = subparsers.add_parser(
        "report", help="write the run's blameless review (Markdown and one HTML file)"
    )
    report.add_argument("run", metavar="RUN")
    report.add_argument("--out", metavar="DIR", default=".", help="where to write (default: .)")
    report.add_argument("--md", action="store_true", help="only the Markdown")
    report.add_argument("--html", action="store_true", help="only the HTML")
    add_runs_option(report)
    report.set_defaults(func=cmd_report)

    after = subparsers.add_parser(
        "aftercare",
        help="after the night: validation, access, handover, runbook, and what is overdue",
    )
    after.add_argument("run", metavar="RUN")
    after.add_argument("--at", help="judge the deadlines at this time (HH:MM or ISO)")
    add_runs_option(after)
    after.set_defaults(func=cmd_aftercare)


@said_in_one_line
def cmd_report(args: argparse.Namespace) -> int:
    from ..report.write import write_review  # matplotlib and jinja2: loaded only to write one
    from .report_calibration import calibration_rows
    from .warroom_commands import rehearsal_prior

    journal = open_run(args)
    if journal is None:
        return 1
    say_if_moved(journal, "report")
    now = run_clock(journal, None).now()
    out = Path(args.out)
    try:  # a folder named for the review, as `-o reviews/tonight` reads, is made
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        print(f"cutover report: {out}: not a directory", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"cutover report: {out}: cannot make it ({exc.strerror})", file=sys.stderr)
        return 1
    both = not (args.md or args.html)
    written = write_review(
        journal.plan,
        journal.events(),
        journal.run_id,
        now,
        out,
        markdown=both or args.md,
        html=both or args.html,
        rehearsals=_rehearsals(journal),
        prior=rehearsal_prior(journal),  # the odds as the war room had them
        calibration=calibration_rows(journal),  # the odds' reliability over the rehearsals
    )
    for path in written:
        print(f"wrote {path}")
    return 0


def _rehearsals(journal) -> list:
    """The plan's counted rehearsals (never this run, never simulations), oldest first."""
    if not isinstance(journal, Journal):
        return []  # locked mode: the service holds the other files
    from ..rehearse.history import history

    return history(journal.path.parent, journal.plan.plan.id, without=journal.run_id).runs


@said_in_one_line
def cmd_aftercare(args: argparse.Namespace) -> int:
    journal = open_run(args)
    if journal is None:
        return 1
    state = journal.state()
    now = run_clock(journal, None).now()
    try:
        at: datetime = moment_near(args.at, journal.plan, now) if args.at is not None else now
    except ValueError as exc:
        print(f"cutover aftercare: {exc}", file=sys.stderr)
        return 2
    said = summary(state, at)
    if said is None:
        print(f"{journal.run_id}: the plan has no [aftercare] part")
        return 0
    print(f"{journal.run_id}: {said[0]}")
    for row in rows(state, at):
        due = due_words(state, row)
        late = "  OVERDUE" if row.overdue else ""
        print(
            f"  {row.area:13} {inert_line(row.id, 24):24} {row.status:9} due {due:>5}  "
            f"{inert_line(row.title)}: {inert_line(row.detail)}{late}"
        )
    return 1 if said[1] else 0


def names_a_run(args: argparse.Namespace) -> bool:
    """`cutover export X`: a run when X is a run file (.db, by path), names a run in the runs
    directory, or names no file and does not look like a plan, else a plan file."""
    name = args.plan
    if name.lower().endswith(".db"):  # a run file, never a plan (open_journal reads the file)
        return True
    if name.endswith((".toml", ".TOML")):
        return False  # a plan, wherever a file of that name is
    from ..journal.run_files import ref_problem

    if ref_problem(name):  # too long for a file's name: the run's reading says so
        return True
    if not Path(name).exists():
        return True
    # A file here named as a run there (anyone who may write /tmp could put a plan of their
    # own under the team's run id): the run's reading refuses the two in one line, as every
    # other command does; it was exported as that plan.
    return "/" not in name and _a_run_there(name, args)


def _a_run_there(name: str, args: argparse.Namespace) -> bool:
    from ..journal.run_files import JournalError, run_in, runs_dir

    try:
        directory = runs_dir(args.runs)
    except JournalError:
        return True  # a bad host config: the run's reading says so in one line
    return run_in(name, directory) is not None


@said_in_one_line
def cmd_export_run(args: argparse.Namespace) -> int:
    from ..report.export import step_table, write_csv, write_xlsx
    from ..sheet_cells import write_sheet_file

    args.run = args.plan
    journal = open_run(args)
    if journal is None:
        return 1
    say_if_moved(journal, "export")
    suffix = ".xlsx" if args.xlsx else ".csv"
    target = Path(args.out) if args.out else Path(f"{journal.run_id}{suffix}")
    clobbered = run_file_at(target, journal)
    if clobbered:  # even with --force: a sheet over the journal loses the night's record
        print(f"{target}: is {clobbered}; choose another --out", file=sys.stderr)
        return 1
    if target.exists() and not args.force:
        print(f"{target}: already exists; choose another --out or add --force", file=sys.stderr)
        return 1
    rows = step_table(journal.plan, journal.events())

    def write(path: Path) -> None:
        if args.xlsx:
            write_xlsx(rows, path, journal.plan.plan.title)
        else:
            write_csv(rows, path)

    failed = write_sheet_file(target, write)  # one line naming the file and cell, no traceback
    if failed:
        print(failed, file=sys.stderr)
        return 1
    print(f"wrote {target}: {len(rows)} steps of {journal.run_id}, plan against actual")
    return 0


def run_file_at(target: Path, journal: Journal | LockedJournal) -> str | None:
    """What of the run writing `target` would overwrite: its journal (by name, hard or
    symbolic link, or a journal's -wal/-shm/-journal beside it) or the plan file it was
    started from; None when nothing. The write renames over `target`'s name."""
    from ..sheet_cells import same_file

    db = Path(journal.path)
    sidecars = {db.with_name(db.name + tail) for tail in ("", "-wal", "-shm", "-journal")}
    # os.path.realpath, not Path.resolve: an --out that is a symlink loop raised
    # RuntimeError out of the command; the write then says what is wrong with it in one line.
    real = {os.path.realpath(p) for p in sidecars}
    if same_file(target, db) or os.path.realpath(target) in real:
        return f"the journal of run {journal.run_id}"
    plan = journal.meta.get("plan_path")
    if plan and same_file(target, Path(plan)):
        return f"the plan file run {journal.run_id} was started from"
    return None


def say_if_moved(journal: Journal | LockedJournal, command: str) -> None:
    """A review or a sheet of a file whose run moved (journal/moved.py) is of the night up to
    the move: said first, on stderr, as `cutover status` says it (it went out as the night's
    whole record, silently stale, while the run went on in PostgreSQL)."""
    from ..inert import inert_line
    from ..journal.moved import moved_line

    line = moved_line(getattr(journal, "db", None))
    if line is not None:
        print(f"cutover {command}: {journal.run_id}: {inert_line(line)}", file=sys.stderr)

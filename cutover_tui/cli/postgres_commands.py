"""Commands for runs in PostgreSQL: `cutover migrate RUN --to postgresql://...` (a run file
copied and verified there: journal.migrate; the run is then named with `--journal URL RUN` on
every command), and `cutover runs` on a PostgreSQL journal (`print_pg_runs`)."""

from __future__ import annotations

import argparse
import shlex
import sys
from datetime import UTC, datetime

from ..inert import inert_line
from ..journal.backend import journal_url
from ..journal.migrate import migrate
from ..journal.store import Journal, JournalError, runs_dir
from ..locked.client import open_journal
from .options import add_runs_option, said_in_one_line


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "migrate",
        help="copy a run file into PostgreSQL, its hash chain intact (verified after the copy)",
        description="The copy keeps every row and hash as it is, is verified as `cutover "
        "verify` does, and must end at the file's head. The file is left as it was.",
    )
    parser.add_argument("run", metavar="RUN")
    parser.add_argument("--to", required=True, metavar="URL", help="postgresql://USER@HOST/DB")
    add_runs_option(parser)
    parser.set_defaults(func=cmd_migrate)


@said_in_one_line
def cmd_migrate(args: argparse.Namespace) -> int:
    try:
        url = journal_url(args.to)
    except JournalError as exc:
        print(f"cutover migrate: {str(exc).replace('--journal', '--to')}", file=sys.stderr)
        return 2
    assert url is not None
    source = open_run_file(args)
    if source is None:
        return 1
    try:
        done = migrate(source, url, datetime.now(UTC))
    except JournalError as exc:
        print(f"cutover migrate: {args.run}: {exc}", file=sys.stderr)
        return 1
    seq, digest = done.head
    print(f"{done.run_id}: {done.events} events copied and verified, head {seq}:{digest[:16]}")
    print(f"  open it with: cutover status --journal {_shown(url)} {done.run_id}")
    return 0


def open_run_file(args: argparse.Namespace) -> Journal | None:
    """The run file named (never a run in PostgreSQL, whatever $CUTOVER_JOURNAL says)."""
    try:
        journal = open_journal(args.run, runs_dir(args.runs))
    except JournalError as exc:
        print(f"cutover migrate: {exc}", file=sys.stderr)
        return None
    if not isinstance(journal, Journal):
        print("cutover migrate: on a locked host the service holds the files", file=sys.stderr)
        return None
    return journal


def _shown(url: str) -> str:
    """The URL as the file's mark keeps it (its connection settings, never its password),
    shell-quoted."""
    from ..journal.postgres import shareable

    return shlex.quote(shareable(url))


def print_pg_runs(url: str) -> int:
    """The runs in the database at `url`, as `cutover runs` lists files (each one guarded:
    a run whose chain, seal or triggers fail is listed as not trusted)."""
    from ..journal.postgres import PgJournal, connect, pg_runs, redact
    from ..journal.trust import guard

    conn = connect(url)
    try:
        names = pg_runs(conn)
    finally:
        conn.close()
    if not names:
        print(f"no runs in {redact(url)} (cutover start PLAN --journal URL makes one)")
        return 0
    print(f"{'run':44} {'mode':9} {'state':34} {'events':>6}  started by")
    for name in names:
        try:
            journal = PgJournal(url, name)
        except JournalError as exc:
            print(inert_line(f"{name:44} {'?':9} UNREADABLE: {exc}"))  # a schema anyone named
            continue
        try:
            info = journal.info()
            trusted = info.phase == "damaged" or guard(journal, remember=False) is None
            summary = info.summary if trusted else "NOT TRUSTED (cutover verify)"
            print(
                f"{info.run_id:44} {info.mode:9} {summary:34} {info.events:>6}  "
                f"{info.created_by} {info.made[0]:%Y-%m-%d %H:%M:%S}Z"
            )
        finally:
            journal.close()
    return 0

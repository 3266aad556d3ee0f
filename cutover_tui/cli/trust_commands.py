"""`cutover verify`, the journal guard every command passes, the head it publishes, and the
runs listing that names what it cannot read (see journal.trust and docs/jump-host.md,
"What the journal proves")."""

from __future__ import annotations

import argparse
import sys

from ..journal.store import Journal, JournalError
from ..journal.trust import UNREADABLE, guard, parse_head, verify_run
from ..locked.client import LockedJournal


def journal_problem(journal: Journal | LockedJournal) -> str | None:
    """Why this run must not be appended to, or None (a locked run: what the service's own
    guard said when it was opened)."""
    if isinstance(journal, LockedJournal):
        return journal.problem
    return guard(journal)


def refused_on_broken(journal: Journal | LockedJournal, command: str, run: str) -> bool:
    """Say loudly, in one line, that the run is not appended to; True when it is broken."""
    problem = journal_problem(journal)
    if problem is None:
        return False
    line = untrusted(problem, run)
    if command == "status" and problem.startswith(UNREADABLE):
        raise JournalError(line)  # status can show nothing more: its one line (said_in_one_line)
    print(f"cutover {command}: {run}: {line}", file=sys.stderr)
    return True


def broken_line(journal: Journal | LockedJournal, command: str, run: str) -> str | None:
    """What refused_on_broken says, as a line to print later (the war room's boot prints it
    once the terminal is given back), or None when the run may be appended to."""
    problem = journal_problem(journal)
    return None if problem is None else f"cutover {command}: {run}: {untrusted(problem, run)}"


def untrusted(problem: str, run: str) -> str:
    return (
        f"JOURNAL NOT TRUSTED, nothing will be recorded on it: {problem} "
        f"(cutover verify {run} says more)"
    )


def head_json(journal: Journal | LockedJournal) -> dict:
    seq, digest = journal.head
    return {"seq": seq, "hash": digest}


def head_text(head: tuple[int, str]) -> str:
    """`SEQ:HASH16`: short enough to note in a log, long enough for `verify --expect`."""
    return f"{head[0]}:{head[1][:16]}"


def add_verify_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--expect",
        metavar="HEAD",
        help="a head recorded earlier (SEQ:HASH as `cutover status` prints it, or the full "
        "hash): say whether the journal still holds it",
    )


def verify(journal: Journal | LockedJournal, expect: str | None) -> int:
    if expect is not None:
        try:
            parse_head(expect)
        except ValueError as exc:
            print(f"cutover verify: {exc}", file=sys.stderr)
            return 2
    if isinstance(journal, LockedJournal):  # a locked host: the service reads the file
        result = journal.verify_run(expect)
    else:
        result = verify_run(journal, expect)
    for note in result.notes:
        print(f"{journal.path}: {note}")
    if result.problems:
        print(f"{journal.path}: {len(result.problems)} problem(s)", file=sys.stderr)
        for problem in result.problems:
            print(f"  {problem}", file=sys.stderr)
        print(f"head {head_text(result.head)} (as the file stands)", file=sys.stderr)
        return 1
    held = f", holds the expected head {expect}" if expect else ""
    print(
        f"{journal.path}: ok, {result.count} events, chain intact, integrity ok, "
        f"{'' if result.notes else 'plan sealed in the chain, '}"
        f"every event allowed by the rules{held}"
    )
    print(f"  last event {result.head[0]}: note it as {head_text(result.head)} for --expect")
    print(f"head {result.head[1]}")
    return 0

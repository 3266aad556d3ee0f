"""`cutover run PLAN` on a run file whose run moved (`cutover migrate`, journal/moved.py):
the run is opened where it went, said in one line, or refused in one line naming the command.

Stop note (2026-12-03): joining by the plan's name opened the stale file, read-only, MOVED on
its status line, and left each operator to find the URL and type it. The URL is the file's
text: the mark is written by `cutover migrate` alone, but anyone who may write the file could
write another. So it is followed only when it is one migrate writes (a user, host, port and
database: no libpq option a file could slip in, no password, no control character) and the
run found there continues this file's own hash chain (migrate copies the rows as they are):
a run of that name elsewhere is not taken for this one. Otherwise nothing is opened, and the
line says why and what to run once the URL is checked.
"""

from __future__ import annotations

import shlex
import sys

from ..inert import inert_line
from ..journal.moved import Moved, moved_of
from ..journal.postgres import PgJournal, is_url, redact
from ..journal.run_files import JournalError
from ..journal.store import Journal


def where_it_went(journal: Journal, said: str) -> Journal | None:
    """The run of `journal`'s file opened where it moved (the file closed), said in one line;
    `journal` itself while its run has not moved; None after a one-line refusal."""
    where = moved_of(journal)
    if where is None:
        return journal
    problem = url_problem(where.url)
    if problem is not None:
        _say(said, journal.run_id, where, f"{problem}; check it with whoever moved the run")
        return None
    command = f"cutover run {journal.run_id} --journal {shlex.quote(where.url)}"
    try:
        there = PgJournal(where.url, journal.run_id)
    except JournalError as exc:
        _say(said, journal.run_id, where, f"{exc}; once it can be reached: {command}")
        return None
    problem = not_its_continuation(journal, there)
    if problem is not None:
        there.close()
        _say(said, journal.run_id, where, f"{problem}; check it with whoever moved the run")
        return None
    journal.close()
    went = f"moved to {where.url} at {where.at} (cutover migrate by {where.by})"
    print(inert_line(f"{said}: {journal.run_id} {went}: opening it there"), file=sys.stderr)
    return there


def url_problem(url: str) -> str | None:
    """Why the file's URL is not one `cutover migrate` writes (redact's form), or None."""
    if not is_url(url) or inert_line(url) != url or redact(url) != url:
        return "its URL is not one cutover migrate writes (user, host, port and database only)"
    return None


def not_its_continuation(journal: Journal, there: Journal) -> str | None:
    """Why the run `there` is not this file's run carried on (its event at the file's head is
    not the file's head event), or None."""
    seq, digest = journal.head
    row = there.db.execute("SELECT hash FROM events WHERE seq = ?", (seq,)).fetchone()
    if row is None or row[0] != digest:
        return f"the run {journal.run_id} there does not carry on this file's journal"
    return None


def _say(said: str, run_id: str, where: Moved, why: str) -> None:
    line = f"{said}: {run_id} moved to {where.url} at {where.at}; not opened there: {why}"
    print(inert_line(line), file=sys.stderr)

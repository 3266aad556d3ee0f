"""`cutover run PLAN` on a run file whose run moved (`cutover migrate`, journal/moved.py):
refused in one line that names the command opening the run where it went.

Stop note (2026-12-03): joining by the plan's name opened the stale file, read-only, MOVED on
its status line, and left each operator to find the URL. Opening the URL itself was tried and
withdrawn the same day: the moved mark is the file's text, outside its hash chain, and in
shared-file mode any group member may write the file. A mark pointed at a server of theirs
(holding a copy of the run, so any check of the chain passes) would have every operator who
joins connect there with their own PostgreSQL credentials ($PGPASSWORD, a client
certificate) and record the night there. So nothing is opened: the line says where the run
went, who moved it and when, and the exact command, for the operator to read and run. A URL
migrate never writes (a libpq option, a password, a control character) gets no command.
"""

from __future__ import annotations

import sys

from ..inert import inert_line
from ..journal.moved import moved_of
from ..journal.store import Journal


def where_it_went(journal: Journal, said: str) -> Journal | None:
    """`journal` itself while its run has not moved; else None after one line saying where it
    went and the command that opens it there (the file is closed)."""
    where = moved_of(journal)
    if where is None:
        return journal
    command = where.command("run", journal.run_id)
    if command is not None:
        then = f"check the URL, then: {command}"
    else:
        then = f"{where.problem()}; check it with whoever moved the run"
    went = f"moved to {where.shown()} at {where.at} (cutover migrate by {where.by})"
    print(inert_line(f"{said}: {journal.run_id} {went}; not opened there: {then}"), file=sys.stderr)
    journal.close()
    return None

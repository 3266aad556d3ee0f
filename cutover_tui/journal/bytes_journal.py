"""A run read from the bytes of one descriptor (journal/run_snapshot.py), as a Journal.

The rehearsal memo (rehearse/rehearsal_record.py) remembers a run's summary under the
identity of the bytes it folded. Folding through `Journal(path)` would open the path again,
and a file swapped in between would have one file's fold remembered under the other's
identity; so the fold reads the very bytes whose identity was taken, from memory. Read only:
nothing is ever appended to it (SQLite's `query_only`).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .run_snapshot import RunBytes
from .store import Journal, JournalError


def journal_of(opened: RunBytes) -> Journal:
    """The run in `opened`'s bytes, read as `Journal(opened.path)` reads the file (its
    JournalError when it is not a run, or its stored plan no longer loads)."""
    db = opened.open_db()
    if db is None:
        raise JournalError(f"{opened.path}: cannot be read as a cutover run")
    try:
        return journal_of_db(opened.path, db)
    except BaseException:
        db.close()
        raise


def journal_of_db(path: Path, db: sqlite3.Connection) -> Journal:
    """The run in `db` (an in-memory copy of the file at `path`) as a Journal; it closes
    `db` when closed."""
    journal = Journal.__new__(Journal)  # Journal.__init__, minus opening the path
    journal._read_run(path, db)
    return journal


__all__ = ["journal_of", "journal_of_db"]

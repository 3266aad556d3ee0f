"""The guard's evidence that a run file was edited, read with SQL alone: the append-only
triggers removed, the conductor's high-water mark above the journal, this user's memory of
heads (journal/seen.py) no longer in it.

Apart from journal/trust.py (which imports pydantic for the rest of `verify`) so that
`cutover do`'s fast path (cli/do_fast.py) asks the very same questions without it.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from . import seen
from .seal import SEALED_TRIGGERS


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    row = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
    return row.fetchone() is not None


def missing_triggers(db: sqlite3.Connection, schema_version: int) -> list[str]:
    """The append-only triggers a sealed run should have and has not (its file was edited)."""
    if schema_version < 2:
        return []
    names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    return sorted(SEALED_TRIGGERS - names)


def high_water_problem(db: sqlite3.Connection) -> str | None:
    try:
        row = db.execute("SELECT seq, hash, at FROM high_water WHERE id = 1").fetchone()
    except sqlite3.OperationalError:
        return None
    if row is None:
        return None
    mark = seen.Seen(row[0], row[1], time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(row[2])))
    problem = seen.against(db, mark)
    return problem and problem.replace("when you last read it", "the conductor saw").replace(
        "the one you read", "the one the conductor saw"
    )


def memory_problem(db: sqlite3.Connection, run_id: str, path: Path) -> str | None:
    """Why the journal no longer holds the head this user last saw of it, or None."""
    known = seen.recall(run_id, path)
    return seen.against(db, known) if known else None

"""Does this connection's log still hold, row by row, what another connection folded?

The boot's worker folds a run on its own connection (journal/fold_ahead.py) and the open on
the UI thread adopts that fold (`Journal.adopt`). Between the two, a group member (shared
mode: the runs directory is 2770) may rewrite or delete a row the worker already read, or put
another file at the path. Checking only the fold's last row let such a run open although the
usual open (the whole log folded, every link checked) refuses it: "hash chain is broken".

So the adopt walks every row from 1 to the fold's last on the adopting connection: each seq
follows the one before, its `prev` is the hash before it (GENESIS for the first), its `hash`
is SHA-256 of `prev + "\\n" + body`, and the last one's hash is the fold's head. Each hash
covers everything before it, so a walk that ends at the fold's head proves these are the very
rows the worker folded (the state is a function of the plan and the bodies). Read and hash
only, no event parsed: about 0.15 s for 32,780 rows (benchmarks/fold_recheck.py).
"""

from __future__ import annotations

import sqlite3
from hashlib import sha256

from .raw_chain import GENESIS

BATCH = 2_000  # rows fetched at a time from one statement (one read snapshot throughout)


def holds_fold(db: sqlite3.Connection, logged: int, head: str) -> bool:
    """True when rows 1..`logged` of `db`'s log chain, link by link, to `head`, and nothing
    else is numbered at or below `logged` (a row numbered 0 or less, a gap, a duplicate)."""
    if logged < 1:
        return False
    # One statement: SQLite reads it in one snapshot, so a write between batches is not seen
    # half. Rows numbered below 1 are read too: the walk must start at 1, exactly.
    cursor = db.execute(
        "SELECT seq, body, prev, hash FROM events WHERE seq <= ? ORDER BY seq", (logged,)
    )
    try:
        return _walk(cursor, logged, head)
    finally:
        cursor.close()


def _walk(cursor: sqlite3.Cursor, logged: int, head: str) -> bool:
    expected, last = 1, GENESIS
    while rows := cursor.fetchmany(BATCH):
        for seq, body, prev, digest in rows:
            if seq != expected or prev != last:
                return False
            if sha256(f"{prev}\n{body}".encode()).hexdigest() != digest:
                return False
            last, expected = digest, expected + 1
    return expected - 1 == logged and last == head


__all__ = ["holds_fold"]

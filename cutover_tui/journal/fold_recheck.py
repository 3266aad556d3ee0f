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

from hashlib import sha256
from typing import Any

from .raw_chain import GENESIS

PAGE = 2_000  # rows read at a time (as journal/raw_chain.py reads them)


def holds_fold(db: Any, logged: int, head: str) -> bool:
    """True when rows 1..`logged` of `db`'s log chain, link by link, to `head`, and nothing
    else is numbered at or below `logged` (a row numbered 0 or less, a duplicate). `db` is a
    SQLite connection or journal/pg_sql.py's PostgreSQL one (the delivery thread adopts
    its conductor's fold through this too, clock/delivery.py): pages, no cursor kept open."""
    if logged < 1:
        return False
    expected, last = 1, GENESIS
    while expected <= logged:
        rows = db.execute(
            "SELECT seq, body, prev, hash FROM events WHERE seq >= ? AND seq <= ? "
            "ORDER BY seq LIMIT ?",
            (expected, logged, PAGE),
        ).fetchall()
        if not rows:
            return False  # a row gone
        for seq, body, prev, digest in rows:
            if seq != expected or prev != last:
                return False
            if sha256(f"{prev}\n{body}".encode()).hexdigest() != digest:
                return False
            last, expected = digest, expected + 1
    if last != head:
        return False
    # Rows numbered below 1 (which no page above reads) or twice: as raw_chain.walk counts.
    return (
        db.execute("SELECT count(*) FROM events WHERE seq <= ?", (logged,)).fetchone()[0] == logged
    )


__all__ = ["holds_fold"]

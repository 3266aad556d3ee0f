"""The hash chain walked over raw rows: every row's link and hash checked by hashing its
stored text, no event parsed (no pydantic), a page at a time.

The same test as `Journal._check_links` (journal/store.py) and `chain()`: each row's seq
follows the one before, its `prev` is the hash of the row before (GENESIS for the first),
and its `hash` is SHA-256 of `prev + "\\n" + body`. Since each hash covers everything before
it, a walk that ends at a head this user's full read once folded proves the rows are those
very rows (`cutover do`'s fast path, cli/do_fast.py, relies on that).
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass

GENESIS = "0" * 64
PAGE = 2_000


@dataclass(frozen=True)
class Walked:
    """Where the walk ended: the last (seq, hash), how many rows, and the first break."""

    seq: int
    head: str
    count: int
    broken: str | None = None


def link(prev: str, body: str) -> str:
    """A row's hash (journal.store.chain)."""
    return hashlib.sha256((prev + "\n" + body).encode()).hexdigest()


def walk(db: sqlite3.Connection) -> Walked:
    """Every row of `events`, in seq order, checked; stops at the first break."""
    head, expected, count = GENESIS, 1, 0
    while True:
        rows = db.execute(
            "SELECT seq, body, prev, hash FROM events WHERE seq >= ? ORDER BY seq LIMIT ?",
            (expected, PAGE),
        ).fetchall()
        for seq, body, prev, digest in rows:
            if seq != expected or prev != head or link(prev, body) != digest:
                why = f"event {seq} does not follow from the one before it"
                return Walked(expected - 1, head, count, why)
            head, expected, count = digest, seq + 1, count + 1
        if len(rows) < PAGE:
            break
    total = db.execute("SELECT count(*) FROM events").fetchone()[0]
    if total != count:  # a row numbered below 1, which no page above reads
        return Walked(expected - 1, head, count, f"{total - count} event(s) out of sequence")
    return Walked(expected - 1, head, count)

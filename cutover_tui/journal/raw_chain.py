"""The hash chain walked over raw rows: every row's link and hash checked by hashing its
stored text, no event parsed (no pydantic), a page at a time.

The same test as `Journal._check_links` (journal/store.py) and `chain()`: each row's seq
follows the one before, its `prev` is the hash of the row before (GENESIS for the first),
and its `hash` is SHA-256 of `prev + "\\n" + body`. Since each hash covers everything before
it, a walk that passes a head this user's full read once folded proves the rows up to it are
those very rows (`cutover do`'s fast path, cli/do_fast.py, relies on that).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from typing import NamedTuple

GENESIS = "0" * 64
PAGE = 2_000
Raw = tuple[str, str, str]  # type, key, body


class Walked(NamedTuple):
    """Where the walk ended (the last seq and hash, how many rows, the first break), the
    hash of the row numbered `mark` (GENESIS for 0, None when there is no such row), and
    the rows after it."""

    seq: int
    head: str
    rows: int
    broken: str | None = None
    at_mark: str | None = None
    since: tuple[Raw, ...] = ()


def link(prev: str, body: str) -> str:
    """A row's hash (journal.store.chain)."""
    return hashlib.sha256((prev + "\n" + body).encode()).hexdigest()


def first_break(
    rows: Iterable[tuple[int, str, str, str]], head: str = GENESIS, last: int = 0
) -> str | None:
    """The first of `rows` (seq, body, prev, hash) that does not follow from the one before
    it (`head`, event `last`, for the first), in words; None when every one does."""
    expected = last + 1
    for seq, body, prev, digest in rows:
        if seq != expected or prev != head or link(prev, body) != digest:
            return f"event {seq} does not follow from the one before it"
        head, expected = digest, seq + 1
    return None


def walk(db: sqlite3.Connection, mark: int = 0) -> Walked:
    """Every row of `events`, in seq order, checked; stops at the first break."""
    head, expected, count = GENESIS, 1, 0
    at_mark = GENESIS if mark == 0 else None
    since: list[Raw] = []
    while True:
        rows = db.execute(
            "SELECT seq, type, key, body, prev, hash FROM events WHERE seq >= ? "
            "ORDER BY seq LIMIT ?",
            (expected, PAGE),
        ).fetchall()
        for seq, kind, key, body, prev, digest in rows:
            if seq != expected or prev != head or link(prev, body) != digest:
                why = f"event {seq} does not follow from the one before it"
                return Walked(expected - 1, head, count, why, at_mark, tuple(since))
            head, expected, count = digest, seq + 1, count + 1
            if seq == mark:
                at_mark = digest
            elif seq > mark:
                since.append((kind, key, body))
        if len(rows) < PAGE:
            break
    total = db.execute("SELECT count(*) FROM events").fetchone()[0]
    if total != count:  # a row numbered below 1, which no page above reads
        why = f"{total - count} event(s) out of sequence"
        return Walked(expected - 1, head, count, why, at_mark, tuple(since))
    return Walked(expected - 1, head, count, None, at_mark, tuple(since))

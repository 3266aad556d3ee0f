"""`cutover verify`'s look at a run's rows: SQLite's integrity check, the seq order, each row's
link to the one before and its hash, and that each body parses (Journal.verify)."""

from __future__ import annotations

import sqlite3

from ..engine.events import parse_event
from .raw_chain import GENESIS
from .raw_chain import link as chain
from .unreachable import JournalUnreachable


def verify_rows(db: sqlite3.Connection) -> tuple[list[str], str, int]:
    """(problems, head hash, event count): the chain, the seq order and SQLite's own check."""
    problems: list[str] = []
    try:
        integrity = db.execute("PRAGMA integrity_check").fetchall()
        rows = db.execute("SELECT seq, key, body, prev, hash FROM events ORDER BY seq").fetchall()
    except JournalUnreachable:
        raise  # an outage, said as one (cannot connect), never called damage
    except sqlite3.DatabaseError as exc:
        return [f"the database is damaged: {exc}"], GENESIS, 0
    if integrity != [("ok",)]:
        problems.extend(f"integrity: {row[0]}" for row in integrity)
    head, count, expected_seq = GENESIS, 0, None
    for seq, key, body, prev, digest in rows:
        count += 1
        if expected_seq is not None and seq != expected_seq:
            problems.append(f"event {seq}: a gap in the sequence after {expected_seq - 1}")
        expected_seq = seq + 1
        if prev != head:
            problems.append(f"event {seq} ({key}): links to {prev[:12]}…, not {head[:12]}…")
        if chain(prev, body) != digest:
            problems.append(f"event {seq} ({key}): its hash does not match its content")
        try:
            parse_event(body)
        except ValueError as exc:
            problems.append(f"event {seq} ({key}): unreadable: {exc}")
        head = digest
    return problems, head, count

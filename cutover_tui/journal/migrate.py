"""`cutover migrate RUN --to postgresql://...`: a run file copied into PostgreSQL, chain intact.

The copy is refused when the run does not verify (a broken chain is not carried anywhere);
the rows go across as they are (seq, key, type, actor, body, prev, hash: nothing is
re-chained, so every published head stays true) with the run's own meta (its seal covers
them), in one transaction; then the copy is verified as `cutover verify` verifies it, and
its head must be the file's head. The file keeps every row, the evidence of the night up to
the move, and takes no more (journal/moved.py): two writers made two diverging journals.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg import sql

from . import moved
from .pg_sql import one_line
from .postgres import PgJournal, origin, redact, shareable
from .sqlite_io import immediate
from .store import Journal, JournalError
from .trust import verify_run


@dataclass(frozen=True)
class Migrated:
    run_id: str
    events: int
    head: tuple[int, str]
    locator: str


def migrate(source: Journal, url: str, now: datetime) -> Migrated:
    """Copy `source` into the database at `url` and mark the file moved (journal/moved.py),
    both in one write transaction on the file, so nothing lands in it between the copy and
    the mark; JournalError, in one line, when it cannot (the file is then left as it was)."""
    already = moved.moved_refusal(source.db)
    if already:  # a second copy elsewhere would be a second writable run of the same night
        raise JournalError(already)
    try:
        with immediate(source.db):
            # The mark first (a file it cannot write fails here, before anything is copied),
            # committed only once the copy is: a failed copy leaves the file as it was.
            moved.mark(source.db, shareable(url), f"{now:%Y-%m-%d %H:%M}Z", origin())
            return _copy(source, url)
    except sqlite3.Error as exc:
        raise JournalError(f"{source.path}: cannot mark the file moved: {exc}") from None


def _copy(source: Journal, url: str) -> Migrated:
    before = verify_run(source)
    if not before.ok:
        raise JournalError(
            f"{source.run_id} does not verify, so it is not copied: {before.problems[0]}"
        )
    rows = source.db.execute(
        "SELECT seq, key, type, actor, body, prev, hash FROM events ORDER BY seq"
    ).fetchall()
    try:  # the conductor's high-water mark travels with the rows (a run made before it: none)
        marks = source.db.execute("SELECT seq, hash, at FROM high_water").fetchall()
    except sqlite3.OperationalError:
        marks = []
    target = PgJournal.create_from_meta(url, dict(source.meta))
    conn = target.db.conn
    schema = sql.Identifier(target.run_id)
    try:
        with conn.transaction():
            with conn.cursor().copy(
                sql.SQL(
                    "COPY {}.events (seq, key, type, actor, body, prev, hash, origin) FROM STDIN"
                ).format(schema)
            ) as copy:
                here = f"migrated by {origin()}"
                for row in rows:
                    copy.write_row((*row, here))
            for seq, digest, at in marks:
                conn.execute(
                    sql.SQL("INSERT INTO {}.high_water VALUES (1, %s, %s, %s)").format(schema),
                    (seq, digest, at),
                )
    except psycopg.Error as exc:
        raise JournalError(f"{redact(url)}: the copy failed: {one_line(exc)}") from None
    copied = PgJournal(url, target.run_id)
    after = verify_run(copied)
    if not after.ok or after.head != before.head or after.count != before.count:
        raise JournalError(
            f"{redact(url)}: the copy of {source.run_id} does not verify as the file does "
            f"({(after.problems or ['its head differs'])[0]})"
        )
    return Migrated(copied.run_id, after.count, after.head, copied.locator)

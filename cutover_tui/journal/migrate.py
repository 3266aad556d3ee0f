"""`cutover migrate RUN --to postgresql://...`: a run file copied into PostgreSQL, chain intact.

The copy is refused when the run does not verify (a broken chain is not carried anywhere);
the rows go across as they are (seq, key, type, actor, body, prev, hash: nothing is
re-chained, so every published head stays true) with the run's own meta (its seal covers
them), in one transaction; then the copy is verified as `cutover verify` verifies it, and
its head must be the file's head. The file is left as it was: it is the evidence of the
night so far, and the team says when the PostgreSQL run becomes the one they use.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import psycopg
from psycopg import sql

from .pg_sql import one_line
from .postgres import PgJournal, origin, redact
from .store import Journal, JournalError
from .trust import verify_run


@dataclass(frozen=True)
class Migrated:
    run_id: str
    events: int
    head: tuple[int, str]
    locator: str


def migrate(source: Journal, url: str) -> Migrated:
    """Copy `source` into the database at `url`; JournalError, in one line, when it cannot."""
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

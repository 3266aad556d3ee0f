"""A psycopg 3 connection with the face `Journal` reads through: `execute(sql, params)` with
SQLite's `?` placeholders, `in_transaction`, and errors that are `sqlite3.DatabaseError`s.

Why an adapter rather than a second copy of the journal: every guarantee the journal gives
(the check and the append in one write transaction, the idempotency key scoped to its author,
the hash chain and its checks, the high-water mark, the lease) is written once, in store.py,
trust.py, seen.py and lease.py, as plain SQL that both engines accept. What differs is said
here, in one place:

- `BEGIN IMMEDIATE` (SQLite: take the write lock before reading) becomes `BEGIN` (READ
  COMMITTED) plus `pg_advisory_xact_lock` on the run's key. Why an advisory lock and not
  SERIALIZABLE: an append reads the whole run (the state it checks against) and then
  inserts, so under SERIALIZABLE two concurrent appends to one run always conflict and one
  fails with a serialization error to be retried; the lock makes the second wait instead,
  exactly as SQLite's write lock does, and READ COMMITTED gives each statement after the lock
  a fresh snapshot, so the check sees every append committed before it. Readers take no
  lock and never wait. The events table's primary key on `seq` is the backstop: a writer
  that bypassed the lock could not insert a second event with the same seq.
- SQLite's PRAGMAs and `sqlite_master` look-ups, as the journal's code spells them, map to
  their PostgreSQL equivalents (`_SAME`); anything else SQLite-only is refused loudly.
- A psycopg error is raised as `PgError`, a `sqlite3.DatabaseError`: every command, the
  conductor and the war room already say a failing database in one line (cli/in_words.py,
  cli/options.py), so a refused connection or a role without INSERT is said the same way.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import psycopg
from psycopg import pq

from .runindex import _UPSERT as INDEX_UPSERT
from .unreachable import JournalUnreachable

# SQLite-only statements the journal's modules run, and what they mean here. PostgreSQL
# checks its own pages (data checksums, WAL); the journal's chain is checked row by row above.
_SAME = {
    "PRAGMA integrity_check": "SELECT 'ok'",
    "PRAGMA quick_check(3)": "SELECT 'ok'",
    "SELECT name FROM sqlite_master WHERE type='trigger'": (
        "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal"
    ),
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?": (
        "SELECT 1 FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_name = %s"
    ),
    # The run's index row (journal.runindex), written with each event: an upsert.
    INDEX_UPSERT: (
        "INSERT INTO run_index VALUES (1, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO "
        "UPDATE SET seq = excluded.seq, hash = excluded.hash, events = excluded.events, "
        "phase = excluded.phase, outcome = excluded.outcome, "
        "steps_done = excluded.steps_done, steps_total = excluded.steps_total"
    ),
}


class PgError(sqlite3.DatabaseError):
    """A PostgreSQL error, said in one line (its first line, with the server's hint)."""


class PgUnreachable(PgError, JournalUnreachable):
    """The server went away or cannot be reached: an outage, never damage to the run."""


def one_line(exc: psycopg.Error) -> str:
    diag = getattr(exc, "diag", None)
    primary = (diag.message_primary if diag else None) or str(exc).strip() or type(exc).__name__
    line = primary.splitlines()[0] if primary.splitlines() else primary
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        line += " (this database role may not do that: ask the DBA which role this host uses)"
    return line


def not_connected(exc: psycopg.Error) -> str:
    """Why a connection could not be made, saying "connection" once: psycopg's "connection
    failed: connection to server at "db", port 5432 failed: Connection refused" is said
    "cannot connect to server at "db", port 5432: Connection refused"."""
    line = re.sub(r"^connection (?:is bad|failed): ", "", one_line(exc))
    to = re.match(r"connection to (server .+?) failed: (.+)$", line)
    return f"cannot connect to {to[1]}: {to[2]}" if to else f"cannot connect: {line}"


class Cursor:
    """The rows of one statement, as sqlite3's cursor gives them."""

    def __init__(self, cursor: psycopg.Cursor[Any] | None, rows: list[tuple] | None = None):
        self._cursor = cursor
        self._rows = rows

    @property
    def description(self) -> Any:
        return self._cursor.description if self._cursor is not None else None

    def fetchone(self) -> tuple | None:
        if self._rows is not None:
            return self._rows.pop(0) if self._rows else None
        return self._cursor.fetchone() if self._cursor is not None else None

    def fetchall(self) -> list[tuple]:
        if self._rows is not None:
            rows, self._rows = self._rows, []
            return rows
        return self._cursor.fetchall() if self._cursor is not None else []

    def __iter__(self) -> Iterator[tuple]:
        return iter(self.fetchall())


class PgConnection:
    """One psycopg connection in autocommit mode (the journal opens its own transactions),
    its search_path set to the run's schema, `lock_key` the run's advisory-lock key.

    A connection lost (the server restarted, a DBA's pg_terminate_backend) is opened again
    by `reopen` at the next statement that is not inside a transaction of ours: a war room
    or a conductor that outlives the outage carries on. A transaction the loss cut short is
    never carried on in a new connection (its lock and what it read are gone): its next
    statements fail in one line until its ROLLBACK, which the server has made already."""

    def __init__(
        self,
        conn: psycopg.Connection[Any],
        lock_key: int,
        reopen: Callable[[], psycopg.Connection[Any]] | None = None,
    ) -> None:
        self.conn = conn
        self.lock_key = lock_key
        self._reopen = reopen
        self._ours = False  # inside a transaction this adapter began (BEGIN ... COMMIT)

    @property
    def in_transaction(self) -> bool:
        if self.conn.broken or self.conn.closed:
            return self._ours  # its ROLLBACK is then a no-op that ends it here
        return self.conn.info.transaction_status != pq.TransactionStatus.IDLE

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        word = sql.split(maxsplit=1)[0].upper() if sql.strip() else ""
        if self.conn.broken or self.conn.closed:
            if word == "ROLLBACK" and self._ours:
                self._ours = False  # the server rolled it back when the connection went
                return Cursor(None, [])
            if self._ours:
                raise PgUnreachable("the connection to PostgreSQL was lost mid-transaction")
            self._connect_again()
        # A cut the client has not noticed yet fails the first statement after it: a read
        # or a BEGIN outside a transaction changed nothing, so it is tried once more anew.
        again = word in ("BEGIN", "SELECT", "PRAGMA") and not self._ours
        try:
            return self._run(sql, params, word)
        except PgError:
            if not (again and self.conn.broken and self._reopen is not None):
                raise
        self._connect_again()
        return self._run(sql, params, word)

    def _run(self, sql: str, params: Sequence[Any], word: str) -> Cursor:
        if word == "BEGIN":
            self._ours = True
        elif word in ("COMMIT", "ROLLBACK"):
            self._ours = False
        try:
            if sql == "BEGIN IMMEDIATE":
                self.conn.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
                self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (self.lock_key,))
                return Cursor(None, [])
            if sql in _SAME:
                return Cursor(self.conn.execute(_SAME[sql], tuple(params)))
            if sql.lstrip().upper().startswith("PRAGMA") or "sqlite_" in sql:
                raise PgError(f"not a PostgreSQL statement: {sql.split()[0:2]}")
            return Cursor(self.conn.execute(sql.replace("?", "%s"), tuple(params)))
        except psycopg.Error as exc:
            if word == "BEGIN" and self.conn.broken:
                self._ours = False  # it never began: nothing of ours to roll back
            raise (PgUnreachable if self.conn.broken else PgError)(one_line(exc)) from None

    def _connect_again(self) -> None:
        """A new connection in place of the lost one, or one line saying why there is none."""
        if self._reopen is None:
            raise PgUnreachable("the connection to PostgreSQL was lost")
        self.conn.close()  # the lost one's socket, if it still holds one
        try:
            self.conn = self._reopen()
        except Exception as exc:  # JournalError (cannot connect) or psycopg's: one line
            line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise PgUnreachable(line) from None

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        try:
            with self.conn.cursor() as cursor:
                cursor.executemany(sql.replace("?", "%s"), [tuple(r) for r in rows])
        except psycopg.Error as exc:
            raise PgError(one_line(exc)) from None

    def close(self) -> None:
        self.conn.close()

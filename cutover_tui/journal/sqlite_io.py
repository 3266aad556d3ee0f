"""How every process opens a run file and takes its write transaction (the same pragmas
for the journal, the listing, the lease and `cutover do`'s fast path, cli/do_fast.py)."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import weakref
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BUSY_TIMEOUT_MS = 15_000

# Files this process holds open through SQLite, by (device, inode), with how many
# connections. POSIX drops every lock a process holds on a file when it closes ANY
# descriptor of it, so a raw read of such a file (journal/run_snapshot.py) would silently
# take SQLite's locks away: another process's SQLite then believes itself the last
# reader, checkpoints and removes the WAL under this one, whose next writes are lost
# (sqlite.org/howtocorrupt.html, 2.2; tests/test_raw_read_locks.py).
_HELD: Counter[tuple[int, int]] = Counter()
# Workers open connections too. Reentrant: a dropped connection's finalizer may run in
# the middle of a raw read on the same thread.
_HELD_LOCK = threading.RLock()


class HeldConnection(sqlite3.Connection):
    """A connection counted in _HELD from before it opens until it is closed or dropped."""

    def __init__(self, database: Any, *args: Any, held: tuple[int, int] | None = None, **kw: Any):
        if held is not None:
            with _HELD_LOCK:
                _HELD[held] += 1
            self._release = weakref.finalize(self, _release, held)
        try:
            super().__init__(database, *args, **kw)
        except BaseException:
            self.close_held()
            raise

    def close(self) -> None:
        super().close()
        self.close_held()

    def close_held(self) -> None:
        release = getattr(self, "_release", None)
        if release is not None:
            release()  # a finalizer runs once: close twice, or close then GC, count once


def _release(held: tuple[int, int]) -> None:
    with _HELD_LOCK:
        _HELD[held] -= 1
        if _HELD[held] <= 0:
            del _HELD[held]


def file_id(path: str | Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


def held_connect(
    path: str | Path, database: str | Path | None = None, **kw: Any
) -> sqlite3.Connection:
    """sqlite3.connect(database or path, **kw), the file at `path` counted as held."""
    return sqlite3.connect(
        path if database is None else database, factory=HeldConnection, held=file_id(path), **kw
    )


# Descriptors opened by a race onto a file held through SQLite: kept, never closed (a
# close would drop SQLite's locks on it); at most one per such race.
_NEVER_CLOSED: list[int] = []


@contextmanager
def raw_descriptor(path: str | Path) -> Iterator[int | None]:
    """A read-only descriptor of the file at `path` (OSError if it cannot be opened), or
    None when this process holds that file through SQLite (see _HELD). No connection of
    this process opens while the descriptor is open."""
    with _HELD_LOCK:
        if file_id(path) in _HELD:
            yield None
            return
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)  # a FIFO never blocks
        try:
            info = os.fstat(fd)
        except OSError:
            os.close(fd)
            raise
        if (info.st_dev, info.st_ino) in _HELD:  # swapped in since the stat
            _NEVER_CLOSED.append(fd)
            yield None
            return
        try:
            yield fd
        finally:
            os.close(fd)


def sqlite_connect(path: Path) -> sqlite3.Connection:
    db = held_connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA foreign_keys = ON")
    return db


WAIT_STEP_MS = 50  # one wait in SQLite's busy handler between two looks at Ctrl-C


@contextmanager
def immediate(db: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, taken before reading: no other writer slips in between."""
    begin_immediate(db)
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:  # a failed COMMIT (disk full, I/O error) too: never left open
            db.execute("ROLLBACK")
        raise


def begin_immediate(db: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, waiting for another writer as long as the connection's busy timeout
    says, but in steps of WAIT_STEP_MS with Python between them: in SQLite's own busy
    handler the wait sleeps in C, so Ctrl-C did nothing until the whole timeout (15 s) had
    passed (tests/test_listing_do_review.py's Ctrl-C took 18 s once under load). Another
    backend's connection (journal/pg_sql.py) is left to itself."""
    if not isinstance(db, sqlite3.Connection):
        db.execute("BEGIN IMMEDIATE")
        return
    (limit_ms,) = db.execute("PRAGMA busy_timeout").fetchone()
    if limit_ms <= WAIT_STEP_MS:
        db.execute("BEGIN IMMEDIATE")
        return
    deadline = time.monotonic() + limit_ms / 1000
    db.execute(f"PRAGMA busy_timeout = {WAIT_STEP_MS}")
    try:
        while True:
            try:
                db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not _busy(exc) or time.monotonic() >= deadline:
                    raise
    finally:
        db.execute(f"PRAGMA busy_timeout = {limit_ms}")


def _busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return (code is not None and code & 0xFF == sqlite3.SQLITE_BUSY) or "locked" in str(exc)

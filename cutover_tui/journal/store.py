"""One run = one SQLite database: the append-only, hash-chained event log every process shares.

Durability and ordering come from SQLite itself: WAL mode, `synchronous=FULL` (an
acknowledged append survives a power cut), and `BEGIN IMMEDIATE` for every append, so the
check of a command against the state folded from the log and the append of its event happen
in one write transaction: two writers can never both succeed at something only one may do.
Triggers refuse UPDATE and DELETE on the events table and on the run's meta. Each row carries
the SHA-256 of the previous row's hash and its own canonical JSON, and the first event seals
the plan and meta (journal.seal), so `cutover verify` (journal.trust) can prove nothing was
altered; every read checks the chain of the rows it folds, and a broken chain is never
appended to.

Followers notice new events with `PRAGMA data_version` (it changes when another connection
commits) and read the rows after the last seq they saw.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine.events import Event
from ..engine.state import RunState, apply, initial_state
from .chain_verify import verify_rows
from .checked_append import CheckedAppend
from .faults import (  # their home; named here too, as callers know them
    FOLD_FAULTS,
    ChainBroken,  # noqa: F401
    Unfoldable,
    unfoldable,
)
from .fold_recheck import holds_fold
from .folding import Fold, fold_log
from .nearest import nearest as _nearest  # noqa: F401  (postgres, run_lookup import it here)
from .raw_chain import GENESIS, first_break
from .raw_chain import link as chain  # noqa: F401  (callers import it here)
from .run_create import (  # their home; named here too, as every caller knows them
    FILE_MODE,
    SCHEMA_VERSION,  # noqa: F401
    create_run_file,
    new_run_meta,  # noqa: F401
)
from .run_files import (  # their home; named here too, as every caller knows them
    READABLE_VERSIONS,  # 1: runs made before (keys unique across the run)
    RUNS_ENV,  # noqa: F401
    JournalError,
    RunInfo,
    Unreadable,  # noqa: F401
    run_id_problem,
    runs_dir,  # noqa: F401
    unreadable,
)
from .run_info import damaged_info, run_info
from .sqlite_io import BUSY_TIMEOUT_MS  # noqa: F401  (its old home: importers may use it)
from .sqlite_io import immediate as _immediate  # noqa: F401  (callers import it here)
from .sqlite_io import sqlite_connect as _connect
from .stored_plan import _stored_plan, stored_plan  # noqa: F401  (tests clear its memo here)
from .stored_rows import parse_rows

if TYPE_CHECKING:
    from ..plan import LoadedPlan


class Journal(CheckedAppend):
    """An open run database. One per process per run; not shared across threads. Its checked
    append is `CheckedAppend`'s (journal/checked_append.py)."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise JournalError(f"{path}: no such run")
        try:
            db = _connect(path)
        except sqlite3.Error as exc:
            raise JournalError(
                f"{path}: {unreadable(path) or f'cannot be read as a cutover run: {exc}'}"
            ) from None
        self._read_run(path, db)

    def _read_run(self, path: Path, db: sqlite3.Connection) -> None:
        """`db` (the file at `path`, or its bytes in memory: journal/bytes_journal.py) read
        as a run: its schema version and meta checked, then `_start_reading`."""
        self.path, self.db = path, db
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version not in READABLE_VERSIONS:
                raise JournalError(f"{path}: not a cutover run (schema version {version})")
            self.meta = dict(db.execute("SELECT key, value FROM meta"))
            self.run_id: str = self.meta["run_id"]
            self.schema_version: int = version
        except sqlite3.Error as exc:
            raise JournalError(
                f"{path}: {unreadable(path) or f'cannot be read as a cutover run: {exc}'}"
            ) from None
        except KeyError:
            raise JournalError(f"{path}: not a cutover run (it has no run id)") from None
        if run_id_problem(self.run_id):
            raise JournalError(f"{path}: {run_id_problem(self.run_id)}")
        self._start_reading()

    def _start_reading(self) -> None:
        """The plan and an empty fold, once `db`, `meta` and `path` are set (a PostgreSQL
        run, journal.postgres, opens its connection its own way and then reads alike)."""
        self.plan, self.shift = stored_plan(self.meta, self.path)
        # The state, the head and the first break in the chain read (journal/folding.py):
        # shared with the connections `reopen` makes on this thread.
        self._fold = Fold(initial_state(self.plan), GENESIS)
        self.followed: tuple[int, str] = (0, GENESIS)  # the last (seq, hash) read_after read
        self.last_written = 0  # the seq of this connection's last append (data_version
        # changes only for other connections' commits: a follower must notice its own too)

    # The fold's parts, by their old names (PostgreSQL's journal reads them too).
    @property
    def _state(self) -> RunState:
        return self._fold.state

    @property
    def _head(self) -> str:
        return self._fold.head

    @_head.setter
    def _head(self, value: str) -> None:
        self._fold.head = value

    @property
    def broken(self) -> str | None:
        """The first break in the chain read on this run by this process (None: none)."""
        return self._fold.broken

    @broken.setter
    def broken(self, value: str | None) -> None:
        self._fold.broken = value

    # -- creating ----------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        directory: Path,
        loaded: LoadedPlan,
        *,
        rehearsal: bool,
        created_by: str,
        shift: timedelta = timedelta(0),
        speed: float = 1.0,
        file_mode: int = FILE_MODE,
    ) -> Journal:
        """A new run of `loaded`, with a copy of the plan text: later edits of the file do
        not change a run under way. `shift` moves the plan's clock times (a rehearsal held
        today on a plan windowed next week); `speed` is the run's clock rate (simulations).
        `file_mode`: the locked-mode service makes its runs 0640, never group-writable even
        for an instant (an fd opened for writing in that instant would outlive a chmod)."""
        return cls(
            create_run_file(
                directory,
                loaded,
                rehearsal=rehearsal,
                created_by=created_by,
                shift=shift,
                speed=speed,
                file_mode=file_mode,
            )
        )

    # -- reading -----------------------------------------------------------------------------
    @property
    def rehearsal(self) -> bool:
        return self.meta.get("mode") == "rehearsal"

    def data_version(self) -> int:
        """Changes whenever another connection commits: the cheap "anything new?" poll."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    def events_after(self, seq: int) -> list[Event]:
        rows = self.db.execute(
            "SELECT seq, body FROM events WHERE seq > ? ORDER BY seq", (seq,)
        ).fetchall()
        return parse_rows(rows)

    def state(self) -> RunState:
        """The state folded from every event committed so far (kept up to date incrementally)."""
        self._catch_up()
        return self._state

    def events(self) -> list[Event]:
        """Every event folded so far, read from the log again (the fold keeps none)."""
        self._catch_up()
        return self.event_page(1, self._fold.logged)

    def state_at(self, seq: int) -> RunState:
        """The state folded from the events up to `seq` (a look back: the links were checked
        when this connection folded them), compactly (journal/folding.py)."""
        self._catch_up()

        def rows(after: int, limit: int) -> list:
            return [
                row for row in self._rows_after(after, min(limit, seq - after)) if row[0] <= seq
            ]

        state = fold_log(self.plan, rows, GENESIS, None)[0]
        return state or initial_state(self.plan)

    def event_page(self, first: int, last: int) -> list[Event]:
        """The events numbered `first` to `last` (inclusive), as stored: a page of the log for
        whoever shows it (journal/pages.py); their links were checked when they were folded."""
        rows = self.db.execute(
            "SELECT seq, body FROM events WHERE seq >= ? AND seq <= ? ORDER BY seq", (first, last)
        ).fetchall()
        return parse_rows(rows)

    def _rows_after(self, seq: int, limit: int) -> list:
        return self.db.execute(
            "SELECT seq, key, type, body, prev, hash FROM events WHERE seq > ? ORDER BY seq "
            "LIMIT ?",
            (seq, limit),
        ).fetchall()

    def _catch_up(self) -> None:
        """Fold what others appended since the cached state (the fold cache: an append never
        refolds from scratch). The first call, on opening, folds the whole log, a page at a
        time, keeping nothing but the state (journal/folding.py)."""
        if not self._fold.logged:
            self._fold_whole()
            return
        rows = self.db.execute(
            "SELECT seq, body, prev, hash FROM events WHERE seq > ? ORDER BY seq",
            (self._state.last_seq,),
        ).fetchall()
        if not rows:
            return
        self._check_links(rows, self._head, self._state.last_seq)
        events = parse_rows([(seq, body) for seq, body, _, _ in rows])
        try:
            for event in events:
                apply(self._state, event)
        except FOLD_FAULTS as exc:  # an event written past the rules (a step nobody has)
            self._unfoldable(exc)
        self._fold.logged = rows[-1][0]
        self._head = rows[-1][3]

    def _fold_whole(self) -> None:
        try:
            state, head, last = fold_log(self.plan, self._rows_after, GENESIS, self._chain_broke)
        except FOLD_FAULTS as exc:
            self._unfoldable(exc)
        if state is None:
            return
        # Into the same object: whoever already holds `state()` sees the run too.
        vars(self._state).update(vars(state))
        self._fold.logged, self._head = last, head

    def _chain_broke(self, why: str) -> None:
        self.broken = self.broken or why

    def _unfoldable(self, exc: Exception) -> None:
        """An event written past the rules (a step nobody has): said, never folded past."""
        seq = unfoldable(self.plan, self.events_after(0))
        self.broken = self.broken or (
            f"event {seq} cannot be folded ({type(exc).__name__}: {exc}): "
            "the rules never let it be written"
        )
        raise Unfoldable(f"{self.path}: {self.broken}") from None

    def read_after(self, seq: int) -> list[Event]:
        """`events_after`, for a follower: each link checked from the row at `seq` on, and a
        journal that no longer holds `seq` (rows deleted since) marked broken, not skipped."""
        rows = self.db.execute(
            "SELECT seq, body, prev, hash FROM events WHERE seq > ? ORDER BY seq", (seq,)
        ).fetchall()
        head = self.still_holds(seq) or GENESIS
        self._check_links(rows, head, seq)
        events = parse_rows([(n, body) for n, body, _, _ in rows])
        if rows:
            self.followed = (rows[-1][0], rows[-1][3])
        return events

    def still_holds(self, seq: int) -> str | None:
        """The hash of event `seq`, read before; when the journal no longer holds it (rows
        deleted since) it is marked broken, not skipped. None for 0 (nothing read yet)."""
        if not seq:
            return None
        row = self.db.execute("SELECT hash FROM events WHERE seq = ?", (seq,)).fetchone()
        if row is None and not self.broken:
            self.broken = f"the journal went backwards: event {seq}, read before, is gone"
        return row[0] if row else None

    def _check_links(self, rows: Sequence[tuple[int, str, str, str]], head: str, last: int) -> None:
        """Each row links to the one before (`head`, event `last` for the first) and hashes to
        what it says: a broken chain is kept in `broken` (shown loudly, never appended to),
        not raised, so it can be read."""
        if not self.broken:
            self.broken = first_break(rows, head, last)

    @property
    def head(self) -> tuple[int, str]:
        """(seq, hash) of the last event folded: what `cutover status` publishes."""
        self._catch_up()
        return self._state.last_seq, self._head

    def reopen(self) -> Journal:
        """Another connection to this run (the conductor's), sharing this one's fold when on
        the same thread: it reads only what is new (journal/folding.py)."""
        other = type(self)(self.path)
        if self._fold.shareable():
            other._fold = self._fold
        return other

    def fold_snapshot(self) -> Fold:
        """A copy of this process's fold of the run, caught up, for a thread of its own to
        `adopt` (the conductor's delivery thread): taken on this connection's thread."""
        self._catch_up()
        return self._fold.snapshot()

    def adopt(self, fold: Fold) -> bool:
        """Continue from `fold` (a snapshot another thread took of this run's fold) instead of
        folding the log from its first event: when this connection's log still holds every
        row it folded, each link checked again up to its head (journal/fold_recheck.py; else
        this connection folds the whole log as usual). True when adopted."""
        if self._fold.logged or not fold.logged:
            return False
        if not fold.broken and not holds_fold(self.db, fold.logged, fold.head):
            return False  # a row changed or gone since that fold: the usual fold says what
        fold.thread = threading.get_ident()
        self._fold = fold
        return True

    @property
    def locator(self) -> str:
        """What names this run to another process (`backend.open_at`): its file's path."""
        return str(self.path)

    # -- checking ----------------------------------------------------------------------------
    def verify(self) -> tuple[list[str], str, int]:
        """(problems, head hash, event count): the chain, the seq order and SQLite's own check."""
        return verify_rows(self.db)

    def info(self) -> RunInfo:
        return run_info(self)

    def _damaged_info(self) -> RunInfo:
        return damaged_info(self)

    def close(self) -> None:
        self.db.close()

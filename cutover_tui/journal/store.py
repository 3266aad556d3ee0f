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

import functools
import os
import re
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine.event_adapters import parse_events_json
from ..engine.events import Event, RunStarted, dump_event, parse_event
from ..engine.state import (
    Refused,
    RunState,
    apply,
    check_rules,
    initial_state,
    permission,
)
from ..plan import PlanError
from ..plan.model import Plan
from ..plan.shift import shift_plan
from . import plan_cache, runindex
from .folding import Fold, fold_log
from .raw_chain import GENESIS, first_break
from .raw_chain import link as chain
from .run_files import (  # their home; named here too, as every caller knows them
    READABLE_VERSIONS,  # 1: runs made before (keys unique across the run)
    RUNS_ENV,  # noqa: F401
    JournalError,
    RunInfo,
    Unreadable,  # noqa: F401
    runs_dir,  # noqa: F401
)
from .seal import EVENT_TRIGGERS, HIGH_WATER, META_TRIGGERS, seal_start
from .sqlite_io import BUSY_TIMEOUT_MS  # noqa: F401  (its old home: importers may use it)
from .sqlite_io import immediate as _immediate
from .sqlite_io import sqlite_connect as _connect

if TYPE_CHECKING:
    from ..plan import LoadedPlan

SCHEMA_VERSION = 2  # 2: keys unique per author, meta sealed, high-water mark
FILE_MODE = 0o660  # the run's group may write (operators); others may not even read
DIR_MODE = 0o2770  # setgid: files made inside belong to the directory's group

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    type TEXT NOT NULL,
    actor TEXT NOT NULL,
    body TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (actor, key)
);
{EVENT_TRIGGERS}
{HIGH_WATER}
CREATE TABLE IF NOT EXISTS lease (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    holder TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    acquired REAL NOT NULL,
    heartbeat REAL NOT NULL
);
PRAGMA user_version = {SCHEMA_VERSION};
"""


def new_run_meta(
    loaded: LoadedPlan, rehearsal: bool, created_by: str, shift: timedelta, speed: float
) -> dict[str, str]:
    """A new run's meta rows, on either backend; `run_id` is the base id (plan id, mode and the
    second it started), which the backend suffixes with -2, -3 when that name is taken."""
    plan = loaded.plan
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return {
        "run_id": f"{plan.plan.id}-{'rehearsal-' if rehearsal else ''}{stamp}",
        "plan_id": plan.plan.id,
        "title": plan.plan.title,
        "plan_path": str(loaded.path),
        "plan_text": loaded.text,
        "mode": "rehearsal" if rehearsal else "live",
        "created_at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "created_by": created_by,
        "shift_s": str(shift.total_seconds()),
        "speed": str(speed),
    }


class Unfoldable(ValueError):
    """The journal holds an event no state can take (written by hand, past the rules)."""


# What `apply` raises on an event the rules would never have let through.
FOLD_FAULTS = (KeyError, AttributeError, TypeError, IndexError)


def unfoldable(plan: Plan, events: Sequence[Event]) -> int:
    """The seq of the first event that cannot be folded (the slow path, on failure only)."""
    state = initial_state(plan)
    for event in events:
        try:
            apply(state, event)
        except FOLD_FAULTS:
            return event.seq
    return events[-1].seq if events else 0


class ChainBroken(sqlite3.DatabaseError):
    """A run whose hash chain does not hold: read and shown, never appended to. A database
    error, so every command and the conductor say it in words as they do a damaged page."""


def stored_plan(meta: Mapping[str, str], path: Path) -> tuple[Plan, timedelta]:
    """A run's plan as its `meta` stores it, moved by its clock shift, and the shift
    (JournalError when the stored text no longer loads); a served run reads it alike."""
    text, shift_s = meta["plan_text"], str(meta.get("shift_s", 0))
    try:
        return _stored_plan(text, shift_s)
    except PlanError as exc:
        why = located(exc, text, path)
        raise JournalError(f"{path}: its stored plan no longer loads: {why}") from None


def located(exc: PlanError, text: str, path: Path) -> PlanError:
    """The problems of a stored plan named by its run file (parsed again: errors only)."""
    from ..plan import parse_plan

    try:
        parse_plan(text, name=f"{path}:plan")
    except PlanError as again:
        return again
    return exc


@functools.lru_cache(maxsize=4)
def _stored_plan(text: str, shift_s: str) -> tuple[Plan, timedelta]:
    # Kept per process: the war room opens a run three times (the trust guard's connection,
    # the conductor's, its delivery thread's), and a 20,000-step plan takes seconds to load.
    # The sealed text cannot change under a run, and nothing edits a loaded Plan. Keyed by
    # the text, not the run: the rehearsal search opens every run of one plan, and one Plan
    # object also means one compact template (engine/compact.py) for all their folds.
    # Across processes: the plan validated (and shifted) from this very text before, by this
    # user (journal/plan_cache.py), else parsed in full and kept for the next command.
    shift = timedelta(seconds=float(shift_s))
    plan = plan_cache.recall(text, shift_s)
    if plan is None:
        from ..plan import parse_plan  # late: a cached plan needs no TOML reader or checks

        plan = shift_plan(parse_plan(text, name="plan").plan, shift)  # PlanError: the caller's
        plan_cache.keep(text, plan, shift_s)
    return plan, shift


class Journal:
    """An open run database. One per process per run; not shared across threads."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise JournalError(f"{path}: no such run")
        try:
            db = _connect(path)
        except sqlite3.Error as exc:
            raise JournalError(f"{path}: cannot be read as a cutover run: {exc}") from None
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
            raise JournalError(f"{path}: cannot be read as a cutover run: {exc}") from None
        except KeyError:
            raise JournalError(f"{path}: not a cutover run (it has no run id)") from None
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
        _make_runs_dir(directory)
        meta = new_run_meta(loaded, rehearsal, created_by, shift, speed)
        base = meta["run_id"]
        meta["run_id"] = ""  # final once the file is claimed under its name
        old_umask = os.umask(0o007)
        # Built whole under a hidden name, then linked to its id's name: a reader never sees a
        # half-made run, and two `cutover start` in the same second get two runs (link fails
        # on an existing name), never one database with two sets of meta.
        building = directory / f".{base}.{os.getpid()}.{uuid.uuid4().hex[:8]}.building"
        try:
            db = _connect(building)
            db.executescript(SCHEMA)
            with _immediate(db):
                db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            db.close()
            run_id, n = base, 1
            while True:
                db = _connect(building)
                with _immediate(db):
                    db.execute("UPDATE meta SET value = ? WHERE key = 'run_id'", (run_id,))
                db.close()  # the last connection: checkpointed, its -wal gone
                path = directory / f"{run_id}.db"
                if _claim(building, path):
                    break
                n += 1
                run_id = f"{base}-{n}"
            db = _connect(path)
            db.executescript(META_TRIGGERS)  # its id is final: from now on meta is sealed
            db.close()
            _chmod(path, file_mode)
        finally:
            os.umask(old_umask)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{building}{suffix}").unlink(missing_ok=True)
        return cls(path)

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

    # -- writing -----------------------------------------------------------------------------
    def append(self, event: Event, *, now: Callable[[], datetime] | None = None) -> Event:
        """Check `event` against the state in the write transaction and append it.

        Returns the stored event (with its seq). Checked in this order: the chain (ChainBroken
        when it does not hold), permission, the idempotency key among its author's own events
        (a repeat returns the stored event; another author's key means nothing here), then
        the rules with `recorded_at` stamped. Raises Refused with the reason when the command
        may not happen now. A RunStarted is sealed with the run's plan and meta.
        """
        if not event.key:
            raise ValueError("an event needs an idempotency key")
        recorded = (now or (lambda: datetime.now(UTC)))()
        with self._fold_follows_the_log(), _immediate(self.db):
            self._catch_up()
            if self.broken:
                raise ChainBroken(
                    f"its hash chain is broken ({self.broken}): nothing more is recorded "
                    "on it; `cutover verify` says how"
                )
            # Permission first, then the key, scoped to its author: nobody claims another's
            # key, and a replay by someone else is checked as their own command.
            reason = permission(self._state, event)
            if reason:
                raise Refused(reason)
            earlier = self._earlier(event)
            if earlier is not None:
                return earlier
            if event.recorded_at is None:  # stamped before the check: the rules judge
                event = event.model_copy(update={"recorded_at": recorded})  # times by it
            reason = check_rules(self._state, event)
            if reason:
                raise Refused(reason)
            if isinstance(event, RunStarted):  # the journal's own words, not the caller's
                sealed = seal_start(self.meta, event)
                if isinstance(sealed, str):
                    raise Refused(sealed)
                event = sealed
            body = dump_event(event)
            digest = chain(self._head, body)
            stored = event.model_copy(update={"seq": self._insert(event, body, digest)})
            before = runindex.closed_before(self._state, stored)
            apply(self._state, stored)  # inside: the index row is written with its event
            runindex.record(self.db, self._state, digest, stored, before)
        self._fold.logged = stored.seq
        self._head = digest
        self.last_written = stored.seq
        return stored

    @contextmanager
    def _fold_follows_the_log(self) -> Iterator[None]:
        """An append whose transaction fails after its event was folded (the index row, a
        failed COMMIT) leaves the state ahead of the log: forget the fold, so the next read
        folds the log again (into the same object, which callers may hold)."""
        try:
            yield
        except BaseException:
            if self._state.last_seq != self._fold.logged:
                vars(self._state).update(vars(initial_state(self.plan)))
                self._fold.logged, self._head = 0, GENESIS
            raise

    def _insert(self, event: Event, body: str, digest: str) -> int:
        """The row of `event`, inside the append's transaction: its seq."""
        cursor = self.db.execute(
            "INSERT INTO events (key, type, actor, body, prev, hash) VALUES (?, ?, ?, ?, ?, ?)",
            (event.key, event.type, event.actor, body, self._head, digest),
        )
        return cursor.lastrowid

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
        folding the log from its first event: when the log still holds its last row, with
        its hash (else this connection folds the whole log as usual). True when adopted."""
        if self._fold.logged or not fold.logged:
            return False
        row = self.db.execute("SELECT hash FROM events WHERE seq = ?", (fold.logged,)).fetchone()
        if row is None or row[0] != fold.head:
            return False
        fold.thread = threading.get_ident()
        self._fold = fold
        return True

    @property
    def locator(self) -> str:
        """What names this run to another process (`backend.open_at`): its file's path."""
        return str(self.path)

    def _earlier(self, event: Event) -> Event | None:
        """The event its author already recorded under this key (an idempotent repeat)."""
        mine = self.db.execute(  # the (actor, key) index
            "SELECT seq, body FROM events WHERE actor = ? AND key = ?", (event.actor, event.key)
        ).fetchall()
        if mine:
            earlier = parse_rows(mine)[0]
            if (earlier.type, earlier.step_id) != (event.type, event.step_id):
                raise Refused(  # a retry repeats its command; another command is not one
                    f"the key {event.key!r} already recorded #{earlier.seq} {earlier.type}"
                    f"{' ' + earlier.step_id if earlier.step_id else ''}: another command "
                    "needs another key"
                )
            return earlier
        if self.schema_version < 2:  # keys were unique across the run then
            taken = self.db.execute(
                "SELECT seq, actor FROM events WHERE key = ?", (event.key,)
            ).fetchone()
            if taken:
                raise Refused(
                    f"the key {event.key!r} is already taken by {self._state.name(taken[1])} "
                    f"(#{taken[0]}) in this run, made before keys were per person: use another"
                )
        return None

    # -- checking ----------------------------------------------------------------------------
    def verify(self) -> tuple[list[str], str, int]:
        """(problems, head hash, event count): the chain, the seq order and SQLite's own check."""
        problems: list[str] = []
        try:
            integrity = self.db.execute("PRAGMA integrity_check").fetchall()
            rows = self.db.execute(
                "SELECT seq, key, body, prev, hash FROM events ORDER BY seq"
            ).fetchall()
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

    def info(self) -> RunInfo:
        try:
            state = self.state()
        except (sqlite3.DatabaseError, ValueError):
            return self._damaged_info()
        if self.broken:
            return self._damaged_info()
        return RunInfo(
            run_id=self.run_id,
            path=self.path,
            plan_id=self.meta["plan_id"],
            title=self.meta["title"],
            mode=self.meta["mode"],
            created_at=self.meta["created_at"],
            created_by=self.meta["created_by"],
            events=state.event_count,
            phase=state.phase,
            outcome=state.outcome,
            speed=float(self.meta.get("speed", 1.0)),
            steps_done=sum(state.status[sid].status in ("done", "skipped") for sid in state.order),
            steps_total=len(state.order),
        )

    def _damaged_info(self) -> RunInfo:
        return RunInfo(
            run_id=self.run_id,
            path=self.path,
            plan_id=self.meta["plan_id"],
            title=self.meta["title"],
            mode=self.meta["mode"],
            created_at=self.meta["created_at"],
            created_by=self.meta["created_by"],
            events=0,
            phase="damaged",
            outcome="cutover verify says how",
            speed=float(self.meta.get("speed", 1.0)),
        )

    def close(self) -> None:
        self.db.close()


def parse_rows(rows: Sequence[tuple[int, str]]) -> list[Event]:
    """Events from (seq, body) rows, each with its seq: one validation call for them all,
    the seq spliced into each body's JSON (dump_event leaves it out), not copied in after."""
    if not rows:
        return []
    events = parse_events_json(  # validators built for the types present only (issue 14)
        "[" + ",".join(f'{{"seq":{seq},{body[1:]}' for seq, body in rows) + "]"
    )
    if any(e.seq != seq for e, (seq, _) in zip(events, rows, strict=True)):
        raise ValueError("an event body carries a seq of its own")  # never written so
    return events


# -- SQLite plumbing ----------------------------------------------------------------------


def _claim(building: Path, path: Path) -> bool:
    """Give the finished database at `building` the name `path`, unless it is taken."""
    try:
        os.link(building, path)  # atomic, and fails on an existing name
        return True
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links: claim the name, then move onto it
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
        except FileExistsError:
            return False
        os.replace(building, path)
        return True


def _make_runs_dir(directory: Path) -> None:
    if not directory.exists():
        old = os.umask(0o007)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        finally:
            os.umask(old)
        _chmod(directory, DIR_MODE)


def _chmod(path: Path, mode: int = FILE_MODE) -> None:
    try:
        if path.exists():
            path.chmod(mode)
    except PermissionError:
        pass  # not ours (a shared runs directory): its owner set the mode


def _nearest(word: str, known: Sequence[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    if match:
        return match[0]
    prefixed = [k for k in known if k.startswith(word) or re.sub(r"-\d.*", "", k) == word]
    return prefixed[-1] if prefixed else None

"""The runs in a directory, listed from each file's index row: no plan parsed, no log folded.

`cutover runs`, `cutover run PLAN` (which run to join) and the rehearsal search read each
run's meta and its index row (journal.runindex). A run whose row does not name its last
event (made before the index, written by an older cutover, edited, empty) is opened and
folded as before, so the listing says the same whatever the files hold; a listing that may
write the file then leaves the row for the next (`backfill`).

The index is never trusted over the chain. What a listing shows as trusted is judged as
`guard` judges it (journal.trust), minus the fold: every row's link and hash walked (the
chain is what says DAMAGED), SQLite's quick check, the seal of plan and meta, the triggers,
the high-water mark and this user's memory of heads. The phase, the outcome and the count
of events shown are checked against the rows the walk proved (`chain_says`): a row edited
to say "ended" of a running run, or "damaged" of a good rehearsal (which the rehearsal
search would skip), disagrees with the log and the run is folded instead. Only the counts
of steps closed come from the index alone, while its (seq, hash) is the chain's head;
`status`, `do`, `run`, `follow` and `verify` fold the log itself and pass the full guard.

A file judged by an earlier `cutover runs` of this user and unchanged since (its identity,
an empty WAL, the user's memory of its head) is listed from that user's record instead of
walked again (journal/listed_record.py, run_snapshot.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import listed_record, run_snapshot, runindex
from .moved import moved_line
from .raw_chain import GENESIS, first_break
from .run_files import (
    READABLE_VERSIONS,
    JournalError,
    RunInfo,
    Unreadable,
    run_files,
    run_id_problem,
    run_names,
)
from .sqlite_io import held_connect, sqlite_connect

if TYPE_CHECKING:
    from .store import Journal
# The store (the fold, the engine, pydantic) and trust are imported where a log is folded:
# a listing from this user's record or each file's index row needs neither (issue 14:
# imports were most of a warm `cutover runs`, and half of a cold one besides the walk).


@dataclass
class RunFile:
    """A run file open for listing: the face trust's checks read (db, meta, version, id)."""

    path: Path
    db: sqlite3.Connection
    meta: dict[str, str]
    schema_version: int
    run_id: str

    def close(self) -> None:
        self.db.close()


def open_run_file(path: Path) -> RunFile | None:
    """The file's meta, or None when it is not plainly a readable run (Journal says why)."""
    try:
        db = sqlite_connect(path)
    except sqlite3.Error:
        return None
    return run_file(path, db)


def run_file(path: Path, db: sqlite3.Connection) -> RunFile | None:
    """`db` (the file at `path`, or its bytes in memory) as a RunFile; None, and `db`
    closed, when it is not plainly a readable run."""
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        meta = dict(db.execute("SELECT key, value FROM meta"))
        plain = meta.get("run_id") and run_id_problem(meta["run_id"]) is None
        if version in READABLE_VERSIONS and plain:  # else Journal says why
            return RunFile(path, db, meta, version, meta["run_id"])
    except sqlite3.Error:
        pass
    db.close()
    return None


def indexed_info(run: RunFile) -> RunInfo | None:
    """The run's info from its index row, or None when the row does not name its head."""
    try:
        row = runindex.read(run.db)
    except sqlite3.Error:
        return None
    if row is None:
        return None
    meta = run.meta
    return RunInfo(
        run_id=run.run_id,
        path=run.path,
        plan_id=meta["plan_id"],
        title=meta["title"],
        mode=meta["mode"],
        created_at=meta["created_at"],
        created_by=meta["created_by"],
        events=row.events,
        phase=row.phase,
        outcome=row.outcome,
        speed=float(meta.get("speed", 1.0)),
        steps_done=row.steps_done,
        steps_total=row.steps_total,
        moved=moved_line(run.db),
    )


def broken_link(db: sqlite3.Connection) -> str | None:
    """The first row that does not follow from the one before it (Journal._check_links
    without parsing a body), or None."""
    rows = db.execute("SELECT seq, body, prev, hash FROM events ORDER BY seq").fetchall()
    return _broken_link(rows)


def walked(db: sqlite3.Connection) -> tuple[str | None, tuple[str, str | None, int]]:
    """`broken_link` and `chain_says` from one read of the rows: a listing reads each log
    once, not a second time for the few bodies that move the phase (issue 14)."""
    rows = db.execute("SELECT seq, body, prev, hash FROM events ORDER BY seq").fetchall()
    broken = _broken_link(rows)
    if broken is not None:
        return broken, ("damaged", None, 0)
    # Every type that moves the phase starts with "r": a cheap filter that keeps at least the
    # bodies _PHASE_ROWS selects; _phase_of reads each one's own type, so the rest change nothing.
    bodies = [body for _, body, _, _ in rows if '"type":"r' in body]
    return None, (*_phase_of(bodies), len(rows))


def _broken_link(rows: list[tuple[int, str, str, str]]) -> str | None:
    # Whole columns compared at once: the walk is most of a listing's time, and
    # comprehensions beat one loop with three tests per row.
    sha256 = hashlib.sha256  # store.chain's own expression, inlined
    hashes = [row[3] for row in rows]
    if (
        [row[0] for row in rows] == list(range(1, len(rows) + 1))
        and [row[2] for row in rows] == [GENESIS, *hashes[:-1]]
        and [sha256(f"{prev}\n{body}".encode()).hexdigest() for _, body, prev, _ in rows] == hashes
    ):
        return None
    return first_break(rows)  # something is wrong: say which row, as the fold would


# The events that move a run's phase (engine.fold), as they are spelled in a stored body
# (compact JSON: a quote inside a string value is escaped, so only a key matches this).
_PHASE_TYPES = ("run-started", "rollback-invoked", "run-ended")
_PHASE_ROWS = (
    "SELECT body FROM events WHERE "
    + " OR ".join(f'instr(body, \'"type":"{kind}"\')' for kind in _PHASE_TYPES)
    + " ORDER BY seq"
)


def chain_says(db: sqlite3.Connection) -> tuple[str, str | None, int]:
    """(phase, outcome, events) from the rows the chain walk just proved, not from the
    index: what a forged row would change in `cutover runs` (a running run shown ended,
    a rehearsal shown damaged and skipped by the search) is checked against the log. The
    few bodies that can move the phase are parsed; no plan is read, nothing is folded."""
    phase, outcome = _phase_of(body for (body,) in db.execute(_PHASE_ROWS))
    (count,) = db.execute("SELECT count(*) FROM events").fetchone()
    return phase, outcome, count


def _phase_of(bodies: Iterable[str]) -> tuple[str, str | None]:
    """(phase, outcome) from the bodies that can move it, in seq order."""
    phase, outcome = "not-started", None
    for body in bodies:
        event = json.loads(body)
        kind = event.get("type")
        if kind == "run-ended":
            phase, outcome = "ended", event.get("outcome")
        elif kind == "rollback-invoked" and phase != "ended":
            phase = "rollback"
        elif kind == "run-started" and phase == "not-started":
            phase = "running"
    return phase, outcome


def damaged(info: RunInfo) -> RunInfo:
    """As Journal._damaged_info says a run whose chain does not hold."""
    return RunInfo(
        run_id=info.run_id,
        path=info.path,
        plan_id=info.plan_id,
        title=info.title,
        mode=info.mode,
        created_at=info.created_at,
        created_by=info.created_by,
        events=0,
        phase="damaged",
        outcome="cutover verify says how",
        speed=info.speed,
        moved=info.moved,
    )


@dataclass(frozen=True)
class Listed:
    """One run file as a listing sees it; `distrusted` when its guard fails."""

    run: RunInfo | Unreadable
    distrusted: bool = False


def list_runs_indexed(directory: Path, *, judge: bool = False) -> list[RunInfo | Unreadable]:
    """`store.list_all_runs`, read from the index where it holds: oldest first, the
    unreadable last. With `judge`, see `listed`."""
    return [item.run for item in listed(directory, judge=judge)]


NOT_A_FILE = "not a regular file (a FIFO or a device named like a run): left unopened"


def listed(directory: Path, *, judge: bool = False, remember: bool = True) -> list[Listed]:
    """Every run file, oldest first, unreadable last, each chain walked (DAMAGED when it
    breaks); with `judge`, the listing guard too, as `cutover runs` checks each run. With
    `remember`, a file unchanged since this user's last judged listing is not walked again
    (journal/listed_record.py); a judged listing keeps what it walked."""
    good: list[Listed] = []
    paths, others = run_names(directory)
    # Named, never opened: a FIFO put here by a group member would hang the open.
    bad = [Listed(Unreadable(path, NOT_A_FILE)) for path in others]
    record = listed_record.open_record(directory, time.time_ns()) if paths and remember else None
    buffer = run_snapshot.ReadBuffer()  # every file read into the same memory, in turn
    try:
        for path in paths:
            item = (
                (record and _from_record(path, judge, record, buffer))
                or _from_index(path, judge)
                or _from_log(path, judge)
            )
            (bad if isinstance(item.run, Unreadable) else good).append(item)
    finally:
        if record is not None and judge:
            record.save()
        elif record is not None:
            record.close()
    good.sort(key=lambda item: item.run.made)  # type: ignore[union-attr]
    return [*good, *bad]


def _from_record(
    path: Path,
    judge: bool,
    record: listed_record.ListedRecord,
    buffer: run_snapshot.ReadBuffer | None = None,
) -> Listed | None:
    """The run as this user's record remembers it while the file is unchanged; else judged
    from the bytes read through one descriptor (into `buffer`), and remembered
    (journal/listed_record.py). None: read it as before (a WAL with frames, a damaged or
    unreadable file)."""
    opened = run_snapshot.open_bytes(path, buffer)
    if opened is None:
        return None
    try:
        hit = record.recall(path.name, opened.key, judged=judge)
        info = hit and listed_record.run_info(hit["info"], path)
        if hit and info:
            return Listed(info, hit["distrusted"])
        db = opened.open_db()
    finally:
        opened.close()
    run = db and run_file(path, db)
    if not run:
        return None
    try:
        item = _judged(run, judge, record)
    finally:
        run.close()
    if item is None or item.run.phase == "damaged":  # the file itself, through SQLite, says
        return None
    if judge:
        fields = listed_record.info_fields(item.run)  # type: ignore[arg-type]
        record.keep(path.name, opened.key, opened.changed_ns, fields, item.distrusted)
    return item


def _from_index(path: Path, judge: bool) -> Listed | None:
    run = open_run_file(path)
    if run is None:
        return None
    try:
        return _judged(run, judge)
    finally:
        run.close()


def _judged(
    run: RunFile, judge: bool, record: listed_record.ListedRecord | None = None
) -> Listed | None:
    """The run from its index row, its chain walked (and with `judge`, its guard), or None
    when the row does not hold (fold the log). The guard reads this user's memory of the
    head through `record` when there is one: the bytes the record keys its entry on."""
    info = indexed_info(run)
    if info is None:
        return None
    try:  # the chain says DAMAGED, as the fold's link check did: never the index
        broken, says = walked(run.db)
        if broken is not None:
            return Listed(damaged(info))
        if says != (info.phase, info.outcome, info.events):
            return None  # a row the chain contradicts (edited by hand): fold the log
    except sqlite3.DatabaseError:
        return Listed(damaged(info))
    if not judge:
        return Listed(info)
    from .listing_trust import listing_guard  # a judged listing only

    if record is None:
        return Listed(info, listing_guard(run) is not None)
    known = record.seen_head(run.run_id, run.path.name)
    return Listed(info, listing_guard(run, known) is not None)


def _from_log(path: Path, judge: bool) -> Listed:
    """The slow way, as before the index: open the run, fold it, guard it."""
    from .store import Journal
    from .trust import guard

    try:
        journal = Journal(path)
    except JournalError as exc:
        return Listed(Unreadable(path, str(exc).removeprefix(f"{path}: ")))
    except (OSError, sqlite3.DatabaseError, KeyError, ValueError) as exc:
        return Listed(Unreadable(path, f"cannot be read: {exc}"))
    try:
        info = journal.info()
        distrusted = judge and info.phase != "damaged" and guard(journal, remember=False)
        if info.phase != "damaged" and not distrusted:
            backfill(journal)
        return Listed(info, bool(distrusted))
    finally:
        journal.close()


def backfill(journal: Journal) -> None:
    """Write the index row of a run just folded without one (made before the index, or last
    appended to by an older cutover), so the next listing reads it. Quietly nothing when
    the file is not ours to write, another writer holds it (a twentieth of a second at most:
    a listing never waits on a night), or the head moved since the fold."""
    seq, head = journal.head
    if not seq or not os.access(journal.path, os.W_OK):
        return
    try:
        db = held_connect(journal.path, isolation_level=None, timeout=0.05)
    except sqlite3.Error:
        return
    try:
        db.execute("BEGIN IMMEDIATE")
        last = db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        if last is not None and tuple(last) == (seq, head):
            runindex.record(db, journal.state(), head)
        db.execute("COMMIT")
    except sqlite3.Error:
        pass
    finally:
        if db.in_transaction:
            db.execute("ROLLBACK")
        db.close()


def run_paths(directory: Path, plan_id: str, mode: str) -> Iterator[Path]:
    """The run files of `plan_id` in `mode` by their meta alone (and any that cannot be
    read that way, for the caller to open and judge): the rehearsal search's first pass."""
    for path in run_files(directory):
        run = open_run_file(path)
        if run is None:
            yield path
            continue
        try:
            if run.meta.get("plan_id") == plan_id and run.meta.get("mode") == mode:
                yield path
        finally:
            run.close()


__all__ = [
    "Listed",
    "RunFile",
    "broken_link",
    "indexed_info",
    "list_runs_indexed",
    "listed",
    "open_run_file",
    "run_paths",
]

"""The counted rehearsals of a plan in brief, for the pace prior: from this user's memo where
a run file is unchanged since it was folded, else folded as `history()` folds it.

`history()` (rehearse/history.py) folds every rehearsal of the plan: the comparison and
calibration read whole states. The prior reads only each counted rehearsal's step actuals
(rehearse/summary.py), which this search keeps per user and per file identity
(rehearse/rehearsal_record.py): opening a run in a folder of 200 runs reads 200 memo
entries and folds only the rehearsals that changed. Which rehearsals count, and in which
order, is decided as `history()` decides it.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from ..journal.bytes_journal import journal_of_db
from ..journal.listing import run_file
from ..journal.moved import moved_to
from ..journal.run_files import run_files
from ..journal.run_lookup import first_of
from ..journal.run_snapshot import ReadBuffer, RunBytes, open_bytes
from ..journal.store import Journal, JournalError
from .history import is_simulated
from .rehearsal_record import RehearsalRecord, open_record
from .summary import RehearsalSummary, from_json, summarize, to_json

MODE = "rehearsal"


def counted_summaries(
    directory: Path, plan_id: str, *, without: str | None = None, remember: bool = True
) -> list[RehearsalSummary]:
    """The rehearsals of `plan_id` in `directory` that `history(...).counted` holds (no
    simulations, none excluded, none damaged; `without` left out), oldest first, in brief."""
    found = [
        s
        for s in all_summaries(directory, plan_id, without=without, remember=remember)
        if not s.excluded and not s.simulated
    ]
    return sorted(found, key=lambda s: s.info.made)


def all_summaries(
    directory: Path, plan_id: str, *, without: str | None = None, remember: bool = True
) -> list[RehearsalSummary]:
    """Every readable, undamaged rehearsal of `plan_id` in `directory`, in brief; `without`
    names a run neither folded nor remembered (the one being opened: a night under way)."""
    paths = run_files(directory)
    if not paths:
        return []
    record = open_record(directory, time.time_ns()) if remember else None
    buffer = ReadBuffer()  # every file read into the same memory, in turn (run_snapshot.py)
    out = []
    for path in paths:
        summary = _summary(path, Wanted(plan_id, without), record, buffer)
        if summary is not None:
            out.append(summary)
    if record is not None:
        record.save()
    return out


@dataclass(frozen=True)
class Wanted:
    """Which runs the search folds: rehearsals of `plan_id`, but not run `without`."""

    plan_id: str
    without: str | None

    def meta(self, meta: dict[str, str]) -> bool:
        return meta.get("plan_id") == self.plan_id and meta.get("mode") == MODE


def _summary(
    path: Path,
    wanted: Wanted,
    record: RehearsalRecord | None,
    buffer: ReadBuffer | None = None,
) -> RehearsalSummary | None:
    opened = open_bytes(path, buffer)
    if opened is None:  # a WAL with frames (a night under way), not a regular file
        return _folded_from_path(path, wanted)
    try:
        entry = record.recall(path.name, opened.key) if record is not None else None
        if entry is not None:
            if not wanted.meta(entry) or entry.get("damaged") or entry.get("moved"):
                return None
            summary = from_json(entry.get("summary"), path)
            if summary is not None:  # else an entry of the wrong shape: folded again
                return None if summary.run_id == wanted.without else summary
        return _folded_from_bytes(opened, wanted, record)
    finally:
        opened.close()


def _folded_from_bytes(
    opened: RunBytes, wanted: Wanted, record: RehearsalRecord | None
) -> RehearsalSummary | None:
    """Fold the bytes read through the descriptor (never the path again), and remember."""
    db = opened.open_db()
    if db is None:  # bytes voided (or not taken): read through SQLite, as `cutover runs` does
        return _folded_from_path(opened.path, wanted)
    run = run_file(opened.path, db)
    if not run:
        return None  # not plainly a run: history() leaves it out as unreadable
    meta = {"plan_id": run.meta.get("plan_id", ""), "mode": run.meta.get("mode", "")}
    if run.run_id == wanted.without:
        run.close()
        return None
    if not wanted.meta(meta):
        run.close()
        entry: dict = meta
        summary = None
    elif _moved(run.db):  # history() leaves a moved rehearsal out: so here
        run.close()
        entry, summary = {**meta, "moved": True}, None
    else:
        try:
            journal = journal_of_db(opened.path, run.db)
        except (JournalError, sqlite3.Error):
            run.close()
            return None  # unreadable, or its stored plan no longer loads: not remembered
        summary = _folded(journal)
        entry = {**meta, "summary": to_json(summary)} if summary else {**meta, "damaged": True}
    if record is not None:
        record.keep(opened.path.name, opened.key, opened.changed_ns, entry)
    return summary


def _folded_from_path(path: Path, wanted: Wanted) -> RehearsalSummary | None:
    """As history() opens a file it cannot read whole: through SQLite, never remembered."""
    try:
        journal = Journal(path)
    except (JournalError, OSError, sqlite3.DatabaseError, KeyError, ValueError):
        return None
    if not wanted.meta(journal.meta) or journal.run_id == wanted.without or _moved(journal.db):
        journal.close()
        return None
    return _folded(journal)


def _folded(journal: Journal) -> RehearsalSummary | None:
    """The summary of an open rehearsal (closed here), or None when it is damaged."""
    try:
        info = journal.info()
        if info.phase == "damaged":
            return None
        state = journal.state()
        started = first_of(journal, "run-started")
    finally:
        journal.close()
    return summarize(info, state, is_simulated(info, state, started))


def _moved(db: object) -> bool:
    """Has the run moved from this file (journal/moved.py)? A mark that cannot be read counts:
    history() leaves such a file out as damaged."""
    try:
        return moved_to(db) is not None
    except sqlite3.DatabaseError:
        return True


__all__ = ["all_summaries", "counted_summaries"]

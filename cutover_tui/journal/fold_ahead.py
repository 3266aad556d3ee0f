"""A run's log folded ahead of its open, on a thread of its own (issue 14).

The war room opens its run on the UI thread: the run's SQLite connections serve the thread
that opened them. Folding the log there (its rows read, every link checked, the events that
change the state parsed and applied) stalled the sketch's clock and its keys for 0.8-2 s at
20,000 steps. So the boot's worker folds first, with its OWN connection (a `Journal`, opened
and closed in the worker, counted as held like every run-file connection:
journal/sqlite_io.py), and leaves the fold here, found by the file's identity and run id.
The open on the UI thread then takes it (`adopt_folded`): `Journal.adopt` walks every row of
its own connection's log from 1 to the fold's last again, each link hashed, and keeps the fold
only when that walk ends at the fold's head (journal/fold_recheck.py): whatever file the
connection opened, its rows are then the very rows folded. The identity only finds the fold;
the walk is the guarantee. The journal's incremental catch-up (`_catch_up`) then folds, links
checked from that hash, only the rows appended since. Nothing is folded twice, nothing
is missed, and a break in the chain the worker saw is kept (`Fold.broken`): the trust guard
still refuses the run.

Anything wrong in the worker (a file gone, damaged, busy, an event that cannot be folded) is
left to the open, which folds the whole log and says what is wrong in its own words.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from ..plan.gc_pause import gc_paused
from .folding import Fold
from .sqlite_io import file_id, held_connect
from .store import Journal, JournalError

# What a worker folded (its run id, the fold), by (device, inode): taken once by the open on
# the UI thread, which checks it again row by row (Journal.adopt).
_AHEAD: dict[tuple[int, int], tuple[str, Fold]] = {}
_LOCK = threading.Lock()

# A file busy when the worker reads it is left to the open: waiting the journal's usual
# 15 s here delayed the war room by that.
BUSY_MS = 200


def fold_ahead(path: Path) -> Fold | None:
    """In a worker: the run at `path` folded on a connection opened and closed here, and
    left for `adopt_folded`. None when it cannot be (the open says why, in its words)."""
    key = file_id(path)
    if key is None:
        return None
    try:
        journal = _open_briefly(path)
    except Exception:
        return None
    try:
        # The whole log, a page at a time, every link checked. With the cyclic collector
        # paused (plan/gc_pause.py): its full passes over the war room's heap, woken by the
        # fold's allocations, held the GIL for 0.2-0.7 s at a time, the UI thread's stalls.
        with gc_paused():
            journal.state()
        fold = journal._fold  # this connection's own: nobody else holds it once it closes
    except Exception:
        return None
    finally:
        journal.close()
    if not fold.logged or file_id(path) != key:  # an empty log, or a file swapped meanwhile
        return None
    with _LOCK:
        _AHEAD[key] = (journal.run_id, fold)
    return fold


def _open_briefly(path: Path) -> Journal:
    """The run at `path` as a Journal whose connection waits at most BUSY_MS for a lock (it
    only reads: no journal-mode or sync pragmas, which the open on the UI thread sets)."""
    try:
        db = held_connect(path, isolation_level=None, timeout=BUSY_MS / 1000)
        db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
    except sqlite3.Error as exc:
        raise JournalError(f"{path}: {exc}") from None
    journal = Journal.__new__(Journal)
    try:
        journal._read_run(path, db)  # as Journal(path), on this connection
    except BaseException:
        db.close()
        raise
    return journal


def adopt_folded(journal: object) -> bool:
    """On the thread that opens the run: continue from the fold a worker left for this file,
    when there is one for the same run and plan and the log still holds every row it folded
    (else the journal folds the whole log as usual). True when adopted. Taken once either way."""
    if not isinstance(journal, Journal):
        return False  # PostgreSQL, or through the locked service: no worker folds those
    key = file_id(journal.path)
    with _LOCK:
        ahead = _AHEAD.pop(key, None) if key is not None else None
    return ahead is not None and adopt_same_run(journal, *ahead)


def adopt_same_run(journal: Journal, run_id: str, fold: Fold) -> bool:
    """`journal.adopt(fold)`, a fold another connection made of run `run_id`, when `journal`
    is that run with the very plan the fold was made with. True when adopted."""
    if journal.run_id != run_id:
        return False  # another run at this path meanwhile: fold it anew
    if fold.state.plan is not journal.plan:
        return False  # a plan parsed again (the stored plan's cache missed): fold it anew
    return journal.adopt(fold)  # every row it folded checked again, on this connection


def forget_folded() -> None:
    """Drop every fold left here (tests; a process that opens nothing after its worker)."""
    with _LOCK:
        _AHEAD.clear()


__all__ = ["adopt_folded", "adopt_same_run", "fold_ahead", "forget_folded"]

"""A run's log folded ahead of its open, on a thread of its own (issue 14).

The war room opens its run on the UI thread: the run's SQLite connections serve the thread
that opened them. Folding the log there (its rows read, every link checked, the events that
change the state parsed and applied) stalled the sketch's clock and its keys for 0.8-2 s at
20,000 steps. So the boot's worker folds first, with its OWN connection (a `Journal`, opened
and closed in the worker, counted as held like every run-file connection:
journal/sqlite_io.py), and leaves the fold here, keyed by the file's identity. The open on
the UI thread then takes it (`adopt_folded`): `Journal.adopt` checks that the log still holds
the fold's last row with its hash, and the journal's incremental catch-up (`_catch_up`) folds,
links checked from that hash, only the rows appended since. Nothing is folded twice, nothing
is missed, and a break in the chain the worker saw is kept (`Fold.broken`): the trust guard
still refuses the run.

Anything wrong in the worker (a file gone, damaged, busy, an event that cannot be folded) is
left to the open, which folds the whole log and says what is wrong in its own words.
"""

from __future__ import annotations

import threading
from pathlib import Path

from ..plan.gc_pause import gc_paused
from .folding import Fold
from .sqlite_io import file_id
from .store import Journal

# What a worker folded, by (device, inode): taken once by the open on the UI thread.
_AHEAD: dict[tuple[int, int], Fold] = {}
_LOCK = threading.Lock()


def fold_ahead(path: Path) -> Fold | None:
    """In a worker: the run at `path` folded on a connection opened and closed here, and
    left for `adopt_folded`. None when it cannot be (the open says why, in its words)."""
    key = file_id(path)
    if key is None:
        return None
    try:
        journal = Journal(path)
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
        _AHEAD[key] = fold
    return fold


def adopt_folded(journal: object) -> bool:
    """On the thread that opens the run: continue from the fold a worker left for this file,
    when there is one for the same plan and the log still holds its last row (else the
    journal folds the whole log as usual). True when adopted. Taken once either way."""
    if not isinstance(journal, Journal):
        return False  # PostgreSQL, or through the locked service: no worker folds those
    key = file_id(journal.path)
    with _LOCK:
        fold = _AHEAD.pop(key, None) if key is not None else None
    if fold is None or fold.state.plan is not journal.plan:
        return False  # a plan parsed again (the stored plan's cache missed): fold it anew
    return journal.adopt(fold)


def forget_folded() -> None:
    """Drop every fold left here (tests; a process that opens nothing after its worker)."""
    with _LOCK:
        _AHEAD.clear()


__all__ = ["adopt_folded", "fold_ahead", "forget_folded"]

"""Each run's own index row: where the run stands, kept in its file as each event is written.

`cutover runs` and the rehearsal search used to parse every stored plan and fold every log
in the runs directory (18 s for 200 runs, issue 14). Each run file now holds one row,
`run_index`, written in the same write transaction as the event it describes (Journal.append),
so a crash can never leave it describing an event that is not there, nor miss one that is.

A cache, never a source of truth. The row names the event it describes by (seq, hash); a
reader uses it only while that is still the journal's last row. Anything else, and the reader
folds the log as before: a run made before the index (no table), a run appended to by an
older cutover (the row left behind), a row edited by hand (it no longer names the head),
an empty run (no row yet). Who may trust what is in journal/listing.py and
docs/jump-host.md ("The index of runs").
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the writer's side only: a listing reads rows without the engine
    from ..engine.events import Event
    from ..engine.runstate import RunState

INDEX_SCHEMA = """
CREATE TABLE IF NOT EXISTS run_index (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    events INTEGER NOT NULL,
    phase TEXT NOT NULL,
    outcome TEXT,
    steps_done INTEGER NOT NULL,
    steps_total INTEGER NOT NULL
)
"""
_UPSERT = "INSERT OR REPLACE INTO run_index VALUES (1, ?, ?, ?, ?, ?, ?, ?)"
_READ = (
    "SELECT seq, hash, events, phase, outcome, steps_done, steps_total FROM run_index WHERE id = 1"
)


@dataclass(frozen=True)
class IndexRow:
    """Where the run stood after event `seq` (whose hash is `hash`)."""

    seq: int
    hash: str
    events: int
    phase: str
    outcome: str | None
    steps_done: int
    steps_total: int


CLOSED = ("done", "skipped")


def steps_closed(state: RunState) -> int:
    """Plan steps done or skipped: what `cutover runs` counts as closed."""
    status = state.status
    return sum(status[sid].status in CLOSED for sid in state.order)


def closed_before(state: RunState, event: Event) -> bool | None:
    """Before `event` is folded: whether its own step is closed (None: not a one-step event,
    or not a plan step), for record() to move the count by that step alone."""
    # The events that change their own step's state and no other's (engine.fold's own
    # list): for these the count of closed steps moves by that step alone. Any other event,
    # and the count is made again over every step (a few ms at 20,000 steps, rare events).
    from ..engine.fold import CHANGES_A_STEP as ONE_STEP  # late: see TYPE_CHECKING above

    sid = getattr(event, "step", None)
    if event.type not in ONE_STEP or sid not in state.steps or sid not in state.status:
        return None
    if state.steps[sid].rollback:
        return None
    return state.status[sid].status in CLOSED


def record(
    db: sqlite3.Connection,
    state: RunState,
    head: str,
    event: Event | None = None,
    before: bool | None = None,
) -> None:
    """Inside the append's write transaction: the row for `state`, whose last event has
    hash `head`. With the folded `event` and its step's `closed_before`, the count moves by
    that step from the row of the event before, when the row is that one's; otherwise every
    step is counted. The table is made on first use, so a run made before it gains one."""
    done = None
    if event is not None and before is not None:
        previous = _row(db)
        if previous is not None and previous.seq == event.seq - 1:
            done = moved_by_one(previous.steps_done, state, event, before)
    row = (
        state.last_seq,
        head,
        state.event_count,
        state.phase,
        state.outcome,
        steps_closed(state) if done is None else done,
        len(state.order),
    )
    try:
        db.execute(_UPSERT, row)
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise
        db.execute(INDEX_SCHEMA)
        db.execute(_UPSERT, row)


def moved_by_one(done: int, state: RunState, event: Event, before: bool) -> int:
    """The count of closed steps after a one-step `event` (folded into `state`), from the
    count `done` before it and its step's `closed_before` (also journal/do_moves.py's)."""
    after = state.status[event.step].status in CLOSED  # type: ignore[union-attr]
    return done + int(after) - int(before)


def _row(db: sqlite3.Connection) -> IndexRow | None:
    try:
        found = db.execute(_READ).fetchone()
    except sqlite3.OperationalError:
        return None  # no table yet
    return IndexRow(*found) if found else None


def read(db: sqlite3.Connection) -> IndexRow | None:
    """The index row if it describes the journal's last event, else None (fold instead)."""
    try:
        found = db.execute(_READ).fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None  # made before the index, and nothing appended since
        raise
    if found is None:
        return None
    row = IndexRow(*found)
    head = db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    return row if head is not None and (row.seq, row.hash) == tuple(head) else None


__all__ = [
    "INDEX_SCHEMA",
    "IndexRow",
    "closed_before",
    "read",
    "record",
    "steps_closed",
]

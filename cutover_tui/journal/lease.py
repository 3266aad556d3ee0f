"""The conductor lease: one row in the run database saying which process conducts.

The holder renews its heartbeat every second; a lease whose heartbeat is older than
`LEASE_EXPIRY` may be taken by any other process, in a write transaction, so two processes
can never both believe they hold it. Each renewal also raises the run's high-water mark to
the last event there is (journal.trust): rows deleted below it later are named by verify.
"""

from __future__ import annotations

import os
import socket

from .store import Journal, _immediate
from .trust import record_high_water

HEARTBEAT_S = 1.0
LEASE_EXPIRY_S = 3.0


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def acquire_or_renew(
    journal: Journal, holder: str, now: float, expiry_s: float = LEASE_EXPIRY_S
) -> bool:
    """Take the lease if it is free or expired, renew it if ours. True when we hold it."""
    db = journal.db
    # A live lease held by another is seen without the write lock: a room full of war rooms
    # each asking every second never queues behind (or ahead of) the commander's commands.
    row = db.execute("SELECT holder, heartbeat FROM lease WHERE id = 1").fetchone()
    if row is not None and row[0] != holder and now - row[1] <= expiry_s:
        return False
    with _immediate(db):  # then decided again under the lock: two can never both take it
        row = db.execute("SELECT holder, heartbeat FROM lease WHERE id = 1").fetchone()
        if row is None:
            db.execute(
                "INSERT INTO lease VALUES (1, ?, ?, ?, ?, ?)",
                (holder, os.getpid(), socket.gethostname(), now, now),
            )
        elif row[0] == holder:
            db.execute("UPDATE lease SET heartbeat = ? WHERE id = 1", (now,))
        elif now - row[1] > expiry_s:
            db.execute(
                "UPDATE lease SET holder = ?, pid = ?, host = ?, acquired = ?, heartbeat = ? "
                "WHERE id = 1",
                (holder, os.getpid(), socket.gethostname(), now, now),
            )
        else:
            return False
        record_high_water(db, now)
        return True


def release(journal: Journal, holder: str) -> None:
    with _immediate(journal.db):
        journal.db.execute("DELETE FROM lease WHERE id = 1 AND holder = ?", (holder,))


def lease_status(journal: Journal, now: float) -> str:
    """A few words for the status bar: who conducts and how fresh its heartbeat is."""
    row = journal.db.execute("SELECT holder, pid, heartbeat FROM lease WHERE id = 1").fetchone()
    if row is None:
        return "none: derived alerts are not being recorded"
    holder, pid, heartbeat = row
    age = now - heartbeat
    if age > LEASE_EXPIRY_S:
        return f"STALE: pid {pid} silent for {age:.0f}s"
    mine = "this process" if holder == holder_id() else f"pid {pid}"
    late = f", {age:.0f}s ago" if age >= 3 else ""  # a steady line when all is well
    return f"ok: {mine}{late}"

"""The conductor lease: one row in the run database saying which process conducts.

The holder renews its heartbeat every second; a lease whose heartbeat is older than
`LEASE_EXPIRY` may be taken by any other process, in a write transaction, so two processes
can never both believe they hold it. Each renewal also raises the run's high-water mark to
the last event there is (journal.trust): rows deleted below it later are named by verify.

One exception to "first come, first served": a conductor that runs the run's checks (only the
starter's OS login may: clock/checking.py) takes a live lease from one that runs none, in the
same write transaction, so an operator's war room opened first no longer keeps the night's
checks and probes from running. The holder text says which kind holds (`CHECKS_MARK` at its
end: the same column in SQLite and PostgreSQL, old run files unchanged); the old holder sees
on its next renewal that the lease is gone and stops conducting. Never the other way round.
"""

from __future__ import annotations

import math
import os
import socket
from dataclasses import dataclass
from typing import Literal

from .store import Journal, _immediate
from .trust import record_high_water

HEARTBEAT_S = 1.0
LEASE_EXPIRY_S = 3.0
CHECKS_MARK = "#checks"  # ends the holder text of a conductor that runs the run's checks


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def holder_text(holder: str, runs_checks: bool) -> str:
    """What the lease row's holder column says: the holder, marked when it runs checks."""
    return holder + CHECKS_MARK if runs_checks else holder


def holder_of(text: str) -> str:
    """The holder a lease row names, without its mark."""
    return text.removesuffix(CHECKS_MARK)


Decision = Literal["insert", "renew", "take", "wait"]


def decide(
    row: tuple[str, float] | None, holder: str, runs_checks: bool, now: float, expiry_s: float
) -> Decision:
    """What a conductor asking for the lease does, given the row (holder text, heartbeat):
    a live lease of another is taken only by a conductor that runs checks from one that
    does not (so two starters' conductors stay first come, first served, and a non-starter
    never takes it from a starter's)."""
    if row is None:
        return "insert"
    text, heartbeat = row
    if holder_of(text) == holder:
        return "renew"
    if now - heartbeat > expiry_s:
        return "take"
    if runs_checks and not text.endswith(CHECKS_MARK):
        return "take"
    return "wait"


def acquire_or_renew(
    journal: Journal,
    holder: str,
    now: float,
    expiry_s: float = LEASE_EXPIRY_S,
    *,
    runs_checks: bool = False,
) -> bool:
    """Take the lease if it is free or expired (or held live by a conductor that runs no
    checks, when this one runs them: `decide`), renew it if ours. True when we hold it."""
    return take_or_renew(journal, holder, now, expiry_s, runs_checks=runs_checks).holding


@dataclass(frozen=True)
class Claimed:
    """What asking for the lease did: whether this conductor holds it, and when it took it
    from another holder, that holder's row (holder text, when it had acquired it): one
    hand-over, named once (clock/check_handover.py says when checks start running)."""

    holding: bool
    displaced: tuple[str, float] | None = None
    acquired: float | None = None  # when this holder's tenure began (None: unreadable)


def take_or_renew(
    journal: Journal,
    holder: str,
    now: float,
    expiry_s: float = LEASE_EXPIRY_S,
    *,
    runs_checks: bool = False,
) -> Claimed:
    """`acquire_or_renew`, saying whom a take displaced (decided in the write transaction,
    so exactly one process is told of each hand-over)."""
    db = journal.db
    # A live lease held by another is seen without the write lock: a room full of war rooms
    # each asking every second never queues behind (or ahead of) the commander's commands.
    row = _readable(db.execute("SELECT holder, heartbeat FROM lease WHERE id = 1").fetchone())
    if decide(row, holder, runs_checks, now, expiry_s) == "wait":
        return Claimed(False)
    text = holder_text(holder, runs_checks)
    displaced = None
    with _immediate(db):  # then decided again under the lock: two can never both take it
        row = db.execute("SELECT holder, heartbeat, acquired FROM lease WHERE id = 1").fetchone()
        decision = decide(_readable(row), holder, runs_checks, now, expiry_s)
        acquired = now  # a new tenure, unless renewed
        if decision == "insert":
            db.execute(
                "INSERT INTO lease VALUES (1, ?, ?, ?, ?, ?)",
                (text, os.getpid(), socket.gethostname(), now, now),
            )
        elif decision == "renew":  # the mark follows what this conductor runs now
            acquired = _seconds(row[2])
            db.execute("UPDATE lease SET holder = ?, heartbeat = ? WHERE id = 1", (text, now))
        elif decision == "take":
            taken_at = _seconds(row[2])  # unreadable: a take all the same, nobody named
            displaced = (str(row[0]), taken_at) if taken_at is not None else None
            db.execute(
                "UPDATE lease SET holder = ?, pid = ?, host = ?, acquired = ?, heartbeat = ? "
                "WHERE id = 1",
                (text, os.getpid(), socket.gethostname(), now, now),
            )
        else:
            return Claimed(False)
        record_high_water(db, now)
        return Claimed(True, displaced, acquired)


def _readable(row: tuple | None) -> tuple[str, float] | None:
    """(holder text, heartbeat) of a lease row, whatever a member of the run's group wrote
    in it by hand: a heartbeat that is not a number is no live one (the lease may be taken),
    never a ValueError out of the conductor's tick."""
    if row is None:
        return None
    heartbeat = _seconds(row[1])
    return str(row[0]), float("-inf") if heartbeat is None else heartbeat


def _seconds(value: object) -> float | None:
    """A lease row's time in seconds, or None when it holds none (text, NULL, NaN)."""
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return seconds if math.isfinite(seconds) else None


def release(journal: Journal, holder: str) -> None:
    with _immediate(journal.db):
        journal.db.execute(
            "DELETE FROM lease WHERE id = 1 AND holder IN (?, ?)",
            (holder, holder_text(holder, True)),
        )


def lease_status(journal: Journal, now: float) -> str:
    """A few words for the status bar: who conducts and how fresh its heartbeat is."""
    row = journal.db.execute("SELECT holder, pid, heartbeat FROM lease WHERE id = 1").fetchone()
    if row is None:
        return "none: derived alerts are not being recorded"
    holder, pid, heartbeat = row
    beat = _seconds(heartbeat)
    if not isinstance(pid, int):  # written by hand: no words of it in the status bar
        pid = "?"
    if beat is None:
        return f"STALE: pid {pid}, its heartbeat unreadable"
    age = now - beat
    if age > LEASE_EXPIRY_S:
        return f"STALE: pid {pid} silent for {age:.0f}s"
    mine = "this process" if holder_of(holder) == holder_id() else f"pid {pid}"
    late = f", {age:.0f}s ago" if age >= 3 else ""  # a steady line when all is well
    return f"ok: {mine}{late}"

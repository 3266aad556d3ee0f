"""What the war room's first frame may say of a run file, read with sqlite3 alone.

`cutover run RUN` paints its first frame before pydantic, the plan model, the engine and the
journal store are imported (issue 14, tui/boot.py). That frame shows only facts this module
reads from the file in one short read transaction: the run's title and mode (its `meta`),
where it stands (its index row, journal/runindex.py, trusted only while it names the log's
last event), who conducts (the lease row) and the plan's time zone (its `[plan]` table,
from the head of the stored plan text). Anything it cannot read cheaply and surely (no such
file, a schema it does not know, no index row or one left behind, a busy or damaged file, a
plan whose head does not parse) gives None: the caller then opens the run as it always did,
and never shows a guess.
"""

from __future__ import annotations

import sqlite3
import tomllib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import runindex
from .moved import Moved, moved_to
from .run_files import READABLE_VERSIONS
from .sqlite_io import held_connect

# journal/lease.py's LEASE_EXPIRY_S (importing it would import the store): a test keeps them equal.
LEASE_EXPIRY_S = 3.0
BUSY_TIMEOUT_S = 0.2  # a writer holding the file longer: open it the usual way instead
META_KEYS = ("run_id", "title", "mode", "plan_text", "speed")


@dataclass(frozen=True)
class FirstFacts:
    """A run as its first frame states it: every field read from the file, none derived."""

    run_id: str
    title: str
    mode: str  # live | rehearsal
    phase: str  # not-started | running | rollback | ended
    outcome: str | None
    steps_done: int
    steps_total: int
    zone: str  # the plan's [plan] timezone (IANA name)
    conductor: str  # the lease row in words, as journal/lease.py's lease_status says it
    moved: Moved | None = None  # where the run went from this file (journal/moved.py)


def read_first_facts(path: Path, now: float) -> FirstFacts | None:
    """The first frame's facts of run file `path` at wall time `now` (epoch seconds), or None
    when they cannot be read cheaply and surely."""
    if not path.is_file():
        return None
    try:
        db = held_connect(path, f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error:
        return None
    try:
        db.execute("BEGIN")  # one snapshot: the index row, its head and the lease agree
        return _read(db, now)
    except (sqlite3.Error, ValueError, KeyError, TypeError):
        return None  # damaged, busy or unknown: the usual path says what is wrong
    finally:
        db.close()


def _read(db: sqlite3.Connection, now: float) -> FirstFacts | None:
    if db.execute("PRAGMA user_version").fetchone()[0] not in READABLE_VERSIONS:
        return None
    marks = ",".join("?" * len(META_KEYS))
    meta = dict(db.execute(f"SELECT key, value FROM meta WHERE key IN ({marks})", META_KEYS))
    if float(meta.get("speed", 1.0)) != 1.0:
        return None  # a simulation's clock runs from its start: journal/run.py run_clock
    row = runindex.read(db)
    if row is None or any(key not in meta for key in META_KEYS[:4]):  # speed: 1 if left out
        return None  # no index row yet, or one left behind: only a fold says where it stands
    zone = plan_zone(meta["plan_text"])
    if zone is None or meta["mode"] not in ("live", "rehearsal") or row.phase == "rollback":
        return None  # rolling back: the index counts the plan's steps, the frame the rollback's
    return FirstFacts(
        run_id=meta["run_id"],
        title=meta["title"],
        mode=meta["mode"],
        phase=row.phase,
        outcome=row.outcome,
        steps_done=row.steps_done,
        steps_total=row.steps_total,
        zone=zone,
        conductor=lease_words(db, now),
        moved=moved_to(db),  # a damaged mark raises: the usual path says so
    )


def plan_head(text: str) -> str:
    """The plan text before its first array of tables (`[[phase]]`, `[[step]]`...): the
    `[plan]` table is there, and parsing only it costs the same at 20 or 20,000 steps."""
    lines = text.splitlines(keepends=True)
    cut = next((i for i, line in enumerate(lines) if line.startswith("[[")), None)
    return text if cut is None else "".join(lines[:cut])


def plan_zone(text: str) -> str | None:
    """The plan's time zone as the model reads it (`[plan] timezone`, UTC when left out), or
    None when the head does not parse on its own or names no zone this host knows."""
    try:
        head = tomllib.loads(plan_head(text))
    except tomllib.TOMLDecodeError:
        return None  # e.g. a multi-line string holding "[[": the full parse decides
    plan = head.get("plan")
    if not isinstance(plan, dict):
        return None  # [plan] after the first array of tables: not seen here
    name = plan.get("timezone", "UTC")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return None
    return name


def lease_words(db: sqlite3.Connection, now: float) -> str:
    """Who conducts, in the words of journal/lease.py's lease_status (a process that has just
    started holds no lease: it is never "this process" here)."""
    row = db.execute("SELECT pid, heartbeat FROM lease WHERE id = 1").fetchone()
    if row is None:
        return "none: derived alerts are not being recorded"
    pid, heartbeat = row
    if not isinstance(pid, int) or not isinstance(heartbeat, int | float):
        raise ValueError("a lease row written by hand")  # lease_status's words for it: usual path
    age = now - heartbeat
    if age > LEASE_EXPIRY_S:
        return f"STALE: pid {pid} silent for {age:.0f}s"
    late = f", {age:.0f}s ago" if age >= 3 else ""
    return f"ok: pid {pid}{late}"


__all__ = ["FirstFacts", "lease_words", "plan_head", "plan_zone", "read_first_facts"]

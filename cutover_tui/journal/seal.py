"""The run's plan and settings sealed into its hash chain, and the triggers that keep them.

A run's first event (RunStarted) carries the SHA-256 of the stored plan text, the SHA-256 of
the run's settings (the `meta` rows below: mode, clock shift and speed, who made it, when)
and a compressed copy of the plan text itself. The chain's hashes cover that event, so the
plan cannot be rewritten without `cutover verify` saying so, and verify can still replay the
night against the plan the run started with when the stored copy was changed.

`meta` is as immutable as the events once the run is made: triggers refuse UPDATE, DELETE
and INSERT OR REPLACE of its rows (a row that legitimately changes, like the conductor's
lease, lives in its own table). Triggers only stop mistakes and casual edits: anyone who can
write the file can drop them; the hashes and the published head are what detect that.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # not imported at run time: `cutover do`'s fast path reads the seal
    from ..engine.events import RunStarted

# The meta rows a run's RunStarted seals (plan_text has its own hash). Rows added later,
# if any, are annotations outside the seal.
SEALED_META = (
    "run_id",
    "plan_id",
    "title",
    "plan_path",
    "mode",
    "created_at",
    "created_by",
    "shift_s",
    "speed",
)

# Refuse changes to rows that exist; a plain INSERT OR REPLACE would bypass a DELETE trigger
# (SQLite fires none for a REPLACE unless recursive_triggers is on).
META_TRIGGERS = """
CREATE TRIGGER IF NOT EXISTS meta_no_update BEFORE UPDATE ON meta
BEGIN SELECT RAISE(ABORT, 'the run''s meta is sealed: it cannot be changed'); END;
CREATE TRIGGER IF NOT EXISTS meta_no_delete BEFORE DELETE ON meta
BEGIN SELECT RAISE(ABORT, 'the run''s meta is sealed: it cannot be deleted'); END;
CREATE TRIGGER IF NOT EXISTS meta_no_replace BEFORE INSERT ON meta
WHEN EXISTS (SELECT 1 FROM meta WHERE key = NEW.key)
BEGIN SELECT RAISE(ABORT, 'the run''s meta is sealed: it cannot be replaced'); END;
"""

EVENT_TRIGGERS = """
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the journal is append-only: events cannot be changed'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the journal is append-only: events cannot be deleted'); END;
CREATE TRIGGER IF NOT EXISTS events_no_replace BEFORE INSERT ON events
WHEN EXISTS (SELECT 1 FROM events WHERE seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'the journal is append-only: events cannot be replaced'); END;
"""

# The highest seq the conductor has seen, renewed with its lease heartbeat: it may only rise.
HIGH_WATER = """
CREATE TABLE IF NOT EXISTS high_water (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE TRIGGER IF NOT EXISTS high_water_rises BEFORE UPDATE ON high_water
WHEN NEW.seq < OLD.seq
BEGIN SELECT RAISE(ABORT, 'the high-water mark only rises'); END;
CREATE TRIGGER IF NOT EXISTS high_water_stays BEFORE DELETE ON high_water
BEGIN SELECT RAISE(ABORT, 'the high-water mark cannot be deleted'); END;
"""

# Every trigger a sealed run (schema 2) has: their absence is itself evidence of an edit.
SEALED_TRIGGERS = frozenset(
    {
        "events_no_update",
        "events_no_delete",
        "events_no_replace",
        "meta_no_update",
        "meta_no_delete",
        "meta_no_replace",
        "high_water_rises",
        "high_water_stays",
    }
)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def meta_digest(meta: Mapping[str, str]) -> str:
    """The SHA-256 of the sealed meta rows, as canonical JSON."""
    sealed = {key: meta.get(key) for key in SEALED_META}
    return digest(json.dumps(sealed, sort_keys=True, separators=(",", ":")))


def pack_plan(text: str) -> str:
    return base64.b64encode(zlib.compress(text.encode(), 9)).decode("ascii")


def unpack_plan(packed: str) -> str | None:
    """The plan text from a RunStarted's copy; None when the copy is unreadable."""
    try:
        return zlib.decompress(base64.b64decode(packed, validate=True)).decode()
    except (ValueError, zlib.error, UnicodeDecodeError):
        return None


def seal_start(meta: Mapping[str, str], event: RunStarted) -> RunStarted | str:
    """`event` carrying the run's seal; a reason (str) when it carries a different one."""
    seal = {
        "plan_sha256": digest(meta.get("plan_text", "")),
        "meta_sha256": meta_digest(meta),
    }
    for field, value in seal.items():
        carried = getattr(event, field)
        if carried is not None and carried != value:
            return f"this RunStarted names another {field.split('_')[0]} than the run's own"
    if event.plan_copy is not None and unpack_plan(event.plan_copy) != meta.get("plan_text"):
        return "this RunStarted carries another plan than the run's own"
    return event.model_copy(
        update=seal | {"plan_copy": event.plan_copy or pack_plan(meta.get("plan_text", ""))}
    )


def unsealed(event: RunStarted) -> RunStarted:
    """The RunStarted as its author asked for it, before the journal sealed it."""
    return event.model_copy(update=dict.fromkeys(("plan_sha256", "meta_sha256", "plan_copy")))

"""The idempotency key, scoped to its author: a repeat of a command finds the event it already
recorded; the same key on another command is refused (inside the append's transaction)."""

from __future__ import annotations

import sqlite3

from ..engine.events import Event
from ..engine.state import Refused, RunState
from .stored_rows import parse_rows


def earlier_event(
    db: sqlite3.Connection, schema_version: int, state: RunState, event: Event
) -> Event | None:
    """The event its author already recorded under this key (an idempotent repeat)."""
    mine = db.execute(  # the (actor, key) index
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
    if schema_version < 2:  # keys were unique across the run then
        taken = db.execute("SELECT seq, actor FROM events WHERE key = ?", (event.key,)).fetchone()
        if taken:
            raise Refused(
                f"the key {event.key!r} is already taken by {state.name(taken[1])} "
                f"(#{taken[0]}) in this run, made before keys were per person: use another"
            )
    return None

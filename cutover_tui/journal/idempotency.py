"""The idempotency key, scoped to its author: a repeat of a command finds the event it already
recorded; the same key on another command is refused (inside the append's transaction)."""

from __future__ import annotations

import sqlite3

from ..engine.events import Event
from ..engine.state import Refused, RunState
from ..engine.times import stamp
from .stored_rows import parse_rows

# What a retry of the very command changes: when it was typed and recorded, where the
# journal put it. Every other field (the type, the step, the words) is the command.
STAMPED = frozenset({"at", "recorded_at", "mono", "boot", "seq"})


def earlier_event(
    db: sqlite3.Connection, schema_version: int, state: RunState, event: Event
) -> Event | None:
    """The event its author already recorded under this key (an idempotent repeat)."""
    mine = db.execute(  # the (actor, key) index
        "SELECT seq, body FROM events WHERE actor = ? AND key = ?", (event.actor, event.key)
    ).fetchall()
    if mine:
        return repeated(state, parse_rows(mine)[0], event)
    if schema_version < 2:  # keys were unique across the run then
        taken = db.execute("SELECT seq, actor FROM events WHERE key = ?", (event.key,)).fetchone()
        if taken:
            raise Refused(
                f"the key {event.key!r} is already taken by {state.name(taken[1])} "
                f"(#{taken[0]}) in this run, made before keys were per person: use another"
            )
    return None


def repeated(state: RunState, earlier: Event, event: Event) -> Event:
    """`earlier`, its author's event under `event`'s key, when `event` repeats its command;
    Refused when it is another: the journal's answer, and the war room's in memory
    (tui/source.py MemoryRun) alike."""
    refusal = key_reused(state, earlier, event, words=False)
    if refusal:
        raise Refused(refusal)
    return earlier


def key_reused(state: RunState, earlier: Event, event: Event, *, words: bool = True) -> str | None:
    """Why `event` may not take `earlier`'s key, None when it is the same command retried.

    The journal compares the action and its target (`words=False`): the conductor's own
    keys (`alert:...`, `check:...`) are recorded once by whichever conductor comes first, in
    its words, and a second one's words may differ by the second it wrote them. `cutover do`
    compares the words too when the person chose the key (`--key`): answering another
    command with the earlier row, exit 0, read as recorded."""
    if _command(earlier, words) == _command(event, words):
        return None
    return used_for(state, earlier)


def used_for(state: RunState, earlier: Event) -> str:
    """The refusal of a command under `earlier`'s key: what and when the key was used for."""
    when = stamp(state, earlier.recorded_at or earlier.at)
    step = f" {earlier.step_id}" if earlier.step_id else ""
    return (
        f"key {earlier.key!r} was used at {when} for {earlier.type}{step} #{earlier.seq}; "
        "use a new key"
    )


def _command(event: Event, words: bool) -> object:
    """What a retry of the same command repeats: its type and target, and its words."""
    if not words:
        return (event.type, event.step_id)
    return event.model_dump(exclude=set(STAMPED))

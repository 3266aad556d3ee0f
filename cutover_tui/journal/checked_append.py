"""The checked append of a run's journal: a command checked against the state folded from the
log and its event appended, in one write transaction (journal/store.py says why).

`CheckedAppend` is a base of `Journal` (journal/store.py), which gives it the connection,
the meta, the plan and the fold; PostgreSQL's journal (journal/postgres.py) inserts its rows
its own way (`_insert`) and appends alike.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..engine.events import Event, RunStarted, dump_event
from ..engine.state import Refused, RunState, apply, check_rules, initial_state, permission
from . import runindex
from .faults import ChainBroken
from .idempotency import earlier_event
from .moved import moved_refusal
from .raw_chain import GENESIS
from .raw_chain import link as chain
from .seal import seal_start
from .sqlite_io import immediate

if TYPE_CHECKING:
    from ..plan.model import Plan
    from .folding import Fold


class CheckedAppend:
    """`append` and what it alone uses, for `Journal`."""

    # What the journal gives it (journal/store.py).
    db: sqlite3.Connection
    meta: dict[str, str]
    plan: Plan
    schema_version: int
    broken: str | None
    last_written: int
    _fold: Fold
    _state: RunState
    _head: str
    _catch_up: Callable[[], None]

    def append(self, event: Event, *, now: Callable[[], datetime] | None = None) -> Event:
        """Check `event` against the state in the write transaction and append it.

        Returns the stored event (with its seq). Checked in this order: the chain (ChainBroken
        when it does not hold), permission, the idempotency key among its author's own events
        (a repeat returns the stored event; another author's key means nothing here), then
        the rules with `recorded_at` stamped. Raises Refused with the reason when the command
        may not happen now. A RunStarted is sealed with the run's plan and meta.
        """
        if not event.key:
            raise ValueError("an event needs an idempotency key")
        recorded = (now or (lambda: datetime.now(UTC)))()
        with self._fold_follows_the_log(), immediate(self.db):
            self._catch_up()
            if self.broken:
                raise ChainBroken(
                    f"its hash chain is broken ({self.broken}): nothing more is recorded "
                    "on it; `cutover verify` says how"
                )
            # Permission first, then the key, scoped to its author: nobody claims another's
            # key, and a replay by someone else is checked as their own command.
            reason = permission(self._state, event) or self._moved()
            if reason:
                raise Refused(reason)
            earlier = self._earlier(event)
            if earlier is not None:
                return earlier
            if event.recorded_at is None:  # stamped before the check: the rules judge
                event = event.model_copy(update={"recorded_at": recorded})  # times by it
            reason = check_rules(self._state, event)
            if reason:
                raise Refused(reason)
            if isinstance(event, RunStarted):  # the journal's own words, not the caller's
                sealed = seal_start(self.meta, event)
                if isinstance(sealed, str):
                    raise Refused(sealed)
                event = sealed
            body = dump_event(event)
            digest = chain(self._head, body)
            stored = event.model_copy(update={"seq": self._insert(event, body, digest)})
            before = runindex.closed_before(self._state, stored)
            apply(self._state, stored)  # inside: the index row is written with its event
            runindex.record(self.db, self._state, digest, stored, before)
        self._fold.logged = stored.seq
        self._head = digest
        self.last_written = stored.seq
        return stored

    def _moved(self) -> str | None:
        """A run file whose run moved to PostgreSQL takes nothing more (journal/moved.py)."""
        return moved_refusal(self.db) if isinstance(self.db, sqlite3.Connection) else None

    @contextmanager
    def _fold_follows_the_log(self) -> Iterator[None]:
        """An append whose transaction fails after its event was folded (the index row, a
        failed COMMIT) leaves the state ahead of the log: forget the fold, so the next read
        folds the log again (into the same object, which callers may hold)."""
        try:
            yield
        except BaseException:
            if self._state.last_seq != self._fold.logged:
                vars(self._state).update(vars(initial_state(self.plan)))
                self._fold.logged, self._head = 0, GENESIS
            raise

    def _insert(self, event: Event, body: str, digest: str) -> int:
        """The row of `event`, inside the append's transaction: its seq."""
        cursor = self.db.execute(
            "INSERT INTO events (key, type, actor, body, prev, hash) VALUES (?, ?, ?, ?, ?, ?)",
            (event.key, event.type, event.actor, body, self._head, digest),
        )
        return cursor.lastrowid

    def _earlier(self, event: Event) -> Event | None:
        """The event its author already recorded under this key (journal/idempotency.py)."""
        return earlier_event(self.db, self.schema_version, self._state, event)

"""What the war room reads from and writes to: a run, behind a small protocol.

The journal provides the durable, shared implementation; `MemoryRun` keeps a run in this
process only (tests, snapshots, a plan opened before anyone started it).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from typing import Protocol

from ..engine.events import Event
from ..engine.state import Refused, RunState, apply, check_rules, initial_state, permission
from ..journal.idempotency import repeated
from ..plan.model import Plan


class RunSource(Protocol):
    plan: Plan
    actor: str
    run_id: str
    # Opened to watch only (`cutover follow`): the war room refuses every command
    # at once, and the status line says so. Declared here so the app reads it, never getattr.
    read_only: bool
    # The run moved away from this file (`cutover migrate`, journal/moved.py): where, in one
    # inert line, shown in the status bar; every command is refused. None while it has not.
    moved: str | None

    def poll(self) -> Sequence[Event]:
        """Events recorded since the last poll (all of them on the first call)."""
        ...

    def opening(self) -> tuple[RunState, Sequence[Event]] | None:
        """The run already folded by the source and its log so far (read a page at a time),
        kept up to date by `poll`, which then returns only what is new; or None: the app
        folds what poll returns (journal/run.py: one fold per process)."""
        ...

    def submit(self, event: Event) -> Event:
        """Record a command; raises Refused with the reason when it may not happen now."""
        ...

    def conductor_status(self) -> str:
        """A few words on the conductor: who holds the lease and how fresh its heartbeat is."""
        ...


def new_key() -> str:
    return uuid.uuid4().hex


class MemoryRun:
    """A run held in memory: checked and folded exactly like the journal does it."""

    read_only = False
    moved = None

    def __init__(
        self, plan: Plan, actor: str, events: Sequence[Event] = (), run_id: str = "memory"
    ):
        self.plan = plan
        self.actor = actor
        self.run_id = run_id
        self._state: RunState = initial_state(plan)
        self._events: list[Event] = []
        self._seq = itertools.count(1)
        self._delivered = 0
        for event in events:
            self.submit(event)

    def opening(self) -> None:
        return None  # the app folds what poll returns

    def poll(self) -> list[Event]:
        new = self._events[self._delivered :]
        self._delivered = len(self._events)
        return new

    def submit(self, event: Event) -> Event:
        # As Journal.append: permission, then the key among its author's own, then the rules.
        reason = permission(self._state, event)
        if reason:
            raise Refused(reason)
        mine = (e for e in self._events if e.key == event.key and e.actor == event.actor)
        earlier = next(mine, None) if event.key else None
        if earlier is not None:  # the journal's answer: this row, or another command refused
            return repeated(self._state, earlier, event)
        reason = check_rules(self._state, event)
        if reason:
            raise Refused(reason)
        stored = event.model_copy(update={"seq": next(self._seq)})
        apply(self._state, stored)
        self._events.append(stored)
        return stored

    def conductor_status(self) -> str:
        return "in-process"

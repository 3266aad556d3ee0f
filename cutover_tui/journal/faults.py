"""What a journal raises when its log cannot be trusted or folded: a broken hash chain, an
event the rules would never have let through."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ..engine.events import Event
from ..engine.state import apply, initial_state
from ..plan.model import Plan


class Unfoldable(ValueError):
    """The journal holds an event no state can take (written by hand, past the rules)."""


# What `apply` raises on an event the rules would never have let through.
FOLD_FAULTS = (KeyError, AttributeError, TypeError, IndexError)


def unfoldable(plan: Plan, events: Sequence[Event]) -> int:
    """The seq of the first event that cannot be folded (the slow path, on failure only)."""
    state = initial_state(plan)
    for event in events:
        try:
            apply(state, event)
        except FOLD_FAULTS:
            return event.seq
    return events[-1].seq if events else 0


class ChainBroken(sqlite3.DatabaseError):
    """A run whose hash chain does not hold: read and shown, never appended to. A database
    error, so every command and the conductor say it in words as they do a damaged page."""

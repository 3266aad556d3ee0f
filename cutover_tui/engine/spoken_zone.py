"""The zone the engine's words tell time in: the plan's, unless a viewer asked for its own.

The verdict's rules, the odds' reason and the fired triggers are sentences the engine writes
with `RunState.when` ("the plan finishes at 13:41 ... before the 15:57 deadline"). A viewer
with `--tz Asia/Kolkata` saw them in the plan's zone directly above its own figures in IST,
with no label: "87 % chance of finishing by 15:57" over "87% inside the window (by 21:27)"
(hostile user pass, 2026-12-02). A viewer now judges inside `told_in(its zone)`, and every
time those sentences hold is in that one zone.

A context variable, not an argument: the sentences are written a dozen calls deep (verdict,
foresight, triggers), and the zone is a matter of who reads them, not of the run. It is set
only around a viewer's own judging (the war room's frame, `cutover status --tz`); words that
are stored (a trigger's reason in the journal, a refusal) are written outside it, in the
plan's zone, as before. Each thread starts without it: a worker that judges sets it itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, tzinfo
from typing import TypeVar

T = TypeVar("T")

_SPOKEN: ContextVar[tzinfo | None] = ContextVar("cutover_spoken_zone", default=None)


@contextmanager
def told_in(zone: tzinfo | None) -> Iterator[None]:
    """Within the block, the engine's sentences tell time in `zone` (None: the plan's)."""
    token = _SPOKEN.set(zone)
    try:
        yield
    finally:
        _SPOKEN.reset(token)


def spoken_zone(plan_zone: tzinfo) -> tzinfo:
    """The zone a sentence tells time in now: the viewer's inside `told_in`, else the plan's."""
    return _SPOKEN.get() or plan_zone


def said_in(zone: tzinfo | None, work: Callable[[], T]) -> Callable[[], T]:
    """`work`, to be run later (on another thread too) inside `told_in(zone)`."""

    def run() -> T:
        with told_in(zone):
            return work()

    return run


def plan_clock_label(moment: datetime, plan_zone: tzinfo | None) -> str:
    """ " (times in GMT, the plan's zone)" after words stored on the plan's clock (a trigger's
    reason, a window alert, a trigger's incident), `plan_zone` given when the reader's clock
    is another (`--tz`); else "". `moment` names the abbreviation (GMT or BST)."""
    if plan_zone is None:
        return ""
    return f" (times in {moment.astimezone(plan_zone):%Z}, the plan's zone)"


__all__ = ["plan_clock_label", "said_in", "spoken_zone", "told_in"]

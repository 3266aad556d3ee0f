"""How often the odds are worked out again on a large plan while nothing happens.

The war room asks for the odds every second. On a plan of ordinary size that costs a few
milliseconds and they are worked out every time. On a 50,000-step plan one answer took about
two seconds of CPU (the pace fitted over every finished step, then 500 simulated nights of
every open step), so the war room kept a core busy all night (issue 12, finding 9).

While no event arrives, only the clock moves, and in a few seconds the odds barely move (the
running steps' elapsed time and the earliest start of the pending ones). So above
`PACED_CELLS` (steps x simulated nights) the last answer is reused for a time that grows with
the plan: `CELLS_PER_SECOND` cells per second of reuse, at most `MAX_REUSE`. Any new event
(the state's event count), an amendment, another state, prior or thresholds, or a clock that
goes back, and the odds are worked out at once. Plans below the threshold see no change.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .forecast import Forecaster
    from .state import RunState

PACED_CELLS = 5_000_000  # 10,000 steps x 500 nights: worked out every time below this
CELLS_PER_SECOND = 2_500_000  # 50,000 steps x 500 nights: reused for 10 s of the night
MAX_REUSE = timedelta(seconds=30)


def reuse_for(steps: int, iterations: int) -> timedelta:
    """How long an answer stands while nothing happens, for a plan this large."""
    cells = steps * iterations
    if cells <= PACED_CELLS:
        return timedelta(0)
    return min(MAX_REUSE, timedelta(seconds=cells / CELLS_PER_SECOND))


@dataclass(eq=False)
class _Answer:
    state: weakref.ref
    event_count: int
    revision: int
    inputs: tuple[Any, ...]  # the prior and the thresholds it was worked out with
    at: datetime
    until: datetime
    value: Any


_answers: weakref.WeakKeyDictionary[Forecaster, _Answer] = weakref.WeakKeyDictionary()


def recent(
    forecaster: Forecaster, state: RunState, now: datetime, inputs: tuple[Any, ...]
) -> Any | None:
    """The answer worked out for this state and inputs a moment ago, if it still stands."""
    answer = _answers.get(forecaster)
    if (
        answer is None
        or answer.state() is not state
        or answer.event_count != state.event_count
        or answer.revision != state.revision
        or answer.inputs != inputs
        or not answer.at <= now < answer.until
    ):
        return None
    return answer.value


def keep(
    forecaster: Forecaster, state: RunState, now: datetime, inputs: tuple[Any, ...], value: Any
) -> None:
    """Remember an answer for as long as `reuse_for` this plan's size allows."""
    reuse = reuse_for(len(state.steps), forecaster.iterations)
    if not reuse:
        _answers.pop(forecaster, None)
        return
    _answers[forecaster] = _Answer(
        weakref.ref(state), state.event_count, state.revision, inputs, now, now + reuse, value
    )


__all__ = ["CELLS_PER_SECOND", "MAX_REUSE", "PACED_CELLS", "keep", "recent", "reuse_for"]

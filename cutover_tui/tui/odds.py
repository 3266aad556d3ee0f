"""The odds at tonight's pace for the war room: worked out when they can have moved, off the
UI thread on a large plan, the newest answer winning.

The odds (`engine.foresight.foresee`) are the one heavy part of a frame: a few milliseconds on
a plan of ordinary size, a second or more at 20,000 steps. So:
- on a small plan (steps x simulated nights up to `INLINE_CELLS`) they are worked out inline,
  with the frame, so every frame is whole (the screenshots and the tests see what they always
  saw); but the first frame of a plan above `FIRST_INLINE_CELLS` (the 320-step plan: a few
  hundred milliseconds the first time, the random streams cold) goes on the terminal before
  its odds, saying it is working them out, and a worker brings them (issue 14: first paint);
- on a larger plan the frame is made with the last answer and a worker thread works out the
  next one, when the run has news or a minute of the run's clock has passed since the last
  answer, and never more often than every `every` seconds of real time. One worker at a time
  uses the forecaster (its caches are not shared between threads); an answer for a state that
  was folded further meanwhile is shown (it is the newest there is) and asked for again.

Every process still reads one verdict: `engine.verdict.judge` makes it from the schedule at
`now` and these odds, as `cutover status` does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..engine.state import RunState
from .pacing import marker, next_minute

if TYPE_CHECKING:  # the odds import numpy (~0.2 s): not before the first frame (issue 14)
    from ..engine.forecast import Forecaster
    from ..engine.foresight import Foresight
    from ..engine.pace import PacePrior

INLINE_CELLS = 250_000  # 500 steps x 500 nights: a few milliseconds, worked out with the frame
# Above this (100 steps x 500 nights) the first odds come from a worker after the first frame:
# the demo and screenshot plans stay whole from their first frame.
FIRST_INLINE_CELLS = 50_000
EVERY_S = 3.0  # a worker starts at most this often (real seconds)


def wants_odds(state: RunState) -> bool:
    """The odds are asked for while the run goes (as `engine.verdict.assess` does)."""
    return state.phase in ("running", "rollback")


@dataclass(frozen=True)
class Asked:
    """One request for the odds: the state as it was, and the moment they are for."""

    token: int
    marker: tuple[int, int, int]
    now: datetime


class OddsKeeper:
    """Holds the newest odds and says when the next ones are wanted."""

    def __init__(
        self,
        forecaster: Forecaster | None,
        prior: PacePrior | None,
        *,
        make: Callable[[], Forecaster] | None = None,
        iterations: int = 0,
        make_prior: Callable[[], PacePrior | None] | None = None,
        inline_cells: int = INLINE_CELLS,
        first_inline_cells: int = FIRST_INLINE_CELLS,
        every_s: float = EVERY_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        # Without a forecaster, `make` makes one on first use with `iterations` (what it will
        # have): numpy and the forecaster's modules load then, after the first frame.
        self._forecaster = forecaster
        self._make = make
        self._iterations = iterations
        self._making = threading.Lock()  # the UI thread and a worker may both ask first
        self._prior = prior
        # Without a prior, `make_prior` reads it on first use (the rehearsal search, cli/prior.py):
        # in the worker after the first frame on a large plan, with the first odds on a small one.
        self._make_prior = make_prior
        self._making_prior = threading.Lock()
        self.inline_cells = inline_cells
        self.first_inline_cells = first_inline_cells
        self.every_s = every_s
        self.monotonic = monotonic
        self.sight: Foresight | None = None
        self.answered: Asked | None = None  # the request the shown odds answer
        self.asked: Asked | None = None  # the newest request sent to a worker
        self.running = False
        self.computed = 0  # odds worked out (tests and benchmarks read it)
        self._last_start = float("-inf")
        self._tokens = 0
        self._lock = threading.Lock()  # one thread at a time in the forecaster

    @property
    def forecaster(self) -> Forecaster | None:
        """The forecaster, made on first use when it was given as `make`."""
        if self._forecaster is None and self._make is not None:
            with self._making:
                if self._forecaster is None:
                    self._forecaster = self._make()
        return self._forecaster

    @property
    def prior(self) -> PacePrior | None:
        """The rehearsals' prior, read on first use when it was given as `make_prior`."""
        if self._make_prior is not None:
            with self._making_prior:
                if self._make_prior is not None:
                    self._prior, self._make_prior = self._make_prior(), None
        return self._prior

    @prior.setter
    def prior(self, value: PacePrior | None) -> None:
        self._prior, self._make_prior = value, None

    @property
    def has_forecaster(self) -> bool:
        """Odds are worked out at all (without making the forecaster)."""
        return self._forecaster is not None or self._make is not None

    def _cells(self, state: RunState) -> int:
        if not self.has_forecaster:
            return 0
        iterations = self._forecaster.iterations if self._forecaster else self._iterations
        return len(state.steps) * iterations

    def inline(self, state: RunState) -> bool:
        """Worked out with the frame, on the UI thread: a small plan, once it has its first."""
        if not self.has_forecaster:
            return True
        if self.answered is None and self._cells(state) > self.first_inline_cells:
            return False  # the first odds of a mid-sized plan: after the first frame
        return self._cells(state) <= self.inline_cells

    def pending(self, state: RunState) -> bool:
        """Odds are wanted and a worker is to bring the first: the frame says so."""
        wanted = self.has_forecaster and wants_odds(state)
        return wanted and self.sight is None and not self.inline(state)

    def for_frame(self, state: RunState, now: datetime) -> Foresight | None:
        """The odds a frame at `now` shows: worked out now on a small plan, else the newest."""
        if not self.has_forecaster or not wants_odds(state):
            return None
        if self.inline(state):
            if self._just_answered(state, now):
                return self.sight  # the worker's first answer, for this very frame
            from ..engine.foresight import foresee  # numpy: once the odds are wanted

            self.computed += 1
            return foresee(state, now, self.forecaster, self.prior)
        return self.sight

    def _just_answered(self, state: RunState, now: datetime) -> bool:
        last = self.answered
        return last is not None and last.now == now and last.marker == marker(state)

    def stale(self, state: RunState, now: datetime) -> bool:
        """Could the odds shown have moved: news, or a minute of the clock since?"""
        if not self.has_forecaster or not wants_odds(state) or self.inline(state):
            return False
        last = self.asked or self.answered
        return (
            last is None
            or last.marker != marker(state)
            or now < last.now
            or now >= next_minute(last.now)
        )

    def ask(self, state: RunState, now: datetime) -> Asked | None:
        """A request for a worker, when one is wanted and may start now; else None."""
        if self.running or not self.stale(state, now):
            return None
        if self.monotonic() - self._last_start < self.every_s:
            return None  # asked again by the next tick
        self._tokens += 1
        self._last_start = self.monotonic()
        self.running = True
        self.asked = Asked(self._tokens, marker(state), now)
        return self.asked

    def work(self, state: RunState, asked: Asked) -> Foresight | None:
        """In the worker thread: the odds for the state as it is now, at `asked.now`. None
        when the state changed under it too much to finish (it is asked again)."""
        from ..engine.foresight import foresee  # numpy: here, off the UI thread

        forecaster = self.forecaster
        assert forecaster is not None
        with self._lock:
            try:
                return foresee(state, asked.now, forecaster, self.prior)
            except (RuntimeError, KeyError, IndexError, ValueError):
                # An event folded in while we read (a dict changed size): asked again.
                return None

    def landed(self, asked: Asked, sight: Foresight | None) -> bool:
        """On the UI thread: take a worker's answer. True when the odds shown changed."""
        self.running = False
        if sight is None:
            self.asked = None  # nothing to show for it: stale again, asked again
            return False
        if self.answered is not None and asked.token < self.answered.token:
            return False  # an older answer never replaces a newer one
        self.computed += 1
        self.sight = sight
        self.answered = asked
        return True


__all__ = ["EVERY_S", "FIRST_INLINE_CELLS", "INLINE_CELLS", "Asked", "OddsKeeper", "wants_odds"]

"""One forecast's simulated nights (`Simulation`), and what the run fixes around them: the
deadlines and, once nothing is left open, the actual finish (engine/forecast.py uses these).

Split out of engine/forecast.py unchanged; forecast.py re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from .forecast_graph import LevelGraph
from .state import RunState

# -- one simulation ----------------------------------------------------------------------------


@dataclass(eq=False)
class Simulation:
    """The simulated nights behind a forecast: every step's finish in every iteration."""

    origin: datetime
    ids: list[str]
    # (steps x iterations), seconds after `origin`; None when simulated in blocks, then
    # `column` recomputes one iteration's (finish, duration) on demand.
    finish: np.ndarray | None
    duration: np.ndarray | None  # (steps x iterations); for closed and running steps: unused
    ends: np.ndarray  # (iterations,), the finish of the whole graph
    open: np.ndarray  # (steps,) bool: not closed (pending, failed, running)
    running: np.ndarray  # (steps,) bool
    preds: list[list[int]]
    settled_at: float | None  # the actual finish when the run is over
    column: Callable[[int], tuple[np.ndarray, np.ndarray]] | None = None

    def iteration(self, iteration: int) -> tuple[np.ndarray, np.ndarray]:
        """Every step's (finish, duration) in one iteration."""
        if self.finish is not None and self.duration is not None:
            return self.finish[:, iteration], self.duration[:, iteration]
        assert self.column is not None
        return self.column(iteration)

    def path(self, iteration: int) -> list[str]:
        """The chain of open steps that set the finish in one iteration, first to last."""
        if self.settled_at is not None or not len(self.ids):
            return []
        f, d = self.iteration(iteration)
        node = int(np.argmax(f))
        chain: list[str] = []
        while self.open[node]:
            chain.append(self.ids[node])
            if self.running[node]:
                break
            preds = self.preds[node]
            if not preds:
                break
            best = max(preds, key=lambda p: f[p])
            start = f[node] - d[node]
            if f[best] < start - 1e-6:  # started by now or a fixed start, not by a predecessor
                break
            node = best
        chain.reverse()
        return chain

    def quantile_iteration(self, q: float) -> int:
        """The iteration whose finish is the q-quantile (for the P80 path)."""
        order = np.argsort(self.ends, kind="stable")
        return int(order[min(len(order) - 1, int(q * len(order)))])


def deadlines(state: RunState) -> tuple[datetime, datetime]:
    """The deadline of the active graph and its buffer line (deadline - the buffer rule).

    The window end for the plan; during (and after) rollback the rollback deadline, the
    invocation plus the RTO but no later than the window end, with no buffer.
    """
    window = state.plan.window
    if state.rollback_at is not None and state.rollback_order:
        rto = state.plan.rollback.rto if state.plan.rollback else timedelta(0)
        deadline = min(state.rollback_at + rto, window.end)
        return deadline, deadline
    return window.end, window.end - window.buffer_time


def _settled_finish(state: RunState, graph: LevelGraph, origin: datetime) -> float | None:
    """The actual finish, in seconds after origin, once nothing is left to simulate."""
    finished: list[datetime] = []
    all_closed = True
    for sid in graph.ids:
        st = state.status[sid]
        if st.closed and st.finished_at is not None:
            finished.append(st.finished_at)
        elif st.closed:
            continue
        else:
            all_closed = False
            if state.phase != "ended":
                return None
    if all_closed and finished:
        return (max(finished) - origin).total_seconds()
    if state.phase == "ended" and state.ended_at is not None:
        return (state.ended_at - origin).total_seconds()  # the run stopped with steps open
    return None


def _settled_datetime(state: RunState, origin: datetime, seconds: float) -> datetime:
    """The exact datetime behind `seconds` (a float round trip must not shift a microsecond)."""
    candidates = [st.finished_at for st in state.status.values() if st.finished_at is not None]
    if state.ended_at is not None:
        candidates.append(state.ended_at)
    for at in candidates:
        if (at - origin).total_seconds() == seconds:
            return at
    return origin + timedelta(seconds=seconds)


def _origin(state: RunState) -> datetime:
    """Time zero of the simulation: the window start (rollback steps are measured from it too)."""
    return state.plan.window.start

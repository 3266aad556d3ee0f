"""Where each step of a forecast stands at `now`: the closed ones fixed at their actual
finish, and a running (or suspended) step's finish drawn conditional on the time it has
already spent (engine/forecast.py simulates the rest of the night around them).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from .forecast_draws import step_range, triangular_cdf_array, triangular_ppf
from .forecast_graph import LevelGraph
from .state import RunState

PAST_HIGH = 0.2  # a running step past its pessimistic estimate: about this much budget more


def step_standing(
    state: RunState, graph: LevelGraph, origin: datetime, now_s: float
) -> tuple[dict[int, float], np.ndarray, np.ndarray]:
    """(closed, open, running) of the graph's steps: each closed step's finish in seconds
    after `origin` by its index, and which steps are still open and which are running."""
    n = len(graph.ids)
    closed: dict[int, float] = {}
    is_open = np.ones(n, bool)
    is_running = np.zeros(n, bool)
    for i, sid in enumerate(graph.ids):
        st = state.status[sid]
        step = state.steps[sid]
        if st.closed or (
            st.status == "failed"
            and st.finished_at
            and step.kind == "checkpoint"
            and step.on_fail == "continue"
        ):
            at = st.finished_at
            closed[i] = (at - origin).total_seconds() if at else now_s
            is_open[i] = False
        elif st.status in ("running", "suspended") and st.started_at is not None:
            is_running[i] = True
    return closed, is_open, is_running


def running_finish(
    state: RunState,
    sid: str,
    origin: datetime,
    now_s: float,
    factor: np.ndarray | float,
    u: np.ndarray,
) -> np.ndarray:
    """A running (or suspended) step: its finish in the iterations its uniforms `u` are
    for, drawn conditional on the time spent."""
    st = state.status[sid]
    draw = step_range(state.steps[sid])
    assert st.started_at is not None
    began = (st.started_at - origin).total_seconds()
    if st.status == "suspended" and st.suspended_at is not None:
        stopped = (st.suspended_at - origin).total_seconds()
        spent = min(now_s, stopped) - began - st.off_clock_to_suspension.total_seconds()
    else:  # time suspended and the host clock's jumps are not time it ran
        spent = now_s - began - st.off_clock.total_seconds()
    spent = max(0.0, spent)
    factor = np.broadcast_to(np.asarray(factor, float), u.shape)
    # In units of this iteration's range: conditional on having run `spent` already,
    # draw from the upper part of the range.
    spent_units = spent / factor
    floor = triangular_cdf_array(spent_units, draw.low, draw.mode, draw.high)
    drawn = triangular_ppf(floor + u * (1 - floor), draw.low, draw.mode, draw.high)
    remaining = (
        np.where(
            floor >= 1.0,
            # Past the pessimistic estimate: it ends some time after now; assume about a
            # fifth of its budget more, with spread.
            draw.mode * PAST_HIGH * (0.5 + u),
            np.maximum(drawn - spent_units, 0.0),
        )
        * factor
    )
    resume = now_s
    if st.status == "suspended" and st.resume_eta is not None:
        resume = max(now_s, (st.resume_eta - origin).total_seconds())
    return resume + remaining

"""The alarm grid's points after the window's end: known without a forecast per point.

`alarm.settle` walks back over the grid from now while the odds stay under the clearing line.
On a run left open days past its window (a rehearsal left running, a test plan dated last
week) that was one forecast per grid point, thousands per `cutover status` or `do ... send`.
After the window's end each point's answer follows from the run as it stood there alone:

- the run as it stood (`alarm.rewind`) only changes at a recorded start or finish, so the
  grid points between two such moments (a stretch) rewind to the same run;
- with a step of the plan still open there (pending, running or failed), every simulated
  night ends after that moment: a pending step starts no earlier than now, a running one
  ends no earlier (forecast_running: durations, ranges and scales are positive, and a NaN
  counts as outside), so P(in window) is exactly 0, whatever the pace;
- with none open, every step is fixed at its recorded finish: the forecast is the same at
  every point of the stretch, so one forecast answers them all;
- the evidence's `enough` (finished steps and their share of the work) reads the finished
  steps alone, the same across the stretch.

So each stretch after the end costs one rewind and one pace fit (and a forecast only when no
step is open), however many grid points it spans: a walk's forecasts are bounded by the
window's grid, not by the run's age. The answers are the old ones exactly
(tests/test_alarm_after.py compares the walk with the per-point one on generated runs).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .pace import PacePrior
    from .state import RunState

# (P(in window), the evidence enough) at a grid point, worked out the per-point way
PerPoint = Callable[[datetime], tuple[float, bool]]


class AfterEnd:
    """(P(in window), enough evidence) at grid points after the window's end, per stretch."""

    def __init__(self, state: RunState, prior: PacePrior) -> None:
        self.state = state
        self.prior = prior
        self.end = state.plan.window.end
        self._moments: list[datetime] | None = None  # built on the first point after the end
        self._known: dict[int, tuple[float, bool]] = {}
        self.forecasts = 0  # stretches that needed a forecast (benchmarks count them)

    def odds(self, at: datetime, per_point: PerPoint) -> tuple[float, bool] | None:
        """The answer at grid point `at`, or None when `at` is not after the window's end."""
        if at <= self.end:
            return None
        stretch = bisect_right(self._recorded(), at)
        found = self._known.get(stretch)
        if found is None:
            found = self._known[stretch] = self._work_out(at, per_point)
        return found

    def _recorded(self) -> list[datetime]:
        """Every recorded start and finish, in order: where the rewound run can change."""
        if self._moments is None:
            times = {
                t
                for st in self.state.status.values()
                for t in (st.started_at, st.finished_at)
                if t is not None
            }
            self._moments = sorted(times)
        return self._moments

    def _work_out(self, at: datetime, per_point: PerPoint) -> tuple[float, bool]:
        from .alarm import evidence_of, rewind  # late: alarm imports this module
        from .forecast_graph import level_graph  # late: numpy, as alarm's own imports
        from .forecast_running import step_standing
        from .pace import infer_pace

        past, _ = rewind(self.state, at)
        _, still_open, _ = step_standing(past, level_graph(past, False), past.plan.window.start, 0)
        if not still_open.any():
            self.forecasts += 1
            return per_point(at)
        return 0.0, evidence_of(past, infer_pace(past, at, self.prior)).enough


__all__ = ["AfterEnd"]

"""How the forecast moved through the night: the journal replayed, the verdict asked again.

The war room's verdict is a pure function of (state, now), so the review can ask it again at
moments of the night: the journal is folded event by event and, at evenly spaced samples
(and at each event that changes the run's phase), `engine.verdict.assess` gives the stage
and P(finish inside the window) with the same forecaster every process of the run used. The
moments each alarm level began are read from those samples, and the critical path's drift
(projected finish against the baseline) is taken just before rollback or at the end.

The odds need a forecaster (numpy, 500 nights per sample): `samples` bounds the cost, so a
320-step night stays within the review's time budget (benchmarks/report.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..engine.events import Event
from ..engine.fold import apply
from ..engine.forecast import Forecaster
from ..engine.pace import PacePrior
from ..engine.runstate import RunState
from ..engine.verdict import assess, forecaster_for

SAMPLES = 16


@dataclass(frozen=True)
class OddsPoint:
    at: datetime
    stage: str  # the verdict's stage: on-track, at-risk, late, roll-back, rolling-back...
    p_in_window: float | None
    delta: timedelta  # plan of record against the baseline finish


@dataclass(frozen=True)
class OddsHistory:
    points: list[OddsPoint]
    began: list[tuple[str, datetime]]  # each stage, when it began (in order, repeats kept)
    drift: timedelta | None  # projected finish against the baseline, before rollback or at the end


def odds_history(
    state0: RunState,
    events: list[Event],
    run_id: str,
    *,
    samples: int = SAMPLES,
    forecaster: Forecaster | None = None,
    prior: PacePrior | None = None,
) -> OddsHistory:
    """Replay `events` onto `state0` (the plan's initial state) and sample the verdict."""
    forecaster = forecaster or forecaster_for(run_id)
    started = next((e.at for e in events if e.type == "run-started"), None)
    end = next((e.at for e in events if e.type == "run-ended"), None)
    if started is None:
        return OddsHistory([], [], None)
    last = end or max(e.at for e in events)
    moments = sorted({*_moments(started, last, samples), *_turns(events, last)})
    state = state0
    points: list[OddsPoint] = []
    drift: timedelta | None = None
    ordered = sorted(events, key=lambda e: (e.at, e.seq))
    i = 0
    for moment in moments:
        while i < len(ordered) and ordered[i].at <= moment:
            e = ordered[i]
            if e.type == "rollback-invoked":  # the drift the night had reached when it turned
                drift = _point(state, e.at, forecaster, None, odds=False).delta
            apply(state, e)
            i += 1
        points.append(_point(state, moment, forecaster, prior, odds=state.phase != "ended"))
    if drift is None and points:
        drift = points[-1].delta
    return OddsHistory(points, _began(points), drift)


def _moments(start: datetime, end: datetime, samples: int) -> list[datetime]:
    """About `samples` moments from the start to the end, on whole minutes from the start
    (a stage "began at 23:51" reads better than at 23:51:27), and the end itself."""
    if end <= start or samples < 2:
        return [end]
    minutes = max(1, math.ceil((end - start) / timedelta(minutes=1) / (samples - 1)))
    step = timedelta(minutes=minutes)
    out = [start + step * k for k in range(samples) if start + step * k < end]
    return [*out, end]


# Events after which the verdict's stage may turn: asked again right there, so a stage that
# lasts less than a sample's interval (a trigger answered in eight minutes) is not missed.
_TURNING = frozenset(
    {
        "trigger-fired",
        "trigger-overridden",
        "rollback-invoked",
        "window-alert",
        "step-failed",
        "checkpoint-failed",
    }
)


def _turns(events: list[Event], last: datetime) -> set[datetime]:
    return {e.at for e in events if (e.type in _TURNING or _no_go(e)) and e.at <= last}


def _no_go(e: Event) -> bool:
    """A no-go at a gate turns the verdict to NO GO (engine/verdict_nogo.py); a go does not."""
    return e.type == "gate-decided" and e.decision == "no-go"


def _point(
    state: RunState, at: datetime, forecaster: Forecaster, prior: PacePrior | None, *, odds: bool
) -> OddsPoint:
    """The verdict at `at`, with the odds the war room had (its forecaster and pace prior)."""
    _, _, verdict = assess(state, at, forecaster if odds else None, prior)
    return OddsPoint(at, verdict.stage, verdict.p_in_window, verdict.delta)


def _began(points: list[OddsPoint]) -> list[tuple[str, datetime]]:
    out: list[tuple[str, datetime]] = []
    for p in points:
        if not out or out[-1][0] != p.stage:
            out.append((p.stage, p.at))
    return out

"""foresee(state, now, forecaster) -> Foresight: will we make the window, at tonight's pace?

The status-date method (`engine.schedule`) projects every pending step at its budget, so it
notices a breach only once the slip has happened. Foresight learns tonight's pace from the
steps already finished (`engine.pace`), carries it, with its uncertainty, into the Monte Carlo
forecast of the remaining steps (`engine.forecast`), and sets the alarm level from the odds:

- late when P(finish inside the window) < `late_below` (default 35 %: a breach is at least
  65 % likely; chosen on the tune nights of benchmarks/foresight.py with
  benchmarks/foresight_sweep.py (issue 21, with the alarm's spell and evidence floor,
  engine/alarm.py, and the drift learnt from the night, engine/pace_drift.py): 40 % raised
  one more false alarm (an ERP night that made its window) for a little more warning, 30 %
  gave the same false alarms and less warning, 45-50 % more false alarms);
- at risk when P(finish inside the window) < `at_risk_below` (default 80 %), or when
  P(finish before the buffer line) < `buffer_below` (default 50 %): the buffer line is the
  deadline minus the plan's buffer rule (`window.buffer` of the window). When the plan itself,
  forecast before the night starts, already misses that line more often than `buffer_below`
  allows, the buffer odds do not raise the alarm (they would from the first minute; the
  status-date method has the same exemption for a plan that never met the buffer rule);
- on track otherwise.

The plan may set the three thresholds (`[window.alarm]`, see the README); `Thresholds(...)`
overrides them. Every level comes with its reason, naming the evidence and the projection:
"the last 6 steps ran 48 % over budget; at this pace the cutover ends at 03:10 (P80 03:40):
23 % chance of finishing by 06:00".

Pure: no I/O, no clock, no textual. The Forecaster holds the common random numbers, so calling
this every second with the same forecaster gives a steady figure. On a very large plan the last
answer stands for a few seconds while no event arrives (`engine.foresight_pacing`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..plan.durations import format_duration
from . import foresight_pacing
from .alarm import Alarm, settle
from .forecast import Forecast, Forecaster
from .pace import Pace, PacePrior, infer_pace, percent
from .schedule import Level
from .state import RunState, fold


@dataclass(frozen=True)
class Thresholds:
    """The odds behind the alarm levels (probabilities, 0..1)."""

    late_below: float = 0.35  # late when P(in window) is below this
    at_risk_below: float = 0.8  # at risk when P(in window) is below this ...
    buffer_below: float = 0.5  # ... or P(before the buffer line) is below this

    @classmethod
    def of(cls, plan) -> Thresholds:
        """The plan's `[window.alarm]` thresholds, the defaults where it sets none."""
        alarm = getattr(plan.window, "alarm", None)
        if alarm is None:
            return cls()
        default = cls()
        return cls(
            late_below=_or(getattr(alarm, "late_below", None), default.late_below),
            at_risk_below=_or(getattr(alarm, "at_risk_below", None), default.at_risk_below),
            buffer_below=_or(getattr(alarm, "buffer_below", None), default.buffer_below),
        )


OWN = 0.05  # tonight's odds this far below the plan's own before the night: AT RISK again


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


@dataclass(frozen=True, eq=False)
class Foresight:
    """The war room's answer to "will we make it, at tonight's pace?" at one moment."""

    now: datetime
    level: Level
    reason: str  # why this level: the evidence, the projection and the odds
    p_in_window: float
    p_in_buffer: float
    p50: datetime
    p80: datetime
    deadline: datetime
    buffer_line: datetime
    buffer_counts: bool  # False: the plan never kept its buffer, the buffer odds do not alarm
    pace: Pace
    p80_path: tuple[str, ...]  # the chain of open steps that sets the P80 finish
    forecast: Forecast
    thresholds: Thresholds
    alarm: Alarm | None = None  # the odds' LATE after hysteresis (engine/alarm.py)

    @property
    def standard_error(self) -> float:
        return self.forecast.standard_error


def foresee(
    state: RunState,
    now: datetime,
    forecaster: Forecaster,
    prior: PacePrior | None = None,
    thresholds: Thresholds | None = None,
) -> Foresight:
    """Tonight's pace, the forecast at that pace, and the alarm level with its reason."""
    prior = prior or PacePrior()
    thresholds = thresholds or Thresholds.of(state.plan)
    inputs = (prior, thresholds)
    reused = foresight_pacing.recent(forecaster, state, now, inputs)
    if reused is not None:
        return reused
    sight = _foresee(state, now, forecaster, prior, thresholds)
    foresight_pacing.keep(forecaster, state, now, inputs, sight)
    return sight


def _foresee(
    state: RunState,
    now: datetime,
    forecaster: Forecaster,
    prior: PacePrior,
    thresholds: Thresholds,
) -> Foresight:
    pace = infer_pace(state, now, prior)
    sim = forecaster.simulate(state, now, scales=prior.scales or None, slowness=pace.slowness)
    forecast = forecaster.summarise(state, sim)
    assert forecast.deadline is not None and forecast.buffer_line is not None
    counts = _buffer_counts(state, forecaster, prior, thresholds)
    path = tuple(sim.path(sim.quantile_iteration(0.8)))
    own = _plan_odds(state, forecaster, prior)
    level, reason = _judge(state, forecast, pace, thresholds, counts, own)
    alarm = None
    if not forecast.settled and state.rollback_at is None:
        late_below = thresholds.late_below
        alarm = settle(state, now, forecast.p_in_window, pace, late_below, forecaster, prior)
        level, reason = _held(level, reason, alarm)
    return Foresight(
        now=now,
        level=level,
        reason=reason,
        p_in_window=forecast.p_in_window,
        p_in_buffer=forecast.p_in_buffer,
        p50=forecast.p50,
        p80=forecast.p80,
        deadline=forecast.deadline,
        buffer_line=forecast.buffer_line,
        buffer_counts=counts,
        pace=pace,
        p80_path=path,
        forecast=forecast,
        thresholds=thresholds,
        alarm=alarm,
    )


def _held(level: Level, reason: str, alarm: Alarm) -> tuple[Level, str]:
    """The raw level from the odds, held to the alarm's spell, evidence and margin."""
    if alarm.late:
        level = "late"
    elif level == "late":
        level = "at-risk"  # below the line, not yet for long enough or on enough work
    return level, f"{reason}; {alarm.text}" if alarm.text else reason


def _judge(
    state: RunState,
    forecast: Forecast,
    pace: Pace,
    thresholds: Thresholds,
    buffer_counts: bool,
    own: float | None = None,
) -> tuple[Level, str]:
    when = state.when
    deadline = forecast.deadline
    assert deadline is not None
    what = "the rollback" if state.rollback_at is not None else "the cutover"
    if forecast.settled:
        graph = state.rollback_order if state.rollback_at is not None else state.order
        stopped = any(not state.status[sid].closed for sid in graph)
        finished = (
            f"the run ended ({state.outcome}) at {when(forecast.p50)} with steps open"
            if stopped
            else f"{what} finished at {when(forecast.p50)}"
        )
        if forecast.p_in_window >= 1.0:
            return "on-track", f"{finished}, before the {when(deadline)} deadline"
        late_by = format_duration(forecast.p50 - deadline)
        return "late", f"{finished}, {late_by} after the {when(deadline)} deadline"
    p_in, p_buffer = forecast.p_in_window, forecast.p_in_buffer
    evidence = pace.evidence
    projection = (
        f"at this pace {what} ends at {when(forecast.p50)} (P80 {when(forecast.p80)}): "
        f"{percent(p_in)} chance of finishing by {when(deadline)}"
    )
    # A plan whose own odds, before the night, are already under the AT RISK line is not
    # AT RISK for that alone: the odds warn when tonight reads worse than the plan did.
    tight = own is not None and own < thresholds.at_risk_below
    if p_in < thresholds.late_below:
        level: Level = "late"
    elif p_in < thresholds.at_risk_below and not (tight and own is not None and p_in >= own - OWN):
        level = "at-risk"
    elif tight and p_in < thresholds.at_risk_below:
        level = "on-track"
        projection += f" (the plan's own odds before the night: {percent(own or 0.0)})"
    elif buffer_counts and p_buffer < thresholds.buffer_below:
        level = "at-risk"
        projection += (
            f", {percent(p_buffer)} of keeping the buffer (by {when(forecast.buffer_line)})"
        )
    else:
        level = "on-track"
    return level, f"{evidence}; {projection}" if evidence else projection


def before_the_night(plan, forecaster: Forecaster, prior: PacePrior | None = None) -> Forecast:
    """The plan's forecast before its night starts, as the war room reckons it at 0 % done:
    its pace the prior's (the reference class, or the rehearsals') with the drift the night
    may take. `cutover rehearsals` prints these figures, so they agree with the war room's."""
    prior = prior or PacePrior()
    start = fold(plan, [])
    at = plan.window.start
    pace = infer_pace(start, at, prior)
    return forecaster.forecast(start, at, scales=prior.scales or None, slowness=pace.slowness)


def _plan_odds(state: RunState, forecaster: Forecaster, prior: PacePrior) -> float | None:
    """P(in window) of the plan as written, before the night (None during a rollback)."""
    if state.rollback_at is not None:
        return None
    key = f"plan:foresight-own:{forecaster.seed}:{forecaster.iterations}:{_prior_text(prior)}"
    cached = state.derived.get(key)
    if cached is None:
        cached = state.derived[key] = before_the_night(state.plan, forecaster, prior).p_in_window
    return cached


def _prior_text(prior: PacePrior) -> str:
    return (
        f"{prior.factor}:{prior.spread}:{prior.phase_spread}:{prior.step_noise}:"
        f"{prior.latency}:{prior.tail}:{prior.drift}:{hash(tuple(sorted(prior.scales.items())))}"
    )


def _buffer_counts(
    state: RunState, forecaster: Forecaster, prior: PacePrior, thresholds: Thresholds
) -> bool:
    """Did the plan file keep its buffer on its own estimates, before the night started?"""
    if state.rollback_at is not None:
        return False  # the rollback deadline has no buffer rule
    key = (
        f"plan:foresight-buffer:{forecaster.seed}:{forecaster.iterations}:"
        f"{prior.factor}:{prior.spread}:{prior.phase_spread}:{prior.step_noise}:"
        f"{prior.latency}:{prior.tail}:{prior.drift}:{thresholds.buffer_below}:"
        f"{hash(tuple(sorted(prior.scales.items())))}"
    )
    cached = state.derived.get(key)
    if cached is None:
        before = before_the_night(state.plan, forecaster, prior)
        cached = state.derived[key] = before.p_in_buffer >= thresholds.buffer_below
    return cached


__all__ = ["Foresight", "Thresholds", "before_the_night", "foresee"]

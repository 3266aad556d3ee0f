"""LATE with hysteresis and evidence: an alarm that does not cry wolf, the same in every process.

The odds at tonight's pace move with every step that finishes. Read raw, a night that ends
5 to 20 minutes inside the window dips below the LATE line for a moment and raises an alarm
nobody should act on. So the odds' LATE is held to three rules:

- a sustained spell: the odds have been below `late_below` at every point of the alarm grid
  for `SPELL_POINTS` points in a row (the grid divides the window in `GRID_POINTS`: every 5
  minutes of an 8-hour window, 30 minutes of a 48-hour one), the present moment included;
- enough work behind the pace: at least `MIN_STEPS` finished steps and `MIN_WORK` of the
  plan's budgeted work done when the spell completes (a pace read from two short steps says
  little);
- a margin to clear: once LATE, the odds must climb back to `late_below + MARGIN` to clear.

Below the line without the spell or the evidence, the odds say AT RISK, and why not LATE yet.

One truth from (journal state, now). The hysteresis is not remembered by whichever process
happened to be watching: it is worked out again from the run's recorded history, by rewinding
the state to each grid point (a step counts as finished, running or pending there by its
recorded times) and asking the same forecaster the odds there, so `cutover status`, a war
room opened at 3 a.m. and one open since the start all agree. It costs little: the scan goes
back from now only while the odds stay under the clearing line (a night on track computes
nothing more), and each grid point's odds are kept per forecaster, keyed by the evidence as
it stood there, so a late tick-off with `--at` recomputes the points it changes. Points after
the window's end need no forecast of their own (engine/alarm_after.py): a run left open days
past its window makes no more forecasts than its window's grid.

Pure: no I/O, no clock; `now` is an argument.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..plan.durations import format_duration
from .alarm_after import AfterEnd
from .fold_step_clock import stood_at
from .runstate import StepState

if TYPE_CHECKING:
    from .forecast import Forecaster
    from .pace import Pace, PacePrior
    from .state import RunState

GRID_POINTS = 96  # the alarm grid: the window in this many points (5 min of an 8-hour window)
MIN_GRID = timedelta(minutes=1)
SPELL_POINTS = 4  # LATE needs the odds below the line at this many grid points in a row
# ... and, early in the night, for this share of the time left to the window's end: waiting
# then costs a share of the warning's lead rather than fixed minutes (0: off).
SPELL_SHARE = 0.0
MARGIN = 0.10  # LATE clears only when P(in window) is back above late_below + MARGIN
MIN_STEPS = 3  # finished steps behind the pace before the odds may say LATE
MIN_WORK = 0.10  # and this share of the plan's budgeted work done


@dataclass(frozen=True)
class Evidence:
    """How much finished work the pace stands on: what `w` says of the estimate's sureness."""

    steps: int  # finished steps timing the pace
    running: int  # running steps counted as (censored) evidence
    work: float  # share of the plan's budgeted work finished

    @property
    def enough(self) -> bool:
        return self.steps >= MIN_STEPS and self.work >= MIN_WORK

    def words(self) -> str:
        share = f"{round(self.work * 100)} %"
        base = (
            f"{self.steps} finished step{'s' if self.steps != 1 else ''} ({share} of the "
            f"planned work)"
        )
        if self.enough:
            return f"the pace stands on {base}"
        return (
            f"the pace stands on only {base}: LATE waits for {MIN_STEPS} steps and "
            f"{round(MIN_WORK * 100)} % of the work"
        )


@dataclass(frozen=True)
class Alarm:
    """The odds' LATE after hysteresis, and the words that explain it."""

    late: bool  # the odds say LATE
    below: bool  # P(in window) is below the LATE line now
    since: datetime | None  # the first grid point of the current spell below the line
    raised: datetime | None  # when LATE was raised (None: not LATE)
    evidence: Evidence
    text: str  # why LATE, or why not yet; empty when the odds are above the line


def spell_needed(left: timedelta | float, step: timedelta | float) -> int:
    """Grid points in a row below the line LATE needs with `left` to the window's end (in
    the same unit as `step`): `SPELL_POINTS`, or more while much of the window is left."""
    if SPELL_SHARE <= 0 or step <= step * 0:
        return SPELL_POINTS
    return max(SPELL_POINTS, math.ceil(SPELL_SHARE * max(left / step, 0.0)))


def grid_step(state: RunState) -> timedelta:
    window = state.plan.window
    return max(MIN_GRID, (window.end - window.start) / GRID_POINTS)


def evidence_of(state: RunState, pace: Pace) -> Evidence:
    total = _total_work(state)
    done = sum(e.budget.total_seconds() for e in pace.steps if e.finished_at is not None)
    return Evidence(pace.n, pace.running, done / total if total > 0 else 0.0)


def settle(
    state: RunState,
    now: datetime,
    p_now: float,
    pace_now: Pace,
    late_below: float,
    forecaster: Forecaster,
    prior: PacePrior,
) -> Alarm:
    """The odds' LATE at `now`, from the run's history of odds on the alarm grid."""
    evidence = evidence_of(state, pace_now)
    clear_at = late_below + MARGIN
    if p_now >= clear_at or state.started_at is None:
        return Alarm(False, p_now < late_below, None, None, evidence, "")
    step = grid_step(state)
    start = max(state.plan.window.start, state.started_at)
    # The grid points before now (aligned on the window's start, so every process has the
    # same), newest first, back to the last one at or above the clearing line.
    origin = state.plan.window.start
    k = math.floor((now - origin) / step)
    if origin + k * step >= now:
        k -= 1
    points: list[tuple[datetime, float, bool]] = [(now, p_now, evidence.enough)]
    prior_key = _prior_key(prior)  # once: a calibrated prior holds a scale per step

    def per_point(at: datetime) -> tuple[float, bool]:
        p, ev = _odds_at(state, at, forecaster, prior, prior_key)
        return p, ev.enough

    after = AfterEnd(state, prior)  # past the window's end: one answer per stretch
    while k >= 0:
        at = origin + k * step
        if at < start:
            break
        p, enough = after.odds(at, per_point) or per_point(at)
        points.append((at, p, enough))
        if p >= clear_at:
            break
        k -= 1
    points.reverse()
    late, run, since, raised = replay(points, late_below, state.plan.window.end, step)
    text = _words(state, late, p_now, late_below, since, raised, run, evidence, step)
    return Alarm(late, p_now < late_below, since, raised, evidence, text)


def replay(
    points: list[tuple[datetime, float, bool]],
    late_below: float,
    end: datetime | None = None,
    step: timedelta | None = None,
) -> tuple[bool, int, datetime | None, datetime | None]:
    """The alarm's state machine over (moment, P(in window), enough evidence), oldest first,
    from a moment that was not LATE: (late, points in the current spell below the line, when
    that spell began, when LATE was raised). `end` and `step` (the window's end and the grid)
    size the spell by the time left (`spell_needed`); without them it is `SPELL_POINTS`."""
    late, run, since, raised = False, 0, None, None
    for at, p, enough in points:
        run = run + 1 if p < late_below else 0
        since = (since if run > 1 else at) if run else None
        need = SPELL_POINTS if end is None or step is None else spell_needed(end - at, step)
        if run >= need and enough and not late:
            late, raised = True, at
        elif late and p >= late_below + MARGIN:
            late, raised = False, None
    return late, run, since, raised


def sureness(alarm: Alarm, state: RunState) -> str:
    """For `w`: how much evidence the estimate stands on, and what the odds' LATE needs."""
    step = grid_step(state)
    spell = format_duration(step * (SPELL_POINTS - 1))
    early = (
        f", longer while much of the window is left ({round(SPELL_SHARE * 100)} % of it)"
        if SPELL_SHARE > 0
        else ""
    )
    return (
        f"{alarm.evidence.words()}; {alarm.evidence.running} running. The odds say LATE "
        f"after {SPELL_POINTS} checks in a row below the line (every {format_duration(step)},"
        f" about {spell}{early}) on at least {MIN_STEPS} finished steps and "
        f"{round(MIN_WORK * 100)} % of the work, and clear {round(MARGIN * 100)} points "
        "above the line"
    )


def _words(
    state: RunState,
    late: bool,
    p: float,
    late_below: float,
    since: datetime | None,
    raised: datetime | None,
    run: int,
    evidence: Evidence,
    step: timedelta,
) -> str:
    when = state.when
    line = f"{round(late_below * 100)} %"
    clear = f"{round((late_below + MARGIN) * 100)} %"
    if late and p < late_below:
        return f"LATE since {when(raised)}: the odds below the {line} line since {when(since)}"
    if late:
        return (
            f"LATE since {when(raised)}: the odds are back at {round(p * 100)} %, and it clears "
            f"once they are above {clear}"
        )
    if p >= late_below:
        return ""
    needed = _spell_length(since, state.plan.window.end, step) if since is not None else 0
    if since is not None and run < needed:
        until = since + (needed - 1) * step
        spell = (
            f"the odds have been below the {line} LATE line since {when(since)}: LATE if they "
            f"stay there until {when(until)}"
        )
        return spell + ("" if evidence.enough else f" and {_more(evidence)}")
    return (
        f"the odds have been below the {line} LATE line since {when(since)}, but {_more(evidence)}"
    )


def _spell_length(since: datetime, end: datetime, step: timedelta) -> int:
    """How many grid points a spell below the line that began at `since` needs to complete."""
    points = 1
    while points < spell_needed(end - (since + (points - 1) * step), step):
        points += 1
    return points


def _more(evidence: Evidence) -> str:
    return (
        f"only {evidence.steps} step{'s' if evidence.steps != 1 else ''} "
        f"({round(evidence.work * 100)} % of the work) have finished: LATE waits for "
        f"{MIN_STEPS} steps and {round(MIN_WORK * 100)} % of the work"
    )


# -- the odds at a past grid point ------------------------------------------------------------


_kept: weakref.WeakKeyDictionary[Forecaster, dict] = weakref.WeakKeyDictionary()


def _odds_at(
    state: RunState, at: datetime, forecaster: Forecaster, prior: PacePrior, prior_key: tuple
) -> tuple[float, Evidence]:
    """P(in window) and the evidence as the run stood at `at`, kept per forecaster."""
    from .pace import infer_pace  # late: pace imports forecast, which this module need not

    cache = _kept.setdefault(forecaster, {})
    # While no event arrives (most ticks) the evidence at `at` cannot have changed: skip the
    # rewind, which walks every step.
    quick = (id(state), at, state.event_count, state.revision, prior_key)
    found = cache.get(quick)
    if found is not None:
        return found
    past, signature = rewind(state, at)
    key = (at, signature, prior_key)
    found = cache.get(key)
    if found is None:
        pace = infer_pace(past, at, prior)
        sim = forecaster.simulate(past, at, scales=prior.scales or None, slowness=pace.slowness)
        found = cache[key] = (forecaster.summarise(past, sim).p_in_window, evidence_of(past, pace))
        if len(cache) > 4 * GRID_POINTS:  # a long watch: forget the oldest answers
            for old in list(cache)[: 2 * GRID_POINTS]:
                del cache[old]
    cache[quick] = found
    return found


def rewind(state: RunState, at: datetime) -> tuple[RunState, int]:
    """The run as its recorded step times say it stood at `at` (a step finished by then is as
    it ended, one started by then is running, the rest pending), and a hash of that evidence.
    Amendments and gate decisions are taken as they are now: the pace reads step times."""
    status: dict[str, StepState] = {}
    touched = []
    fresh = StepState()
    for sid, st in state.status.items():
        if st.finished_at is not None and st.finished_at <= at:
            status[sid] = st
            touched.append((sid, st.status, st.started_at, st.finished_at))
        elif st.started_at is not None and st.started_at <= at:
            # Running or suspended then, its clock as it read then: suspensions and host
            # clock jumps up to `at` left out of the time it ran, as the fold had them.
            then = status[sid] = stood_at(st, at)
            touched.append(
                (sid, then.status, st.started_at, None, then.ran_by(at), then.resume_eta)
            )
        else:
            status[sid] = fresh
    past = replace(state, status=status, phase="running", rollback_at=None, ended_at=None)
    past.derived = state.derived  # the graph is the same: its caches too
    return past, hash(tuple(touched))


def _prior_key(prior: PacePrior) -> tuple:
    return (
        prior.factor,
        prior.spread,
        prior.phase_spread,
        prior.step_noise,
        prior.latency,
        prior.tail,
        prior.drift,
        prior.drift_segments,
        prior.heavy_scatter,
        tuple(sorted(prior.scales.items())),
    )


def _total_work(state: RunState) -> float:
    key = "alarm:total-work"  # from the graph alone: `derived` is renewed by an amendment
    total = state.derived.get(key)
    if total is None:
        total = state.derived[key] = sum(
            state.steps[sid].duration.total_seconds() for sid in state.order
        )
    return total


__all__ = [
    "Alarm",
    "Evidence",
    "evidence_of",
    "grid_step",
    "replay",
    "rewind",
    "settle",
    "spell_needed",
]

"""judge(state, sched, sight, now) -> Verdict: the one answer every screen and the CLI show.

The war room answers three questions at every second: where are we, will we make the window,
must we roll back. Before this module each screen derived its own answer from the schedule
(the status-date method) and the foresight (the odds at tonight's pace), and they disagreed:
a badge AT RISK beside `w` saying ON TRACK, ON TRACK beside a fired rollback trigger. Now the
badge, `w`, the status lines, the alerts, the timeline and `cutover status` read one Verdict,
made once per (state, now).

The stage follows the run's life, first match wins:
- ended: the run ended (completed, rolled back, aborted); the clock stops at the end;
- rolling-back: rollback was invoked; the figures are about the rollback and its RTO deadline;
- no-go: a go/no-go gate said no-go; nothing after it can start: roll back or end the run
  (engine/verdict_nogo.py; the odds and the plan of record are silent, as they read the rest
  of the plan as still to be run; a fired rollback trigger is listed after it);
- roll-back: a rollback trigger fired (or a checkpoint whose on_fail is rollback failed) and
  the commander has neither invoked rollback nor recorded an override with a reason;
- no-return: the last safe rollback start has passed with the plan still open: a rollback
  started now would no longer restore service inside the window;
- before-window: the window has not opened and no step (but a gate) has started;
- on-track / at-risk / late: the pace, the worst of the rules below.

The pace rules, each a level with its words: the odds at tonight's pace (`foresight`), the
plan of record (the status-date projection against the deadline and the buffer rule), a fired
alert trigger while its cause stands, a failed checkpoint on hold, a failed step. A running step over its budget is said (whether
it is on the critical path) but not scored: the projection and the odds carry its effect. `rules` lists every rule that spoke, the deciding one first.

The headline finish is the likely finish at tonight's pace (P50, with P80 beside it) when the
odds are known: it is the best estimate we have. The plan of record (status-date) finish is
kept beside it, labelled "plan", because the delta against the baseline is measured on it.

Pure: no I/O, no clock, no textual.

The vocabulary (stages, `Rule`, `Verdict`) lives in `engine.verdict_types`, the pace rules in
`engine.verdict_pace`, the life stages in `engine.verdict_life`; this module re-exports the names.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from ..plan.durations import format_duration
from .schedule import FiredTrigger, Level, Schedule, schedule
from .state import RunState
from .verdict_life import (
    _calling,
    _ended,
    _no_return_rule,
    _past_no_return,
    _rolling_back,
    _trigger_rule,
    if_overridden,
    roll_back_rules,
)
from .verdict_nogo import SILENCED_BY_NO_GO, no_go_rules, standing_no_go
from .verdict_pace import _pace_rules
from .verdict_types import (  # re-exported: callers import these from here
    LEVELS,
    LIFE_RULES,  # noqa: F401
    STAGE_WORD,
    Basis,
    Rule,
    Stage,
    Tone,
    Verdict,
    _minutes,
)

if TYPE_CHECKING:  # the odds import numpy (~0.2 s): only when they are worked out (issue 14)
    from .forecast import Forecaster
    from .foresight import Foresight
    from .pace import PacePrior

FORECAST_ITERATIONS = 500  # every process on a run draws the same nights: same odds everywhere


def forecaster_for(run_id: str) -> Forecaster:
    """The forecaster every process uses for a run: same iterations, same seed, same odds."""
    from .forecast import Forecaster  # numpy: only where a forecaster is made

    seed = int.from_bytes(hashlib.sha256(run_id.encode()).digest()[:4], "big")
    return Forecaster(iterations=FORECAST_ITERATIONS, seed=seed)


def assess(
    state: RunState,
    now: datetime,
    forecaster: Forecaster | None = None,
    prior: PacePrior | None = None,
) -> tuple[Schedule, Foresight | None, Verdict]:
    """The schedule, the odds (with a forecaster, while the run goes) and the verdict at
    `now`: what the war room and `cutover status` both show."""
    sched = schedule(state, now)
    sight = None
    # No odds under a no-go: they would simulate the gate passing (engine/verdict_nogo.py).
    if (
        forecaster is not None
        and state.phase in ("running", "rollback")
        and standing_no_go(state) is None
    ):
        from .foresight import foresee  # numpy: only when the odds are worked out

        sight = foresee(state, now, forecaster, prior)
    return sched, sight, judge(state, sched, sight, now)


def worst(levels: list[Level]) -> Level:
    return max(levels, key=LEVELS.index) if levels else "on-track"


def judge(state: RunState, sched: Schedule, sight: Foresight | None, now: datetime) -> Verdict:
    """The one verdict for this state at `now` (see the module's docstring)."""
    if state.phase == "ended":
        return _ended(state, sched, now)
    no_go = standing_no_go(state)
    if no_go is not None:
        sight = None  # the odds simulate the gate passing: a no-go is final
    pace_rules = _pace_rules(state, sched, sight)
    if no_go is not None:
        pace_rules = [r for r in pace_rules if r.name not in SILENCED_BY_NO_GO]
    pace = worst([r.level for r in pace_rules])
    calling = _calling(state, sched)
    stage: Stage
    life: list[Rule] = []
    if state.phase == "rollback":
        stage = "rolling-back"
        life.append(_rolling_back(state, sched))
        pace = worst([pace, life[0].level])
    elif no_go is not None:
        stage = "no-go"
        life += no_go_rules(state, sched, no_go)
        if calling is not None:  # still answerable (O), though the no-go stands either way
            life.insert(1, _trigger_rule(state, calling))
        pace = "late"  # the plan will not finish, in the window or at all
    elif calling is not None:
        stage = "roll-back"
        life += roll_back_rules(state, sched, calling)
        pace_rules = [if_overridden(r) for r in pace_rules]
    elif _past_no_return(state, sched, now):
        stage = "no-return"
        life.append(_no_return_rule(state, sched, pace))
    elif now < state.plan.window.start and not state.under_way():
        stage = "before-window"
        opens = state.plan.window.start
        life.append(
            Rule(
                "before-window",
                "on-track",
                f"the window opens at {state.when(opens)} (in {format_duration(opens - now)});"
                " nothing has started",
            )
        )
    else:
        stage = pace
    # The deciding rule first: the life stage, then the worst pace rule (stable: the odds
    # lead among equals, as they are the best estimate).
    ordered = sorted(pace_rules, key=lambda r: -LEVELS.index(r.level))
    gate = no_go.gate if no_go is not None else None
    return _verdict(state, sched, sight, now, stage, pace, (*life, *ordered), calling, gate)


def _verdict(
    state: RunState,
    sched: Schedule,
    sight: Foresight | None,
    now: datetime,
    stage: Stage,
    pace: Level,
    rules: tuple[Rule, ...],
    calling: FiredTrigger | None,
    no_go: str | None = None,
) -> Verdict:
    likely = sight.p50 if sight is not None else None
    p80 = max(sight.p80, sight.p50) if sight is not None else None
    return Verdict(
        now=now,
        stage=stage,
        pace=pace,
        tone=_tone(stage, pace),
        rules=rules,
        headline=likely or sched.projected_finish,
        basis=_basis(stage, likely),
        plan_finish=sched.projected_finish,
        baseline_finish=sched.baseline_finish,
        delta=_minutes(sched.delta),
        deadline=sched.deadline,
        likely=likely,
        p80=p80,
        p_in_window=sight.p_in_window if sight is not None else None,
        calling=calling,
        stopped_at=None,
        no_go=no_go,
    )


def _basis(stage: Stage, likely: datetime | None) -> Basis:
    """What the headline finish is: the odds', the plan of record's, or, where no finish is
    claimed (a NO GO, a ROLL BACK call), the stage that withholds it."""
    if stage == "no-go" or stage == "roll-back":  # WITHHELD_BECAUSE's stages
        return stage
    return "likely" if likely else "plan"


def _tone(stage: Stage, pace: Level) -> Tone:
    if stage == "before-window":
        return "info"
    if stage in ("roll-back", "no-go"):
        return "bad"
    if stage in ("no-return", "rolling-back"):
        return "bad" if pace == "late" else "warn"
    return {"on-track": "ok", "at-risk": "warn", "late": "bad"}[pace]


__all__ = [
    "STAGE_WORD",
    "Rule",
    "Stage",
    "Tone",
    "Verdict",
    "assess",
    "forecaster_for",
    "judge",
    "worst",
]

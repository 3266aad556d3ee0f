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
- roll-back: a rollback trigger fired (or a checkpoint whose on_fail is rollback failed) and
  the commander has neither invoked rollback nor recorded an override with a reason;
- no-return: the last safe rollback start has passed with the plan still open: a rollback
  started now would no longer restore service inside the window;
- before-window: not started and the window has not opened;
- on-track / at-risk / late: the pace, the worst of the rules below.

The pace rules, each a level with its words: the odds at tonight's pace (`foresight`), the
plan of record (the status-date projection against the deadline and the buffer rule), a fired
alert trigger, a failed checkpoint on hold. A running step over its budget is said (whether
it is on the critical path) but not scored: the projection and the odds carry its effect. `rules` lists every rule that spoke, the deciding one first.

The headline finish is the likely finish at tonight's pace (P50, with P80 beside it) when the
odds are known: it is the best estimate we have. The plan of record (status-date) finish is
kept beside it, labelled "plan", because the delta against the baseline is measured on it.

Pure: no I/O, no clock, no textual.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from ..plan.durations import format_duration
from .schedule import FiredTrigger, Level, Schedule, schedule
from .state import RunState

if TYPE_CHECKING:  # the odds import numpy (~0.2 s): only when they are worked out (issue 14)
    from .forecast import Forecaster
    from .foresight import Foresight
    from .pace import PacePrior

Stage = Literal[
    "before-window",
    "on-track",
    "at-risk",
    "late",
    "roll-back",
    "no-return",
    "rolling-back",
    "ended",
]
Tone = Literal["info", "ok", "warn", "bad"]

STAGE_WORD: dict[str, str] = {
    "before-window": "BEFORE WINDOW",
    "on-track": "ON TRACK",
    "at-risk": "AT RISK",
    "late": "LATE",
    "roll-back": "ROLL BACK",
    "no-return": "PAST NO RETURN",
    "rolling-back": "ROLLING BACK",
    "ended": "ENDED",
}
LEVELS: tuple[Level, ...] = ("on-track", "at-risk", "late")
LIFE_RULES = frozenset({"trigger", "rollback-point", "rto", "before-window", "ended"})
FORECAST_ITERATIONS = 500  # every process on a run draws the same nights: same odds everywhere


def forecaster_for(run_id: str) -> Forecaster:
    """The forecaster every process uses for a run: same iterations, same seed, same odds."""
    from .forecast import Forecaster  # numpy: only where a forecaster is made

    seed = int.from_bytes(hashlib.sha256(run_id.encode()).digest()[:4], "big")
    return Forecaster(iterations=FORECAST_ITERATIONS, seed=seed)


@dataclass(frozen=True)
class Rule:
    """One reason the verdict is what it is."""

    name: str  # odds, plan-of-record, buffer-rule, overrun, alert, hold, trigger, override, ...
    level: Level  # how bad what it says is for the window
    text: str  # in words, for `w` and `cutover status`


@dataclass(frozen=True)
class Verdict:
    now: datetime
    stage: Stage
    pace: Level  # the worst pace rule: the colour of the finish figures
    tone: Tone  # the badge's colour
    rules: tuple[Rule, ...]  # every rule that spoke, the deciding one first
    headline: datetime  # the finish a commander reads first
    basis: Literal["likely", "plan", "ended"]  # what the headline finish is
    plan_finish: datetime  # the plan of record: status-date projection
    baseline_finish: datetime
    delta: timedelta  # plan of record against the baseline, in whole minutes
    deadline: datetime
    likely: datetime | None  # P50 at tonight's pace
    p80: datetime | None  # never earlier than `likely`
    p_in_window: float | None
    calling: FiredTrigger | None  # the rollback trigger the commander must answer
    stopped_at: datetime | None  # ended runs: the clock stops here

    @property
    def word(self) -> str:
        return STAGE_WORD[self.stage]

    @property
    def decided_by(self) -> Rule:
        return self.rules[0]

    @property
    def pace_rule(self) -> Rule:
        """The rule that sets the pace level (the worst pace rule, the odds first)."""
        return next(
            (r for r in self.rules if r.name not in LIFE_RULES and r.level == self.pace),
            self.rules[0],
        )

    @property
    def countdown(self) -> bool:
        """Do countdowns (time left, rollback by) mean anything? Not once the run ended."""
        return self.stage != "ended"

    @property
    def clock(self) -> datetime:
        """The moment the figures are for: now, or the end of an ended run."""
        return self.stopped_at or self.now

    def as_dict(self) -> dict:
        def iso(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment else None

        return {
            "level": self.stage,
            "word": self.word,
            "pace": self.pace,
            "decided_by": self.decided_by.name,
            "rules": [{"rule": r.name, "level": r.level, "text": r.text} for r in self.rules],
            "finish": {
                "headline": iso(self.headline),
                "basis": self.basis,
                "likely_p50": iso(self.likely),
                "p80": iso(self.p80),
                "plan_of_record": iso(self.plan_finish),
                "baseline": iso(self.baseline_finish),
                "deadline": iso(self.deadline),
                "p_in_window": self.p_in_window,
            },
            "roll_back": self.calling.trigger or self.calling.step if self.calling else None,
            "stopped_at": iso(self.stopped_at),
        }


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
    if forecaster is not None and state.phase in ("running", "rollback"):
        from .foresight import foresee  # numpy: only when the odds are worked out

        sight = foresee(state, now, forecaster, prior)
    return sched, sight, judge(state, sched, sight, now)


def worst(levels: list[Level]) -> Level:
    return max(levels, key=LEVELS.index) if levels else "on-track"


def judge(state: RunState, sched: Schedule, sight: Foresight | None, now: datetime) -> Verdict:
    """The one verdict for this state at `now` (see the module's docstring)."""
    if state.phase == "ended":
        return _ended(state, sched, now)
    pace_rules = _pace_rules(state, sched, sight)
    pace = worst([r.level for r in pace_rules])
    calling = _calling(state, sched)
    stage: Stage
    life: list[Rule] = []
    if state.phase == "rollback":
        stage = "rolling-back"
        life.append(_rolling_back(state, sched))
        pace = worst([pace, life[0].level])
    elif calling is not None:
        stage = "roll-back"
        life.append(_trigger_rule(state, calling))
    elif _past_no_return(state, sched, now):
        stage = "no-return"
        life.append(_no_return_rule(state, sched, pace))
    elif state.phase == "not-started" and now < state.plan.window.start:
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
    return _verdict(state, sched, sight, now, stage, pace, (*life, *ordered), calling)


def _verdict(
    state: RunState,
    sched: Schedule,
    sight: Foresight | None,
    now: datetime,
    stage: Stage,
    pace: Level,
    rules: tuple[Rule, ...],
    calling: FiredTrigger | None,
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
        basis="likely" if likely else "plan",
        plan_finish=sched.projected_finish,
        baseline_finish=sched.baseline_finish,
        delta=_minutes(sched.delta),
        deadline=sched.deadline,
        likely=likely,
        p80=p80,
        p_in_window=sight.p_in_window if sight is not None else None,
        calling=calling,
        stopped_at=None,
    )


def _minutes(delta: timedelta) -> timedelta:
    """Whole minutes: a delta ticking by the second says nothing and repaints every second."""
    return timedelta(minutes=round(delta / timedelta(minutes=1)))


def _tone(stage: Stage, pace: Level) -> Tone:
    if stage == "before-window":
        return "info"
    if stage == "roll-back":
        return "bad"
    if stage in ("no-return", "rolling-back"):
        return "bad" if pace == "late" else "warn"
    return {"on-track": "ok", "at-risk": "warn", "late": "bad"}[pace]


# -- the pace rules --------------------------------------------------------------------------


def _pace_rules(state: RunState, sched: Schedule, sight: Foresight | None) -> list[Rule]:
    rules: list[Rule] = []
    if sight is not None:
        rules.append(Rule("odds", sight.level, sight.reason))
    rules.append(_plan_of_record(state, sched))
    for sid in sched.running:
        t = sched.steps[sid]
        if t.overrun:
            st = state.status[sid]
            ran = sched.as_of - st.started_at - st.paused if st.started_at else timedelta()
            took = format_duration(ran)
            where = (
                "on the critical path: it moves the finish"
                if t.critical
                else "with slack to spare: the finish holds for now"
            )
            # Said, not scored: the projection and the odds already carry its effect on the
            # finish, and a step a minute over its budget is no alarm on its own.
            rules.append(
                Rule(
                    "overrun",
                    "on-track",
                    f"{sid} has run {took} against its "
                    f"{format_duration(state.steps[sid].duration)} budget, {where}",
                )
            )
    for f in sched.fired:
        if f.action == "alert":
            rules.append(Rule("alert", "at-risk", f"alert trigger {f.trigger} fired: {f.reason}"))
        elif _overridden(state, f):
            o = state.overrides[f.trigger or f.step]
            rules.append(
                Rule(
                    "override",
                    "on-track",
                    f"{state.name(o.actor)} overrode rollback trigger {f.trigger or f.step} at "
                    f"{state.when(o.at)} and carries on: {o.reason}",
                )
            )
    for sid in sched.failed:
        step = state.steps[sid]
        if step.kind == "checkpoint" and step.on_fail == "hold":
            failed_at = state.status[sid].failed_at or state.status[sid].finished_at
            rules.append(
                Rule(
                    "hold",
                    "at-risk",
                    f"checkpoint {sid} failed at {state.when(failed_at)} and holds the run: "
                    "pass it on a retry, skip it, or roll back",
                )
            )
    return rules


def _plan_of_record(state: RunState, sched: Schedule) -> Rule:
    when = state.when
    what = "the rollback" if sched.graph == "rollback" else "the plan"
    delta = _minutes(sched.delta)
    base = (
        f"{what} finishes at {when(sched.projected_finish)} "
        f"({format_duration(delta, signed=True)} against the baseline "
        f"{when(sched.baseline_finish)}), {format_duration(abs(sched.buffer_left))} "
        f"{'before' if sched.buffer_left >= timedelta(0) else 'after'} the "
        f"{when(sched.deadline)} deadline"
    )
    if sched.level == "late":
        return Rule("plan-of-record", "late", base)
    if sched.level == "at-risk":
        window = state.plan.window
        if sched.buffer_left < window.warning:
            why = f"less than the {format_duration(window.warning)} warning left"
        else:
            why = (
                f"slipping, with less than the buffer rule's "
                f"{format_duration(window.buffer_time)} left"
            )
        return Rule("buffer-rule", "at-risk", f"{base}: {why}")
    return Rule("plan-of-record", "on-track", base)


# -- the life stages -------------------------------------------------------------------------


def _overridden(state: RunState, fired: FiredTrigger) -> bool:
    o = state.overrides.get(fired.trigger or fired.step)
    return o is not None and o.at >= fired.fired_at


def _calling(state: RunState, sched: Schedule) -> FiredTrigger | None:
    """The first fired rollback trigger nobody has answered (the run still going forward)."""
    if state.phase != "running":
        return None
    for f in sched.fired:
        if f.action == "rollback" and not _overridden(state, f):
            return f
    return None


def _trigger_rule(state: RunState, f: FiredTrigger) -> Rule:
    name = f"rollback trigger {f.trigger}" if f.trigger else f"checkpoint {f.step}"
    return Rule(
        "trigger",
        "late",
        f"{name} fired at {state.when(f.fired_at)}: {f.reason}. Invoke rollback (r), or "
        "override it with a reason to carry on",
    )


def _past_no_return(state: RunState, sched: Schedule, now: datetime) -> bool:
    if state.phase != "running" or not state.rollback_order:
        return False
    plan_open = any(not state.status[sid].closed for sid in state.order)
    return plan_open and now > sched.last_safe_rollback_start


def _no_return_rule(state: RunState, sched: Schedule, pace: Level) -> Rule:
    return Rule(
        "rollback-point",
        pace,
        f"the last safe rollback start, {state.when(sched.last_safe_rollback_start)}, has "
        f"passed with the plan still open: a rollback ({format_duration(sched.rollback_length)})"
        f" started now restores service at {state.when(sched.back_out_finish)}, after the "
        f"{state.when(state.plan.window.end)} deadline",
    )


def _rolling_back(state: RunState, sched: Schedule) -> Rule:
    due = sched.rollback_deadline
    met = sched.rollback_met
    return Rule(
        "rto",
        "on-track" if met else "late",
        f"rollback invoked at {state.when(state.rollback_at)} ({state.rollback_reason}); "
        f"service projected back at {state.when(sched.projected_finish)}, "
        f"{'inside' if met else 'past'} the RTO deadline {state.when(due)}",
    )


def _ended(state: RunState, sched: Schedule, now: datetime) -> Verdict:
    ended_at = state.ended_at
    assert ended_at is not None
    finish = sched.projected_finish if state.outcome == "completed" else ended_at
    deadline = sched.deadline
    on_time = finish <= deadline
    if state.outcome == "completed":
        level: Level = "on-track" if on_time else "late"
        tone: Tone = "ok" if on_time else "bad"
        text = (
            f"completed at {state.when(finish)}, "
            f"{format_duration(abs(deadline - finish))} {'before' if on_time else 'after'} the "
            f"{state.when(deadline)} deadline"
        )
    else:
        level = "on-track" if on_time else "late"
        tone = "warn" if on_time else "bad"
        text = (
            f"ended {state.outcome} at {state.when(ended_at)}"
            + (f" (rollback invoked {state.when(state.rollback_at)})" if state.rollback_at else "")
            + f", {'before' if on_time else 'after'} the {state.when(deadline)} deadline"
        )
    return Verdict(
        now=now,
        stage="ended",
        pace=level,
        tone=tone,
        rules=(Rule("ended", level, text),),
        headline=finish,
        basis="ended",
        plan_finish=sched.projected_finish,
        baseline_finish=sched.baseline_finish,
        delta=_minutes(sched.delta),
        deadline=deadline,
        likely=None,
        p80=None,
        p_in_window=None,
        calling=None,
        stopped_at=ended_at,
    )


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

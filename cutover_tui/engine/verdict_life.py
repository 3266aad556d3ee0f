"""The verdict's life stages: a rollback trigger calling, past the point of no return,
rolling back against the RTO, ended; each a `Rule` (or, ended, the whole `Verdict`) with its
words (engine/verdict.py picks the first that matches).

Split out of engine/verdict.py unchanged.
"""

from __future__ import annotations

from datetime import datetime

from ..plan.durations import format_duration
from .schedule import FiredTrigger, Level, Schedule
from .state import RunState
from .triggers import override_of
from .verdict_nogo import SILENCED_BY_NO_GO, back_out_rule
from .verdict_types import Rule, Tone, Verdict, _minutes

# -- the life stages -------------------------------------------------------------------------


def _overridden(state: RunState, fired: FiredTrigger) -> bool:
    return override_of(state, fired) is not None


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


def roll_back_rules(state: RunState, sched: Schedule, f: FiredTrigger) -> list[Rule]:
    """The ROLL BACK stage's own rules: the call, then what rolling back now would give."""
    back_out = back_out_rule(state, sched)
    return [_trigger_rule(state, f), *([back_out] if back_out is not None else [])]


def if_overridden(rule: Rule) -> Rule:
    """While a rollback call stands unanswered the forward rules (the odds, the plan of
    record, the buffer) say what carrying on past it would give: said so, not claimed."""
    if rule.name not in SILENCED_BY_NO_GO:
        return rule
    return Rule(rule.name, rule.level, f"if the call is overridden: {rule.text}")


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

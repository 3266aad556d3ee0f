"""The verdict's pace rules: the odds at tonight's pace, the plan of record against the
deadline and the buffer rule, overruns, fired alerts, overrides and checkpoints on hold, each a
`Rule` with its level and words (engine/verdict.py takes the worst).

Split out of engine/verdict.py unchanged.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from ..plan.durations import format_duration
from .schedule import Schedule
from .state import RunState
from .triggers import override_of, settled
from .verdict_types import Rule, _minutes

if TYPE_CHECKING:  # the odds import numpy: only when they are worked out (issue 14)
    from .foresight import Foresight
    from .triggers import FiredTrigger


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
            ran = st.ran_by(sched.as_of)  # a suspended step: to its suspension, as scheduled
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
            rules.append(_alert(state, f))
        elif (o := override_of(state, f)) is not None:
            # An override is refused once rollback is invoked: a rollback since then means the
            # run no longer carries on (user pass, 2026-12-02: "and carries on" while rolling back).
            carries_on = (
                f" and carries on: {o.reason}"
                if state.rollback_at is None
                else f": {o.reason}; rollback invoked since, at {state.when(state.rollback_at)}"
            )
            rules.append(
                Rule(
                    "override",
                    "on-track",
                    f"{state.name(o.actor)} overrode rollback trigger {f.trigger or f.step} at "
                    f"{state.when(o.at)}{carries_on}",
                )
            )
    for sid in sched.failed:
        step = state.steps[sid]
        failed_at = state.status[sid].failed_at or state.status[sid].finished_at
        if step.kind == "checkpoint" and step.on_fail == "hold":
            rules.append(
                Rule(
                    "hold",
                    "at-risk",
                    f"checkpoint {sid} failed at {state.when(failed_at)} and holds the run: "
                    "pass it on a retry, skip it, or roll back",
                )
            )
        elif step.kind not in ("checkpoint", "gate"):  # a no-go is a stage of its own
            # What waits for it cannot start: the projection counts a retry at its budget,
            # yet someone must decide (user pass, 2026-12-02: ON TRACK, no word of it).
            rules.append(
                Rule(
                    "failed",
                    "at-risk",
                    f"{sid} failed at {state.when(failed_at)} and what waits for it cannot "
                    "start: retry it, skip it, or roll back",
                )
            )
    return rules


def _alert(state: RunState, f: FiredTrigger) -> Rule:
    """A fired alert trigger holds the run AT RISK while its cause stands: its step still
    running, not done, or failed. Once the step is done (a failed checkpoint passed on a
    retry, say) it is said, not scored: it pinned the verdict for the rest of the night, and
    an alert has no override (user pass, 2026-12-02)."""
    said = f"alert trigger {f.trigger} fired: {f.reason}"
    st, step = state.status.get(f.step), state.steps.get(f.step)
    # Cleared once its step is settled: done, skipped, or a failed checkpoint the plan
    # carries on past (review: an alert on a `continue` checkpoint held AT RISK all night).
    # A probe-failing alert: its probe's own samples say, not its step.
    if st is None or step is None or f.condition == "probe-failing" or not settled(step, st):
        return Rule("alert", "at-risk", said)
    shown = "failed, and the plan carries on past it" if st.status == "failed" else st.status
    return Rule("alert", "on-track", f"{said}; cleared since: {f.step} is {shown}")


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

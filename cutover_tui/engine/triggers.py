"""Rollback triggers and alerts: the three conditions (running-over, failed, not-done-by) in
one place, asked by the schedule (which have fired by now, which are armed and how close they
are) and by the check of a recorded TriggerFired (could it have fired, as the journal stands).

Computed from the plan's `[[trigger]]` table, the state and now alone (see `engine.schedule`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from ..plan.durations import format_duration
from ..plan.model import Trigger
from .checks import probe_failing, probe_fires_at
from .events import TriggerFired, TriggerOverridden
from .runstate import PlannedStep, RunState, StepState
from .spoken_zone import plan_clock_label, spoken_zone

if TYPE_CHECKING:
    from .schedule_passes import Pass

_ZERO = timedelta(0)


@dataclass(frozen=True, slots=True)
class FiredTrigger:
    """A rollback trigger (or alert) that has fired, or a failed rollback checkpoint."""

    trigger: str | None  # None for a checkpoint whose on_fail is "rollback"
    step: str
    condition: Literal[
        "running-over", "failed", "not-done-by", "checkpoint-failed", "probe-failing"
    ]
    action: Literal["rollback", "alert"]
    fired_at: datetime
    reason: str
    recorded: bool  # the conductor has written TriggerFired for it


@dataclass(frozen=True, slots=True)
class ArmedTrigger:
    """A trigger that has not fired yet, with how close it is."""

    trigger: str
    step: str
    condition: Literal["running-over", "failed", "not-done-by", "probe-failing"]
    action: Literal["rollback", "alert"]
    closeness: float  # 0 (far) .. 1 (about to fire); 0 when it cannot be measured
    time_left: timedelta | None  # until it fires if nothing changes; None when not timed
    fires_at: datetime | None  # when it fires if the projection holds; None if it does not
    projected_to_fire: bool  # the projection says it will fire
    describe: str  # "rollback if smoke-tests runs over 30m"


# -- the three conditions ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """A trigger's condition met: from when, and a sentence saying how."""

    at: datetime
    how: str


def condition(state: RunState, trigger: Trigger, until: datetime | None) -> Hit | str:
    """Whether `trigger`'s condition held on its step by `until`: a Hit, or a sentence saying
    why not. The schedule asks up to now; the check of a recorded TriggerFired asks with
    `until` None, as the journal stands whatever the time: the conductor read the state on its
    own clock, so a step still running may have run over by then, one closed within its limit
    did not."""
    sid = trigger.step
    step, st = state.steps.get(sid), state.status.get(sid)
    if step is None or st is None:
        return f"there is no step {sid!r}"
    if trigger.condition == "running-over":
        return _running_over(state, sid, st, trigger.limit or _ZERO, until)
    if trigger.condition == "failed":
        return _failed(state, sid, st)
    if trigger.condition == "probe-failing":
        return probe_failing(state, trigger, until)
    assert trigger.at is not None  # a not-done-by trigger has its time (plan validation)
    return _not_done_by(state, sid, st, settled(step, st), trigger.at, until)


def _running_over(
    state: RunState, sid: str, st: StepState, limit: timedelta, until: datetime | None
) -> Hit | str:
    when, began = state.when, st.started_at
    if began is None or st.status in ("pending", "skipped"):
        return f"{sid!r} has not run, so it cannot have run over"
    running = st.status in ("running", "suspended")
    end = until if running else (st.finished_at or until)
    # The wall clock's jumps while it ran are not time it ran: the limit ends that much later.
    due = began + st.jumped + limit
    if end is None:  # still running, asked whatever the time: it may have run over
        return Hit(due, f"{sid!r} has run since {when(began)}")
    ran, over = end - began - st.jumped, format_duration(limit)
    if ran <= limit:
        return f"{sid!r} ran {when(began)}-{when(end)}{_jumps(st)}, within its {over} limit"
    if running:
        how = f"{sid!r} has run {format_duration(ran)} since {when(began)}{_jumps(st)}"
    else:
        how = f"{sid!r} ran {format_duration(ran)} ({when(began)}-{when(end)}{_jumps(st)})"
    return Hit(due, f"{how}, over its {over} limit")


def _jumps(st: StepState) -> str:
    """What the host clock's jumps took out of a step's wall time, said beside it."""
    if not st.jumped:
        return ""
    sign = "+" if st.jumped > _ZERO else "-"
    return f", the host clock jumping {sign}{format_duration(abs(st.jumped))} meanwhile"


def _failed(state: RunState, sid: str, st: StepState) -> Hit | str:
    at = failed_at(st)
    if at is None:
        return f"{sid!r} has not failed"
    why = f": {st.reason}" if st.reason and st.status == "failed" else ""
    return Hit(at, f"{sid!r} failed at {state.when(at)}{why}")


def _not_done_by(
    state: RunState,
    sid: str,
    st: StepState,
    closed: bool,
    due: datetime,
    until: datetime | None,
) -> Hit | str:
    when, done, by = state.when, st.finished_at, state.when_dated(due)
    if closed and done is not None and done <= due:
        return f"{sid!r} was done at {when(done)}, by {by}"
    if until is not None and until <= due:
        return f"{sid!r} has until {by} to be done"
    if closed:
        return Hit(due, f"{sid!r} was done at {when(done)}, after {by}")
    return Hit(due, f"{sid!r} was not done by {by}")


def failed_at(st: StepState) -> datetime | None:
    """When the step failed (its first failure, kept when it is retried), if it did."""
    return st.failed_at or (st.finished_at if st.status == "failed" else None)


def settled(step: PlannedStep, st: StepState) -> bool:
    """Closed, or a failed checkpoint the plan carries on past (`on_fail = "continue"`)."""
    return st.closed or (
        st.status == "failed" and step.kind == "checkpoint" and step.on_fail == "continue"
    )


def override_of(state: RunState, fired: FiredTrigger) -> TriggerOverridden | None:
    """The commander's override that answers this fired rollback trigger (or failed rollback
    checkpoint): recorded for it since it fired. None if nobody has (an override recorded
    before a later firing answers the earlier one only)."""
    if fired.action != "rollback":
        return None
    o = state.overrides.get(fired.trigger or fired.step)
    return o if o is not None and o.at >= fired.fired_at else None


def check_trigger(state: RunState, event: TriggerFired) -> str | None:
    """Why the conductor may not record `event` (the trigger fired), or None when it may."""
    earlier = state.fired.get(event.trigger)
    if earlier:
        return f"trigger {event.trigger!r} already fired at {state.when(earlier.at)}"
    trigger = next((t for t in state.plan.trigger if t.id == event.trigger), None)
    if trigger is None:
        return f"there is no trigger {event.trigger!r}"
    met = condition(state, trigger, None)
    return met if isinstance(met, str) else None


# -- what the schedule shows ----------------------------------------------------------------


def fired_and_armed(
    state: RunState, now: datetime, passes: list[Pass], origin: datetime
) -> tuple[tuple[FiredTrigger, ...], tuple[ArmedTrigger, ...]]:
    """The triggers that fired by now (and the failed rollback checkpoints), by fire time, and
    the armed ones, closest first."""
    fired: list[FiredTrigger] = []
    armed: list[ArmedTrigger] = []
    active = passes[-1] if state.rollback_at is not None and len(passes) > 1 else passes[0]
    for trigger in state.plan.trigger:
        sid = trigger.step
        step, st = state.steps.get(sid), state.status.get(sid)
        if step is None or st is None:
            continue
        met = condition(state, trigger, _until(state, step.rollback, now))
        recorded = state.fired.get(trigger.id)
        if isinstance(met, Hit):
            fired.append(
                FiredTrigger(
                    trigger.id,
                    sid,
                    trigger.condition,
                    trigger.action,
                    met.at,
                    met.how,
                    recorded is not None,
                )
            )
        elif recorded is not None:  # the conductor saw it, on its clock: believe the journal
            fired.append(
                FiredTrigger(
                    trigger.id,
                    sid,
                    trigger.condition,
                    recorded.action,
                    recorded.at,
                    recorded.reason + _stored_clock(state, recorded.at),
                    True,
                )
            )
        elif trigger.condition == "probe-failing" and state.phase != "ended":
            armed.append(_armed_probe(state, trigger, now))  # watched after its step, too
        elif not (settled(step, st) or state.phase == "ended" or sid not in active.g.index):
            p, i = _locate(passes, sid)
            armed.append(_armed(state, trigger, p, i, now, origin))
    fired.extend(_failed_checkpoints(state, passes, fired))
    fired.sort(key=lambda f: f.fired_at)
    armed.sort(key=lambda a: (-a.closeness, a.time_left if a.time_left is not None else _MAX))
    return tuple(fired), tuple(armed)


def _stored_clock(state: RunState, at: datetime) -> str:
    """The conductor's words are on the plan's clock: judged for a viewer on another (`--tz`),
    they say so ("(times in GMT, the plan's zone)"), wherever the reason is shown (the checks
    pane, the verdict's rules, the toasts, `cutover status --tz`), as the comms log does."""
    plan = state.plan.zone
    return plan_clock_label(at, plan) if str(spoken_zone(plan)) != str(plan) else ""


def _until(state: RunState, rollback_step: bool, now: datetime) -> datetime:
    """Nothing fires on a plan step after rollback, or on any step after the end."""
    until = now
    if not rollback_step and state.rollback_at is not None:
        until = min(until, state.rollback_at)
    if state.ended_at is not None:
        until = min(until, state.ended_at)
    return until


def _locate(passes: list[Pass], sid: str) -> tuple[Pass, int]:
    for p in passes:
        i = p.g.index.get(sid)
        if i is not None:
            return p, i
    raise KeyError(sid)


def _failed_checkpoints(
    state: RunState, passes: list[Pass], fired: list[FiredTrigger]
) -> list[FiredTrigger]:
    """A failed checkpoint whose on_fail is "rollback" calls for rollback by itself (once, if
    no failed trigger on it already does)."""
    signalled = {f.step for f in fired if f.action == "rollback" and f.condition == "failed"}
    out: list[FiredTrigger] = []
    for p in passes:
        for sid in p.g.rollback_checkpoints:
            st = state.status[sid]
            at = failed_at(st)
            if at is None or sid in signalled:
                continue
            evidence = f": {st.evidence}" if st.evidence else ""
            out.append(
                FiredTrigger(
                    None,
                    sid,
                    "checkpoint-failed",
                    "rollback",
                    at,
                    f"checkpoint {sid!r} failed at {state.when(at)}{evidence}; "
                    "its on_fail is rollback",
                    False,
                )
            )
    return out


_MAX = timedelta.max


def _armed_probe(state: RunState, trigger: Trigger, now: datetime) -> ArmedTrigger:
    """A probe-failing trigger: as close as its probe's red time is to the limit."""
    fires_at = probe_fires_at(state, trigger)
    limit = trigger.limit or _ZERO
    time_left = fires_at - now if fires_at is not None else None
    closeness = 1.0 - time_left / limit if time_left is not None and limit else 0.0
    return ArmedTrigger(
        trigger=trigger.id,
        step=trigger.step,
        condition="probe-failing",
        action=trigger.action,
        closeness=min(1.0, max(0.0, closeness)),
        time_left=time_left,
        fires_at=fires_at,
        projected_to_fire=fires_at is not None,
        describe=f"{trigger.action} if probe {trigger.probe} is red {format_duration(limit)}",
    )


def _armed(
    state: RunState, trigger: Trigger, p: Pass, i: int, now: datetime, origin: datetime
) -> ArmedTrigger:
    st = state.status[trigger.step]
    sid = trigger.step
    action = trigger.action
    proj_start = origin + timedelta(microseconds=p.start[i])
    proj_finish = origin + timedelta(microseconds=p.finish[i])
    closeness = 0.0
    time_left: timedelta | None = None
    fires_at: datetime | None = None
    if trigger.condition == "running-over":
        limit = trigger.limit
        describe = f"{action} if {sid} runs over {format_duration(limit)}"
        if st.status in ("running", "suspended") and st.started_at is not None:
            due = st.started_at + st.jumped + limit  # a wall clock jump is not time run
            time_left = due - now
            closeness = (now - st.started_at - st.jumped) / limit if limit else 1.0
            projected = proj_finish > due
        else:
            due = proj_start + limit
            projected = proj_finish - proj_start > limit
        fires_at = due if projected else None
    elif trigger.condition == "not-done-by":
        due = trigger.at
        describe = f"{action} if {sid} is not done by {state.when_dated(due)}"
        time_left = due - now
        since = state.started_at or state.plan.window.start
        closeness = (now - since) / (due - since) if due > since else 1.0
        projected = proj_finish > due
        fires_at = due if projected else None
    else:
        describe = f"{action} if {sid} fails"
        projected = False
    return ArmedTrigger(
        trigger=trigger.id,
        step=sid,
        condition=trigger.condition,
        action=action,
        closeness=min(1.0, max(0.0, closeness)),
        time_left=time_left,
        fires_at=fires_at,
        projected_to_fire=projected,
        describe=describe,
    )

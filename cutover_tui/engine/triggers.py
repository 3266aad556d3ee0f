"""Rollback triggers and alerts: which have fired, which are armed and how close they are.

Computed from the plan's `[[trigger]]` table, the state and now alone (see `engine.schedule`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from ..plan.durations import format_duration
from ..plan.model import Trigger
from .runstate import RunState
from .schedule_passes import Pass

_ZERO = timedelta(0)


@dataclass(frozen=True, slots=True)
class FiredTrigger:
    """A rollback trigger (or alert) that has fired, or a failed rollback checkpoint."""

    trigger: str | None  # None for a checkpoint whose on_fail is "rollback"
    step: str
    condition: Literal["running-over", "failed", "not-done-by", "checkpoint-failed"]
    action: Literal["rollback", "alert"]
    fired_at: datetime
    reason: str
    recorded: bool  # the conductor has written TriggerFired for it


@dataclass(frozen=True, slots=True)
class ArmedTrigger:
    """A trigger that has not fired yet, with how close it is."""

    trigger: str
    step: str
    condition: Literal["running-over", "failed", "not-done-by"]
    action: Literal["rollback", "alert"]
    closeness: float  # 0 (far) .. 1 (about to fire); 0 when it cannot be measured
    time_left: timedelta | None  # until it fires if nothing changes; None when not timed
    fires_at: datetime | None  # when it fires if the projection holds; None if it does not
    projected_to_fire: bool  # the projection says it will fire
    describe: str  # "rollback if smoke-tests runs over 30m"


# -- triggers ------------------------------------------------------------------------------


def fired_and_armed(
    state: RunState, now: datetime, passes: list[Pass], origin: datetime
) -> tuple[tuple[FiredTrigger, ...], tuple[ArmedTrigger, ...]]:
    plan = state.plan
    fired: list[FiredTrigger] = []
    armed: list[ArmedTrigger] = []
    when = state.when
    rollback_at, ended_at = state.rollback_at, state.ended_at
    active_graph = passes[-1] if rollback_at is not None and len(passes) > 1 else passes[0]

    def locate(sid: str) -> tuple[Pass, int] | None:
        for p in passes:
            i = p.g.index.get(sid)
            if i is not None:
                return p, i
        return None

    for trigger in plan.trigger:
        sid = trigger.step
        step = state.steps.get(sid)
        st = state.status.get(sid)
        if step is None or st is None:
            continue
        # Nothing fires on a plan step after rollback, or on any step after the end.
        until = now
        if not step.rollback and rollback_at is not None:
            until = min(until, rollback_at)
        if ended_at is not None:
            until = min(until, ended_at)
        closed = st.closed or (
            st.status == "failed" and step.kind == "checkpoint" and step.on_fail == "continue"
        )
        hit: tuple[datetime, str] | None = None
        if trigger.condition == "running-over":
            limit = trigger.limit or _ZERO
            if st.started_at is not None and st.status not in ("pending", "skipped"):
                end = until if st.status in ("running", "suspended") else st.finished_at or until
                if end - st.started_at > limit:
                    if st.status in ("running", "suspended"):
                        how = (
                            f"{sid!r} has run {format_duration(end - st.started_at)} since "
                            f"{when(st.started_at)}, over its {format_duration(limit)} limit"
                        )
                    else:
                        how = (
                            f"{sid!r} ran {format_duration(end - st.started_at)} "
                            f"({when(st.started_at)}-{when(end)}), over its "
                            f"{format_duration(limit)} limit"
                        )
                    hit = (st.started_at + limit, how)
        elif trigger.condition == "failed":
            failed_at = st.failed_at or (st.finished_at if st.status == "failed" else None)
            if failed_at is not None:
                why = f": {st.reason}" if st.reason and st.status == "failed" else ""
                hit = (failed_at, f"{sid!r} failed at {when(failed_at)}{why}")
        else:  # not-done-by
            due = trigger.at
            assert due is not None
            if until > due and (
                not closed or (st.finished_at is not None and st.finished_at > due)
            ):
                if closed:
                    how = f"{sid!r} was done at {when(st.finished_at)}, after {when(due)}"
                else:
                    how = f"{sid!r} was not done by {when(due)}"
                hit = (due, how)
        recorded = state.fired.get(trigger.id)
        if hit is not None:
            fired.append(
                FiredTrigger(
                    trigger.id,
                    sid,
                    trigger.condition,
                    trigger.action,
                    hit[0],
                    hit[1],
                    recorded is not None,
                )
            )
            continue
        if recorded is not None:  # the conductor saw it, on its clock: believe the journal
            fired.append(
                FiredTrigger(
                    trigger.id,
                    sid,
                    trigger.condition,
                    recorded.action,
                    recorded.at,
                    recorded.reason,
                    True,
                )
            )
            continue
        if closed or state.phase == "ended" or sid not in active_graph.g.index:
            continue
        where = locate(sid)
        assert where is not None
        armed.append(_armed(state, trigger, where[0], where[1], now, origin))

    # A failed checkpoint whose on_fail is "rollback" calls for rollback by itself.
    signalled = {f.step for f in fired if f.action == "rollback" and f.condition == "failed"}
    for p in passes:
        for sid in p.g.rollback_checkpoints:
            st = state.status[sid]
            failed_at = st.failed_at or (st.finished_at if st.status == "failed" else None)
            if failed_at is None or sid in signalled:
                continue
            evidence = f": {st.evidence}" if st.evidence else ""
            fired.append(
                FiredTrigger(
                    None,
                    sid,
                    "checkpoint-failed",
                    "rollback",
                    failed_at,
                    f"checkpoint {sid!r} failed at {when(failed_at)}{evidence}; "
                    "its on_fail is rollback",
                    False,
                )
            )
    fired.sort(key=lambda f: f.fired_at)
    armed.sort(key=lambda a: (-a.closeness, a.time_left if a.time_left is not None else _MAX))
    return tuple(fired), tuple(armed)


_MAX = timedelta.max


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
            due = st.started_at + limit
            time_left = due - now
            closeness = (now - st.started_at) / limit if limit else 1.0
            projected = proj_finish > due
        else:
            due = proj_start + limit
            projected = proj_finish - proj_start > limit
        fires_at = due if projected else None
    elif trigger.condition == "not-done-by":
        due = trigger.at
        describe = f"{action} if {sid} is not done by {state.when(due)}"
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

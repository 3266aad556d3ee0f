"""schedule(state, now) -> Schedule: when every step will start and finish, from here on.

The status-date method of project tools, over tonight's plan (`state.steps`: the file with live
amendments applied), with `now` as the status date:

- closed steps (done, skipped, or a failed checkpoint whose `on_fail` is "continue") stay at
  their actual times; a skipped step is zero-length at the moment it was skipped;
- a running step finishes at now + what is left of its budget (time suspended does not count);
  once over budget, at now + `overrun_minimum`, flagged `overrun`;
- a suspended step finishes at max(now, its resume ETA) + what is left of its budget;
- a failed step (not closed) is projected as if restarted now with its full budget (`retry`);
- a pending step starts at the latest of now, its predecessors' projected finish and its fixed
  start (`not_before`). Before the run starts, now is the window start at the earliest.

A backward pass from the deadline gives each open step its latest finish and total slack; the
open steps with the least slack are `critical`, and one chain of them, from now to the
projected finish, is the `critical_path`.

The active graph is the plan, or the rollback runbook once rollback was invoked (and after a
run that ended rolled back). Before rollback the rollback steps are scheduled too, as "if rollback
started now" (`back_out_finish`), baselined from the last safe rollback start.

Levels (`on-track` | `at-risk` | `late`), with W = `window.warning`:
- the run is late when the projected finish is past the deadline; at risk when less than W of
  buffer is left, or when it has slipped against the baseline (by a minute, as the verdict
  rounds it) and the buffer left is below the plan's buffer rule (`window.buffer` of the
  window); on track otherwise. A plan that never met the buffer rule but runs to its baseline
  stays on track: validation already said so.
- an open step is late when it overran its budget or its slack is negative; at risk when its
  slack is under W, it has used more than 80% of its budget, or it failed and must be retried.
  A closed step is late when it overran its budget, on track otherwise.

Triggers are computed from the plan's `[[trigger]]` table, the state and now alone, so every
process agrees without waiting for the conductor: running-over fires at started + limit,
failed at the moment the step failed, not-done-by at `at` when the step was not closed by then.
A failed checkpoint with `on_fail = "rollback"` is a rollback signal even without a trigger.
Triggers the conductor recorded (TriggerFired) are included too. Nothing fires on a plan step
after rollback was invoked, or on any step after the run ended.

Pure and fast: no I/O, no clock, no textual. Times are int microseconds from the window start
inside; the graph structure is cached in `state.derived` until an amendment changes it, and the
per-step StepTimes are built on first access.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from .runstate import RunState
from .schedule_passes import (
    CLOSED,
    RETRY,
    US,
    GraphName,
    Pass,
    critical_path,
    file_baseline,
    graph_of,
    project,
    to_us,
)
from .step_times import BUDGET_WARNING, Level, StepTimes, StepTimesMap
from .triggers import ArmedTrigger, FiredTrigger, fired_and_armed

MINUTE_US = 60_000_000


def _slipped(delta_us: int) -> bool:
    """Slipped against the baseline as the verdict says it, in whole minutes (verdict_types
    rounds so): seconds of a rehearsal not yet begun read "+0m ...: slipping" before."""
    return round(delta_us / MINUTE_US) > 0


@dataclass(frozen=True)
class Schedule:
    """The war room's answer to "will we make it?" at one moment.

    Headline figures are about the active graph (`graph`): the plan, or the rollback runbook
    once rollback was invoked. `steps` has every step of both graphs.
    """

    now: datetime
    as_of: datetime  # the status date of the active graph (now; the window start before it)
    graph: GraphName
    steps: StepTimesMap  # a Mapping[str, StepTimes], built lazily, with `span`
    deadline: datetime  # window.end, or `rollback_deadline` for the rollback graph
    projected_finish: datetime
    baseline_finish: datetime
    delta: timedelta  # projected - baseline finish; positive is behind plan
    buffer_left: timedelta  # deadline - projected finish; negative: deadline projected missed
    level: Level
    percent_done: float  # budget of closed steps / budget of all steps, 0..1
    ready: tuple[str, ...]  # startable now (and gates ready for decision), most urgent first
    running: tuple[str, ...]  # running or suspended, in file order
    failed: tuple[str, ...]  # failed and not closed: to retry, skip or roll back
    critical_path: tuple[str, ...]  # open steps driving the projected finish, in order
    rollback_length: timedelta  # the rollback runbook's critical path
    last_safe_rollback_start: datetime  # window.end - rollback_length
    rollback_time_left: timedelta  # until the last safe rollback start; negative once passed
    back_out_finish: datetime | None  # service restored by, if rollback started now (or since)
    rollback_deadline: datetime | None  # earlier of rollback_at + RTO and window.end
    rollback_met: bool | None  # the rollback is projected to finish by rollback_deadline
    fired: tuple[FiredTrigger, ...]  # by fire time
    armed: tuple[ArmedTrigger, ...]  # closest first
    ready_by_owner: Mapping[str, tuple[str, ...]]  # the ready queue by owner (people key)

    @property
    def rollback_signalled(self) -> bool:
        """A fired trigger or a failed checkpoint calls for rollback."""
        return any(f.action == "rollback" for f in self.fired)

    def ready_for(self, owner: str) -> tuple[str, ...]:
        """What `owner` (a people key) may start or decide now, most urgent first."""
        return self.ready_by_owner.get(owner, ())


# -- schedule ------------------------------------------------------------------------------


def schedule(
    state: RunState, now: datetime, *, overrun_minimum: timedelta = timedelta(minutes=5)
) -> Schedule:
    """Project every step of tonight's plan from `now` (an aware datetime) against the deadline."""
    plan = state.plan
    window = plan.window
    origin = window.start
    now_us = to_us(now, origin)
    over = max(0, overrun_minimum // US)
    end_us = to_us(window.end, origin)
    warning = window.warning // US
    phase = state.phase
    rollback_at = to_us(state.rollback_at, origin) if state.rollback_at is not None else None
    plan_t0, rollback_t0 = _status_dates(state, now_us, rollback_at, origin)

    plan_graph = graph_of(state, "plan", origin)
    rollback_graph = graph_of(state, "rollback", origin)
    rollback_length = rollback_graph.length
    last_safe = end_us - rollback_length
    rto = plan.rollback.rto // US if plan.rollback else 0
    rollback_origin = rollback_at if rollback_at is not None else rollback_t0
    rollback_deadline = min(rollback_origin + rto, end_us)

    plan_pass = project(state, plan_graph, plan_t0, end_us, over, origin)
    passes = [plan_pass]
    rollback_pass = None
    if rollback_graph.ids:
        rollback_pass = project(state, rollback_graph, rollback_t0, rollback_deadline, over, origin)
        rollback_pass.rollback_origin = rollback_at if rollback_at is not None else last_safe
        passes.append(rollback_pass)

    in_rollback = rollback_at is not None and rollback_pass is not None
    active = rollback_pass if in_rollback else plan_pass
    assert active is not None
    g = active.g
    if in_rollback:
        deadline = rollback_deadline
        baseline_finish = rollback_at + rollback_length  # type: ignore[operator]
    else:
        deadline = end_us
        baseline_finish = file_baseline(state, origin)[1]
    projected = active.end
    buffer_left = deadline - projected
    delta = projected - baseline_finish
    if buffer_left < 0:
        level: Level = "late"
    elif buffer_left < warning or (
        not in_rollback and _slipped(delta) and buffer_left < window.buffer_time // US
    ):
        level = "at-risk"
    else:
        level = "on-track"

    ready, running, failed, by_owner = _queues(state, active, now_us)

    def at(us: int) -> datetime:
        return origin + timedelta(microseconds=us)

    fired, armed = fired_and_armed(state, now, passes, origin)
    steps_map = StepTimesMap(state, passes, origin)
    return Schedule(
        now=now,
        as_of=at(active.t0),
        graph="rollback" if in_rollback else "plan",
        steps=steps_map,
        deadline=at(deadline),
        projected_finish=at(projected),
        baseline_finish=at(baseline_finish),
        delta=timedelta(microseconds=delta),
        buffer_left=timedelta(microseconds=buffer_left),
        level=level,
        percent_done=(active.closed_budget / g.total)
        if g.total
        else float(all(c == CLOSED for c in active.code)),
        ready=ready,
        running=running,
        failed=failed,
        critical_path=() if phase == "ended" else critical_path(active),
        rollback_length=timedelta(microseconds=rollback_length),
        last_safe_rollback_start=at(last_safe),
        rollback_time_left=at(last_safe) - now,
        back_out_finish=at(rollback_pass.end) if rollback_pass is not None else None,
        rollback_deadline=at(rollback_deadline) if in_rollback else None,
        rollback_met=(rollback_pass.end <= rollback_deadline)  # type: ignore[union-attr]
        if in_rollback
        else None,
        fired=fired,
        armed=armed,
        ready_by_owner=by_owner,
    )


def _status_dates(
    state: RunState, now_us: int, rollback_at: int | None, origin: datetime
) -> tuple[int, int]:
    """The status dates of the plan and of the rollback: the plan stops at the rollback (or
    the end), the rollback at the end; before the window opens and before anything is under
    way (`RunState.under_way`), now is the window start, started run or not (a run started
    the afternoon before, for its readiness and go/no-go, projected its steps from then:
    "-31h40m against the baseline"; user pass)."""
    ended_at = to_us(state.ended_at, origin) if state.ended_at is not None else None
    if rollback_at is not None:
        plan_t0 = rollback_at
    elif ended_at is not None:
        plan_t0 = ended_at
    else:
        # Before the window, nothing under way: now is the window's start (running steps,
        # started early, are measured at the real now: review, 2026-12-02).
        plan_t0 = 0 if now_us < 0 and not state.under_way() else now_us
    if rollback_at is not None:
        return plan_t0, max(ended_at if ended_at is not None else now_us, rollback_at)
    return plan_t0, plan_t0


def _queues(
    state: RunState, p: Pass, now_us: int
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], dict[str, tuple[str, ...]]]:
    """Ready (least slack first, then file order), running and failed (file order), and the
    ready queue by owner."""
    g = p.g
    code, position = p.code, g.position
    ready: list[int] = []
    if state.phase in ("running", "rollback"):
        gate, not_before = g.gate, g.not_before
        ready = [
            i
            for i in p.unblocked
            # A gate that said no-go is not offered again; a fixed start waits for its time.
            if not (gate[i] and code[i] == RETRY)
            and (not_before[i] is None or not_before[i] <= now_us)  # type: ignore[operator]
        ]
        ready.sort(key=position.__getitem__)
        ready.sort(key=p.slack)  # stable: file order among equal slack
    ids, owner = g.ids, g.owner
    by_owner: dict[str, list[str]] = {}
    for i in ready:
        queue = by_owner.get(owner[i])
        if queue is None:
            by_owner[owner[i]] = [ids[i]]
        else:
            queue.append(ids[i])
    running = sorted(p.running, key=position.__getitem__)
    failed = sorted(p.failed, key=position.__getitem__)
    return (
        tuple(ids[i] for i in ready),
        tuple(ids[i] for i in running),
        tuple(ids[i] for i in failed),
        {who: tuple(queue) for who, queue in by_owner.items()},
    )


__all__ = [
    "BUDGET_WARNING",
    "ArmedTrigger",
    "FiredTrigger",
    "Level",
    "Schedule",
    "StepTimes",
    "schedule",
]

"""A simulated rehearsal: steps that finish by themselves, with durations drawn from the plan.

`SimulatedNight` draws, once and deterministically per seed, how long each step will really
take (its three-point estimate as a triangular distribution, times one slowness factor for
the whole night) and which checkpoints fail. `next_event(state)` then says what happens
next: the earliest start of a ready step, completion of a running one, a gate decided when its
meeting is over, a failure's consequence. `due(state, now)` is the pure form a driver wants:
every event that should have happened by `now`, in order, each at its own exact time (a step
completes at its start plus its drawn duration, not at `now`), checked against a scratch copy
of the state so each one is legal after the ones before it. The same night therefore plays at
any speed and with any tick: in tests with a fixed clock advanced by hand, in `cutover
simulate` with an accelerated clock, in the war room watching it live.

Drivers (rehearse/simulate_drive.py): `run_simulation(source, night, clock)` on any RunSource;
`play_until` / `drive` on a Journal (what `cutover simulate` and the war room use).

The events are the ones people would record (the step's owner starts and completes it, the
approvers decide, the commander marks readiness, invokes rollback and ends the run), so the
journal checks them like any other.
"""

from __future__ import annotations

import copy
import hashlib
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..engine.checks import simulated_evidence
from ..engine.events import (
    CheckpointFailed,
    CheckpointPassed,
    Event,
    GateDecided,
    ReadinessMarked,
    RollbackInvoked,
    RunEnded,
    StepCompleted,
    StepStarted,
)
from ..engine.state import GateState, RunState, apply, check
from ..plan.durations import format_duration
from ..plan.model import Plan

DEFAULT_LOW, DEFAULT_HIGH = 0.9, 1.5  # of the budget, for a step with no estimate
CHECKPOINT_FAILURE = 0.04  # chance a checkpoint fails (first attempt)
DECISION_DELAY = timedelta(minutes=3)  # from a rollback-calling failure to the decision
RETRY_DELAY = timedelta(minutes=5)  # from a failed check to its retry


@dataclass
class SimulatedNight:
    plan: Plan
    seed: int = 1
    slowness: float | None = None  # the whole night's factor; drawn around 1 when None
    failure_rate: float = CHECKPOINT_FAILURE
    commander: str | None = None  # who acts for the commander; default: who started the run
    durations: dict[str, timedelta] = field(init=False)
    fails: set[str] = field(init=False)

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        if self.slowness is None:
            self.slowness = math.exp(rng.gauss(0.0, 0.12))
        self.durations = {}
        self.fails = set()
        for step in [*self.plan.step, *self.plan.rollback_steps]:
            r = random.Random(_stable(self.seed, step.id))
            budget = step.duration.total_seconds()
            low = step.estimate.low.total_seconds() if step.estimate else budget * DEFAULT_LOW
            high = step.estimate.high.total_seconds() if step.estimate else budget * DEFAULT_HIGH
            high = max(high, budget)
            drawn = r.triangular(low, high, budget) if high > low else budget
            self.durations[step.id] = timedelta(seconds=round(drawn * self.slowness))
            if step.kind == "checkpoint" and r.random() < self.failure_rate:
                self.fails.add(step.id)

    # -- what happens next --------------------------------------------------------------------
    def commander_for(self, state: RunState) -> str:
        """Who records the commander's events: the night's `commander`, else whoever started
        the run (a rehearsal's starter commands it), else the plan's first commander."""
        if self.commander:
            return self.commander
        if state.started_by:
            return state.started_by
        commanders = self.plan.people_with_role("commander")
        return commanders[0] if commanders else "commander"

    def due(self, state: RunState, now: datetime) -> list[Event]:
        """Every event that should have happened by `now`, oldest first, each at its own time.

        Pure: `state` is not touched (the events are folded into a scratch copy, each checked
        as the journal would check it). An event that would be refused stops the list there:
        someone changed the run by hand, and the next call starts from what they did.
        """
        if state.phase in ("not-started", "ended"):
            return []
        commander = self.commander_for(state)
        scratch = _scratch(state)
        events: list[Event] = []
        while True:
            event = self.next_event(scratch, commander)
            if event is None or event.at > now or check(scratch, event):
                return events
            apply(scratch, event)
            events.append(event)

    def next_event(self, state: RunState, commander: str | None = None) -> Event | None:
        """The earliest thing that happens next, or None when the night is over (or waits for
        a person: a step suspended by hand is completed only once it is resumed)."""
        if state.phase in ("not-started", "ended"):
            return None
        commander = commander or self.commander_for(state)
        candidates = list(self._candidates(state, commander))
        return min(candidates, key=lambda e: e.at) if candidates else None

    def duration_of(self, sid: str, state: RunState) -> timedelta:
        """The step's drawn duration; a step added live in the war room is drawn when first
        seen, from its own generator, like the others."""
        found = self.durations.get(sid)
        if found is None:
            step = state.steps[sid]
            r = random.Random(_stable(self.seed, sid))
            budget = step.duration.total_seconds()
            drawn = r.triangular(budget * DEFAULT_LOW, budget * DEFAULT_HIGH, budget)
            found = self.durations[sid] = timedelta(seconds=round(drawn * (self.slowness or 1)))
        return found

    def _candidates(self, state: RunState, commander: str) -> Iterator[Event]:
        begin = state.started_at or self.plan.window.start
        for item in self.plan.readiness:
            if item.id not in state.readiness:
                yield ReadinessMarked(
                    actor=item.owner if item.owner in self.plan.people else commander,
                    at=begin,
                    item=item.id,
                    status="met",
                    key=f"sim:ready:{item.id}",
                )
        calling = None
        if state.phase == "running" and state.rollback_order:
            calling = self._rollback_call(state, commander, begin)
            if calling is not None:
                yield calling
        active = state.active_ids()
        if all(state.status[sid].closed for sid in active):
            last = max(
                (state.status[s].finished_at for s in active if state.status[s].finished_at),
                default=begin,
            )
            outcome = "rolled-back" if state.phase == "rollback" else "completed"
            yield RunEnded(actor=commander, at=last, outcome=outcome, key="sim:end")
            return
        floor = state.rollback_at if state.phase == "rollback" else begin
        moving = calling is not None
        for sid in active:
            st, step = state.status[sid], state.steps[sid]
            key = f"sim:{sid}:{st.attempts}"
            # The owner acts on their step; one who may not (a watcher) leaves it to the commander.
            owner = step.owner if state.may_act_on(step.owner, sid) else commander
            if st.status == "suspended":
                moving = True  # paused by hand: the night waits for whoever resumes it
                continue
            if st.status == "running":
                moving = True
                if step.kind == "gate":
                    # The engine opens a gate at its first decision: the other approvers
                    # decide in the same meeting, at the same time.
                    yield from _decisions(state, sid, commander, st.started_at or begin)
                    continue
                at = st.started_at + st.off_clock + self.duration_of(sid, state)
                if step.kind == "checkpoint":
                    if sid in self.fails and st.attempts == 1:
                        yield CheckpointFailed(
                            actor=owner,
                            at=at,
                            step=sid,
                            evidence=simulated_evidence(state, sid, passed=False),
                            key=key + ":fail",
                        )
                    else:
                        yield CheckpointPassed(
                            actor=owner,
                            at=at,
                            step=sid,
                            evidence=simulated_evidence(state, sid, passed=True),
                            key=key + ":pass",
                        )
                else:
                    yield StepCompleted(actor=owner, at=at, step=sid, key=key + ":done")
                continue
            # A failure is retried, unless it calls for rollback and there is one to invoke
            # (the commander does, above): in the rollback itself, a failure is retried too.
            retry = st.status == "failed" and not (
                state.phase == "running" and state.rollback_order and _calls_rollback(state, sid)
            )
            if st.status != "pending" and not retry:
                continue
            if not state.preds_closed(sid):
                continue
            ready = max([floor, *(_finish(state, p) for p in step.after if p in state.status)])
            if retry:
                ready = max(ready, st.finished_at + RETRY_DELAY)
            if step.not_before is not None:
                ready = max(ready, step.not_before)
            if step.kind == "gate":
                if state.criteria_open(sid):
                    continue
                moving = True
                at = max(ready, _criteria_met(state, sid)) + self.duration_of(sid, state)
                yield from _decisions(state, sid, commander, at)
                continue
            moving = True
            yield StepStarted(actor=owner, at=ready, step=sid, key=key + ":start")
        if not moving:
            # Nothing can happen any more (a gate whose criteria can never be met, a failure
            # that calls for a rollback the plan does not have...): end it, do not wait for ever.
            stuck = [sid for sid in active if not state.status[sid].closed]
            last = max(
                (state.status[s].finished_at for s in active if state.status[s].finished_at),
                default=begin,
            )
            yield RunEnded(
                actor=commander,
                at=last,
                outcome="aborted",
                reason=f"the simulation cannot go on: {', '.join(stuck[:5])} cannot start",
                key="sim:stuck",
            )

    def _rollback_call(self, state: RunState, commander: str, begin: datetime) -> Event | None:
        """The commander invoking rollback, at the earliest call for it: a failure that calls
        for it (DECISION_DELAY after), or a rollback trigger the moment it fires (running
        over its limit, not done by its time: the decision was taken when the plan was)."""
        calls: list[tuple[datetime, str, str | None]] = []
        for sid in state.order:
            st = state.status[sid]
            if st.status == "failed" and _calls_rollback(state, sid):
                calls.append(((st.finished_at or begin) + DECISION_DELAY, f"{sid} failed", None))
        for trigger in self.plan.trigger:
            st = state.status.get(trigger.step)
            step = state.steps.get(trigger.step)
            if trigger.action != "rollback" or st is None or step is None or step.rollback:
                continue
            if trigger.condition == "running-over" and st.status == "running":
                assert trigger.limit is not None and st.started_at is not None
                if self.duration_of(step.id, state) > trigger.limit:
                    reason = f"{step.id} ran over its {format_duration(trigger.limit)} limit"
                    calls.append((st.started_at + st.paused + trigger.limit, reason, trigger.id))
            elif trigger.condition == "not-done-by" and not st.closed:
                assert trigger.at is not None
                reason = f"{step.id} was not done by {state.when_dated(trigger.at)}"
                calls.append((max(trigger.at, begin), reason, trigger.id))
        if not calls:
            return None
        at, reason, trigger_id = min(calls, key=lambda c: c[0])
        return RollbackInvoked(
            actor=commander, at=at, reason=reason, trigger=trigger_id, key="sim:rollback"
        )


def _decisions(state: RunState, sid: str, commander: str, at: datetime) -> Iterator[Event]:
    """Every approver's "go" not yet recorded, each by the approver."""
    decided = state.gates[sid].decisions if sid in state.gates else {}
    for approver in state.steps[sid].approvers or [commander]:
        if approver not in decided:
            yield GateDecided(
                actor=approver,
                at=at,
                step=sid,
                approver=approver,
                decision="go",
                key=f"sim:{sid}:{approver}",
            )


def _calls_rollback(state: RunState, sid: str) -> bool:
    """A failure of `sid` calls for rollback: its on_fail says so, or a trigger on it does."""
    if state.steps[sid].on_fail == "rollback":
        return True
    return any(
        t.step == sid and t.condition == "failed" and t.action == "rollback"
        for t in state.plan.trigger
    )


def _criteria_met(state: RunState, gate_id: str) -> datetime:
    """When the last of a gate's criteria that is a step closed (the run's start if none)."""
    moments = [
        state.status[c].finished_at
        for c in state.steps[gate_id].criteria
        if c in state.status and state.status[c].finished_at is not None
    ]
    return max(moments, default=state.started_at or state.plan.window.start)


def _scratch(state: RunState) -> RunState:
    """A copy of the state that simulated events can be folded into without touching the
    original: the mutable parts are copied, the plan and its steps shared (read-only)."""
    s = copy.copy(state)
    s.status = dict(state.status)  # apply replaces a StepState it changes, never edits it
    s.steps = dict(state.steps)  # an amendment replaces a PlannedStep, adds to the lists
    s.order, s.rollback_order = list(state.order), list(state.rollback_order)
    s.gates = {sid: GateState(dict(g.decisions), g.outcome) for sid, g in state.gates.items()}
    s.readiness = dict(state.readiness)
    s.fired = dict(state.fired)
    s.alerts = dict(state.alerts)
    s.comms = list(state.comms)
    s.keys = set(state.keys)
    return s


def _finish(state: RunState, sid: str) -> datetime:
    st = state.status[sid]
    return st.finished_at or state.started_at or state.plan.window.start


def _stable(seed: int, step_id: str) -> int:
    """A seed per step that does not depend on the process's hash seed."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{step_id}".encode()).digest()[:8], "big")

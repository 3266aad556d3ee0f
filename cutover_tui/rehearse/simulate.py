"""A simulated rehearsal: steps that finish by themselves, with durations drawn from the plan.

`SimulatedNight` draws, once and deterministically per seed, how long each step will really
take (its three-point estimate as a triangular distribution, times one slowness factor for
the whole night) and which checkpoints fail. `next_event(state)` then says what happens
next: the earliest start of a ready step, completion of a running one, a gate decided when its
meeting is over, a failure's consequence. A driver applies it when its clock has reached the
event's time, so the same night plays at any speed: in tests with a fixed clock advanced by
hand, in `cutover simulate` with an accelerated clock, in the war room watching it live.

The events are the ones people would record (the step's owner starts and completes it, the
approvers decide, the commander marks readiness, invokes rollback and ends the run), so the
journal checks them like any other.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

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
from ..engine.state import RunState
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
    def next_event(self, state: RunState, commander: str) -> Event | None:
        """The earliest thing that happens next, or None when the night is over."""
        if state.phase in ("not-started", "ended"):
            return None
        candidates = list(self._candidates(state, commander))
        return min(candidates, key=lambda e: e.at) if candidates else None

    def _candidates(self, state: RunState, commander: str) -> Iterator[Event]:
        begin = state.started_at or self.plan.window.start
        for item in self.plan.readiness:
            if item.id not in state.readiness:
                yield ReadinessMarked(
                    actor=commander,
                    at=begin,
                    item=item.id,
                    status="met",
                    key=f"sim:ready:{item.id}",
                )
        if state.phase == "running":
            failed_rollback = [
                sid
                for sid in state.order
                if state.status[sid].status == "failed" and state.steps[sid].on_fail == "rollback"
            ]
            if failed_rollback and state.rollback_order:
                sid = failed_rollback[0]
                at = state.status[sid].finished_at + DECISION_DELAY
                yield RollbackInvoked(
                    actor=commander, at=at, reason=f"{sid} failed", key="sim:rollback"
                )
                return
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
        for sid in active:
            st, step = state.status[sid], state.steps[sid]
            key = f"sim:{sid}:{st.attempts}"
            if st.status == "running":
                at = st.started_at + self.durations[sid]
                if step.kind == "checkpoint":
                    if sid in self.fails and st.attempts == 1:
                        yield CheckpointFailed(
                            actor=step.owner,
                            at=at,
                            step=sid,
                            evidence="simulated failure",
                            key=key + ":fail",
                        )
                    else:
                        yield CheckpointPassed(
                            actor=step.owner,
                            at=at,
                            step=sid,
                            evidence="simulated",
                            key=key + ":pass",
                        )
                else:
                    yield StepCompleted(actor=step.owner, at=at, step=sid, key=key + ":done")
                continue
            retry = st.status == "failed" and step.on_fail != "rollback"
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
                at = ready + self.durations[sid]
                for approver in step.approvers or [commander]:
                    if approver not in state.gates[sid].decisions:
                        yield GateDecided(
                            actor=approver,
                            at=at,
                            step=sid,
                            approver=approver,
                            decision="go",
                            key=f"sim:{sid}:{approver}",
                        )
                continue
            yield StepStarted(actor=step.owner, at=ready, step=sid, key=key + ":start")


def _finish(state: RunState, sid: str) -> datetime:
    st = state.status[sid]
    return st.finished_at or state.started_at or state.plan.window.start


def _stable(seed: int, step_id: str) -> int:
    """A seed per step that does not depend on the process's hash seed."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{step_id}".encode()).digest()[:8], "big")


class Recorder(Protocol):
    """What the simulation writes to: a Journal has both."""

    def state(self) -> RunState: ...

    def append(self, event: Event) -> Event: ...


def play_until(run: Recorder, night: SimulatedNight, commander: str, now: datetime) -> list[Event]:
    """Record, in order, everything the night has made happen by `now`; return it."""
    recorded = []
    while True:
        event = night.next_event(run.state(), commander)
        if event is None or event.at > now:
            return recorded
        recorded.append(run.append(event))


async def drive(
    run: Recorder, night: SimulatedNight, commander: str, clock, tick: float = 0.1
) -> None:
    """Play the night as the clock runs (an accelerated clock for a rehearsal), until it ends."""
    import asyncio

    while run.state().phase != "ended":
        play_until(run, night, commander, clock.now())
        await asyncio.sleep(tick)

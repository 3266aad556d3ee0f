"""Scripted nights for screenshots and snapshot tests: a fixed clock and a known history.

`script_night` plays a plan forward the way a disciplined team would (every step started the
moment it is ready, by its owner; checkpoints passed; gates approved), with chosen steps running
slow or failing, and stops at a given minute. The scenes are the stages the README shows:
on track, late, ROLL BACK (a trigger fired, unanswered), rolling back, ended.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..engine.events import (
    CheckpointFailed,
    CheckpointPassed,
    Event,
    GateDecided,
    NoteAdded,
    ReadinessMarked,
    RollbackInvoked,
    RunEnded,
    RunStarted,
    StepCompleted,
    StepStarted,
)
from ..engine.schedule import schedule
from ..engine.state import RunState, apply, check, initial_state
from ..plan.model import Plan


@dataclass(frozen=True)
class Script:
    """How tonight differs from the plan."""

    until_minutes: float  # stop this long after the window start
    slow: Mapping[str, float] = field(default_factory=dict)  # step id -> actual / budget
    fail: frozenset[str] = frozenset()  # checkpoints that fail
    rollback_after_fail: bool = False  # the commander invokes rollback at the first failure
    notes: Mapping[float, str] = field(default_factory=dict)  # minute -> commander's note
    end: str | None = None  # the commander ends the run this way once nothing is left


class Night:
    """Events recorded so far, every one checked like the journal checks it."""

    def __init__(self, plan: Plan, commander: str) -> None:
        self.plan = plan
        self.commander = commander
        self.state: RunState = initial_state(plan)
        self.events: list[Event] = []

    def record(self, event: Event) -> None:
        reason = check(self.state, event)
        if reason:
            raise ValueError(f"scripted event refused: {reason}")
        stored = event.model_copy(update={"seq": len(self.events) + 1})
        apply(self.state, stored)
        self.events.append(stored)


def script_night(plan: Plan, script: Script) -> tuple[list[Event], datetime]:
    """The history of the night up to `script.until_minutes`, and that moment."""
    commander = plan.people_with_role("commander")[0]
    start = plan.window.start
    stop = start + timedelta(minutes=script.until_minutes)
    night = Night(plan, commander)
    night.record(RunStarted(actor=commander, at=start, plan_id=plan.plan.id, key="start"))
    for item in plan.readiness:
        night.record(
            ReadinessMarked(actor=commander, at=start, item=item.id, status="met", note="")
        )
    finishes: dict[str, datetime] = {}
    now = start
    notes = sorted(script.notes.items())
    while now <= stop and night.state.phase in ("running", "rollback"):
        while notes and start + timedelta(minutes=notes[0][0]) <= now:
            minute, text = notes.pop(0)
            night.record(
                NoteAdded(
                    actor=commander,
                    at=start + timedelta(minutes=minute),
                    kind="decision",
                    text=text,
                )
            )
        for sid, due in sorted(finishes.items(), key=lambda kv: kv[1]):
            if due <= now:
                del finishes[sid]
                _finish(night, sid, due, script)
        _start_ready(night, now, finishes, script)
        upcoming = [due for due in finishes.values() if due > now]
        if not upcoming and not notes and not schedule(night.state, now).ready:
            break
        note_times = [start + timedelta(minutes=minute) for minute, _ in notes]
        now = min([*upcoming, *note_times, stop + timedelta(seconds=1)])
    if script.end is not None and night.state.phase != "ended":
        last = max(e.at for e in night.events)
        night.record(RunEnded(actor=commander, at=last, outcome=script.end, key="end"))
    return night.events, stop


def _start_ready(
    night: Night, now: datetime, finishes: dict[str, datetime], script: Script
) -> None:
    """Start what is ready. A gate is not started: its approvers decide when its budget (the
    meeting) is over, so it waits in `finishes` like a running step."""
    for sid in schedule(night.state, now).ready:
        if sid in finishes or night.state.status[sid].status == "failed":
            continue  # a failure waits for the commander: retry, skip or roll back
        step = night.state.steps[sid]
        if step.kind != "gate":
            night.record(StepStarted(actor=step.owner, at=now, step=sid))
        finishes[sid] = now + step.duration * script.slow.get(sid, 1.0)


def _finish(night: Night, sid: str, at: datetime, script: Script) -> None:
    """Close a step at its scripted finish; a failed checkpoint may call the rollback."""
    step = night.state.steps[sid]
    if step.kind == "gate":
        for approver in step.approvers or [night.commander]:
            night.record(
                GateDecided(actor=approver, at=at, step=sid, approver=approver, decision="go")
            )
        return
    if step.kind == "checkpoint":
        if sid in script.fail:
            night.record(
                CheckpointFailed(
                    actor=step.owner, at=at, step=sid, evidence="checkout returns HTTP 502"
                )
            )
            if script.rollback_after_fail:
                night.record(
                    RollbackInvoked(
                        actor=night.commander,
                        at=at,
                        reason=f"{sid} failed: checkout broken",
                    )
                )
            return
        night.record(CheckpointPassed(actor=step.owner, at=at, step=sid, evidence="as expected"))
        return
    night.record(StepCompleted(actor=step.owner, at=at, step=sid))


SCENES: dict[str, Script] = {
    # 02:10, migration done on time, deploying.
    "on-track": Script(until_minutes=250),
    # The catalogue load ran at 2.5x its budget and the orders at 2x: smoke tests cannot end in time.
    "late": Script(
        until_minutes=340,
        slow={"load-catalog": 2.5, "load-orders": 2.4, "rebuild-search-index": 4.0},
        notes={320: "Index rebuild on the legacy disk is slow. Decide at 04:45 at the latest."},
    ),
    # The row counts did not match: the trigger fired, the commander has not answered yet.
    "roll-back": Script(until_minutes=215, fail=frozenset({"row-count-matches"})),
    # Checkout smoke test failed; rollback invoked, restoring.
    "rollback": Script(
        until_minutes=330,
        slow={"load-orders": 1.3},
        fail=frozenset({"all-smoke-tests-pass"}),
        rollback_after_fail=True,
    ),
    # The night is over: completed inside the window, the clock stopped at the end.
    "ended": Script(until_minutes=600, slow={"load-orders": 1.2}, end="completed"),
}

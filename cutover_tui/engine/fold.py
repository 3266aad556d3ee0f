"""The fold: `apply(state, event)` folds one checked event into a RunState, in place, and
`fold(plan, events)` the whole journal from the plan's initial state.

RunState is mutable and updated in place, so a follower applies each new event in O(1)
instead of refolding the night. The StepState an event changes is replaced by a changed copy,
never edited (a Schedule made before still reads the states of its moment). `fold` applies the
two events of most of a night (a step started, then completed) inline, as compact RanSteps
(`engine.compact`): what a war room opening a run pays for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta

from ..plan.model import Plan
from . import aftercare, checks, incidents, outbox
from .compact import FRESH, RanStep, copied, initial_state
from .events import (
    BudgetExceeded,
    CheckpointFailed,
    CheckpointPassed,
    ClockJumped,
    CommsSent,
    DependencyChanged,
    EstimateChanged,
    Event,
    GateDecided,
    ReadinessMarked,
    RollbackInvoked,
    RunEnded,
    RunStarted,
    StepAdded,
    StepCompleted,
    StepFailed,
    StepSkipped,
    StepStarted,
    TriggerFired,
    TriggerOverridden,
    WindowAlert,
)
from .fold_step_clock import clock_jumped, resumed, suspended
from .review import excluded
from .runstate import (
    GateState,
    Pause,
    PlannedStep,
    RunState,
    StepState,
    StepStatus,
    mono_reading,
    mono_span,
)
from .timings import recorded_live


def fold(plan: Plan, events: Iterable[Event]) -> RunState:
    """The state after `events` (each already checked), from the plan's initial state.

    The same as `apply` on each event in turn, with the two events that make up most of a
    night (a step started, a step completed) applied inline: a war room opening a run folds
    every event it has.
    """
    state = initial_state(plan)
    if not isinstance(events, list | tuple):
        events = list(events)
    status = state.status
    untouched = FRESH
    new, ran = object.__new__, RanStep
    handlers = _APPLY
    state.event_count = len(events)  # its keys and seqs are gathered when first asked for
    state._ungathered = tuple(events)  # a copy: the caller's list may grow before then
    # A fresh step's start is held back until its next event: most steps are started and
    # completed with nothing between, and get their StepState made once, done.
    starts: dict[str, Event] = {}
    for e in events:
        # By class: a pydantic event's fields are slow to read (BaseModel.__getattr__ keeps
        # them off CPython's fast attribute path), type() is not.
        cls = type(e)
        if cls is StepStarted:
            sid = e.step  # type: ignore[union-attr]
            if status[sid] is untouched and sid not in starts:
                starts[sid] = e
                continue
        elif cls is ClockJumped:  # it changes every running step: none is held back
            for begun in starts.values():
                _start_held(state, begun)
            starts.clear()
        elif cls is StepCompleted:
            sid = e.step  # type: ignore[union-attr]
            begun = starts.pop(sid, None)
            if begun is not None:
                # What _step_started then _finish(..., "done", e) make of a fresh state.
                st = new(ran)
                st.begun = begun
                st.ended = e
                status[sid] = st
                continue
        kind = e.type
        if kind in CHANGES_A_STEP:
            # The handlers below edit the step's state: it must be a plain one of this fold.
            sid = e.step  # type: ignore[union-attr]
            if sid in starts:
                _start_held(state, starts.pop(sid))
            else:
                st = status.get(sid)
                if st is not None and st.__class__ is not StepState:
                    status[sid] = copied(st)
        handler = handlers.get(kind)
        if handler:
            handler(state, e)
    for begun in starts.values():  # started, nothing since: running
        _start_held(state, begun)
    return state


def _start_held(state: RunState, e: StepStarted) -> None:
    """Apply a start `fold` held back, to a fresh state of the step's own."""
    state.status[e.step] = object.__new__(StepState)
    _step_started(state, e)


# -- apply ---------------------------------------------------------------------------------


def apply(state: RunState, event: Event) -> RunState:
    """Fold one (already checked) event into the state, in place.

    The StepState an event changes is replaced by a changed copy, never edited: a Schedule
    made before holds the StepStates of its moment and builds its StepTimes from them later.
    """
    state.event_count += 1
    state.last_seq = max(state.last_seq, event.seq)
    if event.key:
        state.keys.add(event.key)
    if event.type in CHANGES_A_STEP:
        sid = event.step  # type: ignore[union-attr]
        st = state.status.get(sid)
        if st is not None:
            state.status[sid] = copied(st)
    handler = _APPLY.get(event.type)
    if handler:
        handler(state, event)
    return state


# Events that change the StepState of their step (a comms message without a step changes none).
CHANGES_A_STEP = frozenset(
    {
        "step-started",
        "step-completed",
        "step-failed",
        "step-skipped",
        "step-suspended",
        "step-resumed",
        "checkpoint-passed",
        "checkpoint-failed",
        "gate-decided",
        "budget-exceeded",
        "comms-sent",
    }
)


def _started(state: RunState, e: RunStarted) -> None:
    state.phase = "running"
    state.mode = e.mode
    state.simulated = bool(e.simulated)
    state.started_at = e.at
    state.started_by = e.actor
    checks.apply_started(state, e.checks)


def _step_started(state: RunState, e: StepStarted) -> None:
    st = state.status[e.step]
    st.status = "running"
    st.started_at, st.started_by = e.at, e.actor
    st.finished_at = st.finished_by = None
    st.attempts += 1
    st.paused = st.jumped = st.suspend_jumped = timedelta(0)
    if st.pauses or st.jumps:  # a retry: its own clock (most steps never set them)
        st.pauses = st.jumps = ()
    st.reason = ""
    st.started_mono = mono_reading(e)
    st.ran_mono = None
    st.start_live, st.finish_live = recorded_live(e), False


def _finish(state: RunState, sid: str, status: StepStatus, e: Event, reason: str = "") -> None:
    st = state.status[sid]
    if st.started_at is None:
        st.started_at, st.started_by = e.at, e.actor  # a checkpoint passed straight away
        st.attempts += 1
        st.start_live = recorded_live(e)
    st.status = status
    st.finished_at, st.finished_by = e.at, e.actor
    st.finish_live = recorded_live(e)
    ran = mono_span(st.started_mono, e)
    if ran is not None:
        st.ran_mono = ran
    if st.suspended_at is not None:  # finished while suspended: that suspension ran
        st.pauses = (*st.pauses, Pause(st.suspended_at, e.at, timedelta(0), st.resume_eta))
    st.suspended_at = st.resume_eta = None
    st.suspend_jumped = timedelta(0)  # (its jumps left out, as every jump is)
    st.reason = reason
    if status == "failed" and st.failed_at is None:
        st.failed_at = e.at


def _completed(state: RunState, e: StepCompleted) -> None:
    _finish(state, e.step, "done", e)


def _failed(state: RunState, e: StepFailed) -> None:
    _finish(state, e.step, "failed", e, e.reason)


def _skipped(state: RunState, e: StepSkipped) -> None:
    st = state.status[e.step]
    st.status = "skipped"
    st.finished_at, st.finished_by = e.at, e.actor
    st.reason = e.reason


def _checkpoint_passed(state: RunState, e: CheckpointPassed) -> None:
    _finish(state, e.step, "done", e)
    state.status[e.step].evidence = e.evidence


def _checkpoint_failed(state: RunState, e: CheckpointFailed) -> None:
    _finish(state, e.step, "failed", e, e.evidence)
    state.status[e.step].evidence = e.evidence


def _gate_decided(state: RunState, e: GateDecided) -> None:
    gate = state.gates.setdefault(e.step, GateState())
    gate.decisions[e.approver] = e
    step = state.steps[e.step]
    st = state.status[e.step]
    if st.started_at is None:
        st.status, st.started_at, st.started_by = "running", e.at, e.actor
        st.attempts = 1
        st.start_live = recorded_live(e)  # its first decision: timings.decided_at_once
    if e.decision == "no-go":
        gate.outcome = "no-go"
        _finish(state, e.step, "failed", e, e.reason)
        return
    needed = set(step.approvers) if step.approvers else {e.approver}
    if needed <= set(gate.decisions):
        decisions = {d.decision for d in gate.decisions.values()}
        gate.outcome = "conditional-go" if "conditional-go" in decisions else "go"
        _finish(state, e.step, "done", e)


def _readiness(state: RunState, e: ReadinessMarked) -> None:
    state.readiness[e.item] = e


def _amended(state: RunState) -> None:
    """The graph changed: structures derived from the old one no longer hold."""
    state.revision += 1
    state.derived = {k: v for k, v in state.derived.items() if k.startswith("plan:")}


def _step_added(state: RunState, e: StepAdded) -> None:
    _amended(state)
    state.steps[e.step] = PlannedStep(
        id=e.step,
        title=e.title,
        owner=e.owner,
        duration=timedelta(seconds=e.duration_s),
        after=list(e.after),
        phase=e.phase,
        rollback=False,
        added=True,
    )
    state.status[e.step] = StepState()
    state.order.append(e.step)
    for succ in e.before:
        step = state.steps[succ]
        state.steps[succ] = replace(step, after=[*step.after, e.step])


def _estimate_changed(state: RunState, e: EstimateChanged) -> None:
    _amended(state)
    state.steps[e.step] = replace(state.steps[e.step], duration=timedelta(seconds=e.duration_s))


def _dependency_changed(state: RunState, e: DependencyChanged) -> None:
    _amended(state)
    state.steps[e.step] = replace(state.steps[e.step], after=list(e.after))


def _budget(state: RunState, e: BudgetExceeded) -> None:
    state.status[e.step].over_budget_attempt = e.attempt


def _trigger(state: RunState, e: TriggerFired) -> None:
    state.fired[e.trigger] = e


def _alert(state: RunState, e: WindowAlert) -> None:
    state.alerts[e.alert] = e


def _rollback(state: RunState, e: RollbackInvoked) -> None:
    state.phase = "rollback"
    state.rollback_at = e.at
    state.rollback_reason = e.reason


def _override(state: RunState, e: TriggerOverridden) -> None:
    state.overrides[e.trigger] = e


def _comms(state: RunState, e: CommsSent) -> None:
    state.comms.append(e)
    if e.step is not None:
        _finish(state, e.step, "done", e)


def _ended(state: RunState, e: RunEnded) -> None:
    state.phase = "ended"
    state.ended_at = e.at
    state.outcome = e.outcome


def _noop(state: RunState, e: Event) -> None:
    return None


_APPLY = {
    "run-started": _started,
    "step-started": _step_started,
    "step-completed": _completed,
    "step-failed": _failed,
    "step-skipped": _skipped,
    "step-suspended": suspended,
    "step-resumed": resumed,
    "checkpoint-passed": _checkpoint_passed,
    "checkpoint-failed": _checkpoint_failed,
    "check-requested": checks.apply_request,
    "probe-sampled": checks.apply_sample,
    "gate-decided": _gate_decided,
    "readiness-marked": _readiness,
    "note-added": _noop,
    "step-added": _step_added,
    "estimate-changed": _estimate_changed,
    "dependency-changed": _dependency_changed,
    "budget-exceeded": _budget,
    "trigger-fired": _trigger,
    "window-alert": _alert,
    "clock-jumped": clock_jumped,
    "rollback-invoked": _rollback,
    "trigger-overridden": _override,
    "rehearsal-excluded": excluded,
    "comms-sent": _comms,
    "run-ended": _ended,
    **outbox.APPLY,
    **aftercare.APPLY,
    **incidents.APPLY,
}


def folds_nothing(kind: str) -> bool:
    """An event of this type changes nothing a fold keeps but the count, the last seq and the
    keys (a note): a journal folds it from its row's columns without reading its body."""
    return kind not in CHANGES_A_STEP and _APPLY.get(kind, _noop) is _noop


__all__ = ["apply", "fold", "folds_nothing", "initial_state"]

"""The checks of one step's events: may this step be started, completed, failed, skipped,
suspended, resumed, passed (a checkpoint), decided (a gate) or amended now, and if not, why.

Called from `engine.rules` (`STEP_CHECKS`), after the permission check; each answers with a
sentence naming who did what and when, or None when the event is legal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..inert import inert_line
from ..plan.errors import nearest
from ..plan.ids import id_problem
from .checks import overrides_a_check
from .events import (
    CheckpointFailed,
    CheckpointPassed,
    DependencyChanged,
    EstimateChanged,
    GateDecided,
    StepAdded,
    StepCompleted,
    StepFailed,
    StepResumed,
    StepSkipped,
    StepStarted,
    StepSuspended,
)
from .incidents import the_commander
from .runstate import GateState, RunState
from .texts import says_nothing
from .times import stamps


def step_problem(state: RunState, step_id: str) -> str | None:
    """Why `step_id` cannot be acted on now: no such step, or not of the graph under way (the
    plan, or the rollback once invoked); None when it can."""
    return unknown_step(state, step_id) or _step_phase_ok(state, step_id)


def unknown_step(state: RunState, step_id: str) -> str | None:
    if step_id in state.steps:
        return None
    hint = nearest(step_id, state.steps)
    return f"there is no step {step_id!r}" + (f"; did you mean {hint!r}?" if hint else "")


def _step_phase_ok(state: RunState, step_id: str) -> str | None:
    step = state.steps[step_id]
    if step.rollback and state.phase != "rollback":
        return f"{step_id!r} is a rollback step; rollback has not been invoked"
    if not step.rollback and state.phase == "rollback":
        return f"rollback is under way since {state.when(state.rollback_at)}; plan steps are closed"
    return None


def closed_by(state: RunState, step_id: str) -> str:
    st = state.status[step_id]
    verb = {"done": "completed", "skipped": "skipped", "failed": "failed"}.get(st.status, st.status)
    return f"{step_id!r} was already {verb} by {state.name(st.finished_by)} at {state.when(st.finished_at)}"


def _check_start(state: RunState, event: StepStarted) -> str | None:
    sid = event.step
    problem = step_problem(state, sid)
    if problem:
        return problem
    st = state.status[sid]
    step = state.steps[sid]
    if st.status in ("running", "suspended"):
        return f"{sid!r} was already started by {state.name(st.started_by)} at {state.when(st.started_at)}"
    if st.closed:
        return closed_by(state, sid)
    if step.kind == "gate":
        return f"{sid!r} is a gate: record the approvers' decisions instead"
    open_preds = state.open_preds(sid)
    if open_preds:
        return f"{sid!r} waits for {', '.join(repr(p) for p in open_preds)} to finish"
    if step.not_before and event.at < step.not_before and not state.is_commander(event.actor):
        return f"{sid!r} has a fixed start at {state.when(step.not_before)}; only {the_commander(state)} may start it early"
    return None


def _check_running(state: RunState, sid: str, action: str) -> str | None:
    problem = step_problem(state, sid)
    if problem:
        return problem
    st = state.status[sid]
    if state.steps[sid].kind == "gate" and st.status == "running":
        # Opened by its first decision: only the other approvers' decisions close it.
        waiting = [a for a in state.steps[sid].approvers if a not in state.gates[sid].decisions]
        who = f"; waiting for {', '.join(state.name(a) for a in waiting)}" if waiting else ""
        return f"{sid!r} is a gate: its approvers decide it (go, conditional go or no-go), nobody can {action} it{who}"
    if st.status == "suspended":
        return f"{sid!r} is suspended since {state.when(st.suspended_at)}; resume it before you {action} it"
    if st.status != "running":
        if st.status == "pending":
            return f"{sid!r} has not started; start it before you {action} it"
        return closed_by(state, sid)
    return None


def _check_complete(state: RunState, event: StepCompleted) -> str | None:
    problem = _check_running(state, event.step, "complete")
    if problem:
        return problem
    kind = state.steps[event.step].kind
    if kind == "checkpoint":
        return f"{event.step!r} is a checkpoint: record its result with pass or fail"
    return None


def _check_fail(state: RunState, event: StepFailed) -> str | None:
    return _check_running(state, event.step, "fail")


def _check_suspend(state: RunState, event: StepSuspended) -> str | None:
    problem = _check_running(state, event.step, "suspend")
    if problem:
        return problem
    if event.eta is not None and event.eta <= event.at:  # dated when on another day
        eta, now = stamps(state, event.eta, event.at)
        return f"the ETA {eta} is not after now ({now})"
    return None


def _check_resume(state: RunState, event: StepResumed) -> str | None:
    problem = step_problem(state, event.step)
    if problem:
        return problem
    if state.status[event.step].status != "suspended":
        return f"{event.step!r} is not suspended"
    return None


def _check_skip(state: RunState, event: StepSkipped) -> str | None:
    problem = step_problem(state, event.step)
    if problem:
        return problem
    st = state.status[event.step]
    if st.closed:
        return closed_by(state, event.step)
    if st.status in ("running", "suspended"):
        return f"{event.step!r} is running (started {state.when(st.started_at)} by {state.name(st.started_by)}); fail or complete it first"
    no_go = _said_no_go(state, event.step)
    if no_go:
        return no_go
    if says_nothing(event.reason):
        return "say why the step is skipped: it goes into the review"
    return None


def _said_no_go(state: RunState, step_id: str) -> str | None:
    """A gate its approvers said no-go to is not skipped past: the no-go is final (a skip
    would lift the verdict's NO GO and open every step after the gate)."""
    gate = state.gates.get(step_id)
    if gate is None or gate.outcome != "no-go":
        return None
    said = next((d for d in gate.decisions.values() if d.decision == "no-go"), None)
    who = f" by {state.name(said.approver)} at {state.when(said.at)}" if said else ""
    return f"{step_id!r} was decided no-go{who}: a no-go is final; roll back or end the run"


def _check_checkpoint(state: RunState, event: CheckpointPassed | CheckpointFailed) -> str | None:
    sid = event.step
    problem = step_problem(state, sid)
    if problem:
        return problem
    if state.steps[sid].kind != "checkpoint":
        return f"{sid!r} is a {state.steps[sid].kind}, not a checkpoint"
    st = state.status[sid]
    if overrides_a_check(state, event):
        return (
            None
            if not says_nothing(event.evidence)
            else "say why the check is overridden (the evidence)"
        )
    if st.closed or st.status == "failed":
        return closed_by(state, sid)
    if st.status == "pending" and not state.preds_closed(sid):
        return f"{sid!r} waits for {', '.join(repr(p) for p in state.open_preds(sid))} to finish"
    if st.status == "suspended":
        return f"{sid!r} is suspended; resume it first"
    return None


def _check_gate(state: RunState, event: GateDecided) -> str | None:
    sid = event.step
    problem = step_problem(state, sid)
    if problem:
        return problem
    step = state.steps[sid]
    if step.kind != "gate":
        return f"{sid!r} is a {step.kind}, not a gate"
    gate = state.gates.setdefault(sid, GateState())
    if gate.outcome is not None:
        return f"gate {sid!r} was already decided: {gate.outcome}"
    approvers = (
        step.approvers or state.plan.people_with_role("commander") or [state.started_by or ""]
    )
    if event.approver not in approvers and not (
        not step.approvers and state.is_commander(event.approver)
    ):
        return f"{state.name(event.approver)} is not an approver of {sid!r} (approvers: {', '.join(approvers)})"
    earlier = gate.decisions.get(event.approver)
    if earlier:
        return f"{state.name(event.approver)} already decided {earlier.decision} at {state.when(earlier.at)}"
    if not state.preds_closed(sid):
        return (
            f"gate {sid!r} waits for {', '.join(repr(p) for p in state.open_preds(sid))} to finish"
        )
    open_criteria = state.criteria_open(sid)
    if event.decision == "go" and open_criteria:
        return (
            f"a go needs every criterion met; open: {', '.join(open_criteria)} "
            "(record a conditional go with the accepted risks, or a no-go)"
        )
    if event.decision == "conditional-go" and not (event.risks or not says_nothing(event.reason)):
        return "a conditional go must record the accepted risks"
    if event.decision == "no-go" and says_nothing(event.reason):
        return "a no-go must say why"
    return None


def _check_added(state: RunState, event: StepAdded) -> str | None:
    problem = id_problem(event.step)  # the plan's grammar: no '../evil', no escape sequences
    if problem:
        return problem
    if event.phase is not None and event.phase not in state.plan.phase_by_id:
        return f"'{inert_line(event.phase, 60)}' is not a phase of the plan"
    if event.step in state.steps or event.step in state.plan.readiness_by_id:
        return f"there is already a step or item {event.step!r}"
    if event.owner not in state.plan.people:
        return f"{event.owner!r} is not in the plan's people"
    if event.duration_s <= 0:
        return "the new step needs a positive duration"
    for ref in [*event.after, *event.before]:
        problem = unknown_step(state, ref)
        if problem:
            return problem
        if state.steps[ref].rollback:  # a step added live belongs to the plan
            return "rollback steps and plan steps are separate graphs"
    for succ in event.before:
        if state.status[succ].status != "pending":
            return f"{succ!r} has already started; a new step cannot come before it"
    if set(event.after) & _descendants(state, event.before):
        return "that would make a dependency cycle"
    return _amend_reason(event.reason)


def _check_estimate(state: RunState, event: EstimateChanged) -> str | None:
    problem = unknown_step(state, event.step)
    if problem:
        return problem
    if state.status[event.step].closed:
        return closed_by(state, event.step)
    if event.duration_s <= 0:
        return "an estimate must be positive"
    return _amend_reason(event.reason)


def _check_dependency(state: RunState, event: DependencyChanged) -> str | None:
    problem = unknown_step(state, event.step)
    if problem:
        return problem
    for ref in event.after:
        problem = unknown_step(state, ref)
        if problem:
            return problem
        if state.steps[ref].rollback != state.steps[event.step].rollback:
            return "rollback steps and plan steps are separate graphs"
    if state.status[event.step].status != "pending":
        return f"{event.step!r} has already started; its dependencies no longer matter"
    if event.step in event.after or event.step in _ancestors(state, event.after):
        return "that would make a dependency cycle"
    return _amend_reason(event.reason)


def _amend_reason(reason: str) -> str | None:
    return (
        None
        if not says_nothing(reason)
        else "a live amendment must say why: it goes into the review"
    )


def _ancestors(state: RunState, ids: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    stack = list(ids)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(state.steps[node].after)
    return seen


def _descendants(state: RunState, ids: Iterable[str]) -> set[str]:
    children: dict[str, list[str]] = {}
    for step in state.steps.values():
        for pred in step.after:
            children.setdefault(pred, []).append(step.id)
    seen: set[str] = set()
    stack = list(ids)
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(children.get(node, []))
    return seen


STEP_CHECKS: dict[str, Callable[[RunState, Any], str | None]] = {
    "step-started": _check_start,
    "step-completed": _check_complete,
    "step-failed": _check_fail,
    "step-skipped": _check_skip,
    "step-suspended": _check_suspend,
    "step-resumed": _check_resume,
    "checkpoint-passed": _check_checkpoint,
    "checkpoint-failed": _check_checkpoint,
    "gate-decided": _check_gate,
    "step-added": _check_added,
    "estimate-changed": _check_estimate,
    "dependency-changed": _check_dependency,
}

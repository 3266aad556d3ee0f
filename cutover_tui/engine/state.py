"""fold(plan, events) -> RunState, and check(state, event): may this event happen now?

RunState is mutable and updated in place by `apply`, so a follower applies each new event in
O(1) instead of refolding the night. `check` is what the journal calls inside its write
transaction; it answers with a sentence naming who did what and when, or None when allowed.

The run's data lives in `engine.runstate`, the fold's compact states and templates in
`engine.compact`; this module re-exports them, so other layers import from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from ..inert import inert_line
from ..plan.durations import format_duration
from ..plan.errors import nearest
from ..plan.ids import id_problem
from ..plan.model import Plan, Trigger
from . import outbox
from .compact import FRESH, RanStep, copied, initial_state
from .events import (
    CONDUCTOR,
    DERIVED_TYPES,
    BudgetExceeded,
    CheckpointFailed,
    CheckpointPassed,
    ClockJumped,
    CommsSent,
    DependencyChanged,
    EstimateChanged,
    Event,
    GateDecided,
    NoteAdded,
    ReadinessMarked,
    RollbackInvoked,
    RunEnded,
    RunStarted,
    StepAdded,
    StepCompleted,
    StepFailed,
    StepResumed,
    StepSkipped,
    StepStarted,
    StepSuspended,
    TriggerFired,
    TriggerOverridden,
    WindowAlert,
)
from .review import allowed_after_end, check_exclusion, check_waiver, ended_refusal, excluded
from .runstate import (
    GateState,
    PlannedStep,
    RunPhase,
    RunState,
    StepKind,
    StepState,
    StepStatus,
    mono_reading,
    mono_span,
)
from .sizes import size_problem
from .times import time_problem
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
        if kind in _CHANGES_A_STEP:
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


class Refused(Exception):
    """A command that may not happen now; the message says why, naming who and when."""


def check(state: RunState, event: Event) -> str | None:
    """Why `event` may not be appended to the run now, or None when it may.

    Permission first: a key already in the run never lets a command skip it (the journal
    then answers a repeat from the key's own author only: `Journal.append`)."""
    reason = _permission(state, event)
    if reason or (event.key and event.key in state.keys):
        return reason  # None: a repeat of an acknowledged command, answered idempotently
    return _legality(state, event)


def permission(state: RunState, event: Event) -> str | None:
    """Why `event`'s actor may not do this at all, or None: the roles alone, not the moment."""
    return _permission(state, event)


def check_rules(state: RunState, event: Event) -> str | None:
    """`check` without the idempotency key: what `cutover verify` replays every stored event
    through (a stored event was appended once, as a new command, so the rules held then)."""
    return _permission(state, event) or _legality(state, event)


def require(state: RunState, event: Event) -> None:
    reason = check(state, event)
    if reason:
        raise Refused(reason)


def _permission(state: RunState, event: Event) -> str | None:
    actor = event.actor
    who = state.name(actor)
    if event.type in outbox.OUTBOX_TYPES or (actor == CONDUCTOR and isinstance(event, CommsSent)):
        return outbox.permission(state, event)  # who sends and delivers messages
    if event.type in DERIVED_TYPES:
        return None if actor == CONDUCTOR else f"only the conductor records {event.type}"
    if actor == CONDUCTOR:
        return f"the conductor does not record {event.type}"
    if isinstance(event, RunStarted):
        logins = state._commander_logins()
        if logins and actor not in logins and event.mode != "rehearsal":
            return (
                f"{who} may not start this run: only the commander "
                f"({', '.join(state.name(k) for k in logins)}) may"
            )
        return None
    roles = state.roles_of(actor)
    commander = "commander" in roles
    step_id = event.step_id
    if isinstance(event, GateDecided):
        step = state.steps.get(event.step)
        if step is None or commander:
            return None
        if event.approver != actor:
            return f"{who} may record only their own decision, not {state.name(event.approver)}'s"
        return None
    if isinstance(event, ReadinessMarked):
        item = state.plan.readiness_by_id.get(event.item)
        if commander or (item is not None and item.owner == actor):
            return None
        return _refusal(
            who, roles, f"mark readiness item {event.item!r}", "the commander or its owner"
        )
    if isinstance(event, NoteAdded):
        if roles - {"watcher"} or (step_id and state.may_act_on(actor, step_id)):
            return None
        return _refusal(who, roles, "add a note", "anyone with a role in the plan but a watcher")
    if isinstance(event, CommsSent):
        if commander or "communicator" in roles or (step_id and state.may_act_on(actor, step_id)):
            return None
        return _refusal(who, roles, "send comms", "the commander, a communicator or the step owner")
    owner_may = (
        StepStarted,
        StepCompleted,
        StepFailed,
        StepSuspended,
        StepResumed,
        CheckpointPassed,
        CheckpointFailed,
    )
    if isinstance(event, owner_may) and step_id in state.steps:
        if state.may_act_on(actor, step_id):
            return None
        owner = state.steps[step_id].owner
        allowed = (
            f"the commander or its owner, {state.name(owner)}"
            if owner != actor
            else "the commander (a watcher only watches, even on their own step)"
        )
        return _refusal(who, roles, f"{_verb(event)} {step_id!r}", allowed)
    if commander:
        return None
    if step_id not in (None, *state.steps) and not isinstance(event, StepAdded):
        return None  # unknown steps are a legality problem, reported with a hint below
    return _refusal(who, roles, _verb(event), "the commander")


def _refusal(who: str, roles: set[str], action: str, allowed: str) -> str:
    role_text = ", ".join(sorted(roles)) if roles else "not in the plan's people, so read-only"
    return f"{who} [{role_text}] may not {action}: only {allowed} may"


def _verb(event: Event) -> str:
    return {
        "step-started": "start",
        "step-completed": "complete",
        "step-failed": "fail",
        "step-skipped": "skip",
        "step-suspended": "suspend",
        "step-resumed": "resume",
        "checkpoint-passed": "pass checkpoint",
        "checkpoint-failed": "fail checkpoint",
        "step-added": "add a step",
        "estimate-changed": "change an estimate",
        "dependency-changed": "change dependencies",
        "rollback-invoked": "invoke rollback",
        "trigger-overridden": "override a rollback trigger",
        "run-ended": "end the run",
        "rehearsal-excluded": "exclude this rehearsal from the history",
    }.get(event.type, event.type)


def _legality(state: RunState, event: Event) -> str | None:
    return (
        size_problem(state, event)
        or _rules(state, event)
        or time_problem(state, event, event.recorded_at)  # engine/times.py: now = recording
    )


def _rules(state: RunState, event: Event) -> str | None:
    if state.phase == "ended" and not (allowed_after_end(event) or outbox.delivering(event)):
        return ended_refusal(state)
    if isinstance(event, RunStarted):
        if state.phase != "not-started":
            return f"the run was already started by {state.name(state.started_by)} at {state.when(state.started_at)}"
        return None
    if state.phase == "not-started":
        return "the run has not started yet"
    handler = _LEGALITY.get(event.type)
    return handler(state, event) if handler else None


def _unknown_step(state: RunState, step_id: str) -> str | None:
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


def _closed_by(state: RunState, step_id: str) -> str:
    st = state.status[step_id]
    verb = {"done": "completed", "skipped": "skipped", "failed": "failed"}.get(st.status, st.status)
    return f"{step_id!r} was already {verb} by {state.name(st.finished_by)} at {state.when(st.finished_at)}"


def _check_start(state: RunState, event: StepStarted) -> str | None:
    sid = event.step
    problem = _unknown_step(state, sid) or _step_phase_ok(state, sid)
    if problem:
        return problem
    st = state.status[sid]
    step = state.steps[sid]
    if st.status in ("running", "suspended"):
        return f"{sid!r} was already started by {state.name(st.started_by)} at {state.when(st.started_at)}"
    if st.closed:
        return _closed_by(state, sid)
    if step.kind == "gate":
        return f"{sid!r} is a gate: record the approvers' decisions instead"
    open_preds = state.open_preds(sid)
    if open_preds:
        return f"{sid!r} waits for {', '.join(repr(p) for p in open_preds)} to finish"
    if step.not_before and event.at < step.not_before and not state.is_commander(event.actor):
        return f"{sid!r} has a fixed start at {state.when(step.not_before)}; only the commander may start it early"
    return None


def _check_running(state: RunState, sid: str, action: str) -> str | None:
    problem = _unknown_step(state, sid) or _step_phase_ok(state, sid)
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
        return _closed_by(state, sid)
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
    if event.eta is not None and event.eta <= event.at:
        return f"the ETA {state.when(event.eta)} is not after now ({state.when(event.at)})"
    return None


def _check_resume(state: RunState, event: StepResumed) -> str | None:
    problem = _unknown_step(state, event.step) or _step_phase_ok(state, event.step)
    if problem:
        return problem
    if state.status[event.step].status != "suspended":
        return f"{event.step!r} is not suspended"
    return None


def _check_skip(state: RunState, event: StepSkipped) -> str | None:
    problem = _unknown_step(state, event.step) or _step_phase_ok(state, event.step)
    if problem:
        return problem
    st = state.status[event.step]
    if st.closed:
        return _closed_by(state, event.step)
    if st.status in ("running", "suspended"):
        return f"{event.step!r} is running (started {state.when(st.started_at)} by {state.name(st.started_by)}); fail or complete it first"
    if not event.reason.strip():
        return "say why the step is skipped: it goes into the review"
    return None


def _check_checkpoint(state: RunState, event: CheckpointPassed | CheckpointFailed) -> str | None:
    sid = event.step
    problem = _unknown_step(state, sid) or _step_phase_ok(state, sid)
    if problem:
        return problem
    if state.steps[sid].kind != "checkpoint":
        return f"{sid!r} is a {state.steps[sid].kind}, not a checkpoint"
    st = state.status[sid]
    if st.closed or st.status == "failed":
        return _closed_by(state, sid)
    if st.status == "pending" and not state.preds_closed(sid):
        return f"{sid!r} waits for {', '.join(repr(p) for p in state.open_preds(sid))} to finish"
    if st.status == "suspended":
        return f"{sid!r} is suspended; resume it first"
    return None


def _check_gate(state: RunState, event: GateDecided) -> str | None:
    sid = event.step
    problem = _unknown_step(state, sid) or _step_phase_ok(state, sid)
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
    if event.decision == "conditional-go" and not (event.risks or event.reason.strip()):
        return "a conditional go must record the accepted risks"
    if event.decision == "no-go" and not event.reason.strip():
        return "a no-go must say why"
    return None


def _check_readiness(state: RunState, event: ReadinessMarked) -> str | None:
    if event.item not in state.plan.readiness_by_id:
        hint = nearest(event.item, state.plan.readiness_by_id)
        return f"there is no readiness item {event.item!r}" + (
            f"; did you mean {hint!r}?" if hint else ""
        )
    earlier = state.readiness.get(event.item)
    if earlier:
        return f"{event.item!r} was already marked {earlier.status} by {state.name(earlier.actor)} at {state.when(earlier.at)}"
    return check_waiver(event)


def _check_note(state: RunState, event: NoteAdded) -> str | None:
    if not event.text.strip():
        return "a note needs text"
    if event.step is not None:
        return _unknown_step(state, event.step)
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
        problem = _unknown_step(state, ref)
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
    problem = _unknown_step(state, event.step)
    if problem:
        return problem
    if state.status[event.step].closed:
        return _closed_by(state, event.step)
    if event.duration_s <= 0:
        return "an estimate must be positive"
    return _amend_reason(event.reason)


def _check_dependency(state: RunState, event: DependencyChanged) -> str | None:
    problem = _unknown_step(state, event.step)
    if problem:
        return problem
    for ref in event.after:
        problem = _unknown_step(state, ref)
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
    return None if reason.strip() else "a live amendment must say why: it goes into the review"


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


def _check_budget(state: RunState, event: BudgetExceeded) -> str | None:
    problem = _unknown_step(state, event.step)
    if problem:
        return problem
    st = state.status[event.step]
    if st.status not in ("running", "suspended"):
        return f"{event.step!r} is not running"
    if st.over_budget_attempt >= event.attempt:
        return f"{event.step!r} was already flagged over budget"
    return None


def _check_trigger(state: RunState, event: TriggerFired) -> str | None:
    earlier = state.fired.get(event.trigger)
    if earlier:
        return f"trigger {event.trigger!r} already fired at {state.when(earlier.at)}"
    trigger = next((t for t in state.plan.trigger if t.id == event.trigger), None)
    if trigger is None:
        return f"there is no trigger {event.trigger!r}"
    return _trigger_not_met(state, trigger, event.at)


def _trigger_not_met(state: RunState, trigger: Trigger, at: datetime) -> str | None:
    """Why `trigger` cannot have fired at `at`, as the journal stands (None if it can). The
    conductor works from the state it last read: a step closed since, within its limit, must
    not be recorded as having run over it."""
    sid = trigger.step
    st = state.status.get(sid)
    if st is None:
        return f"there is no step {sid!r}"
    ran_to = st.finished_at if st.status in ("done", "skipped", "failed") else None
    if trigger.condition == "running-over":
        if st.started_at is None or st.status == "skipped":
            return f"{sid!r} has not run, so it cannot have run over"
        limit = trigger.limit or timedelta(0)
        if ran_to is not None and ran_to - st.started_at <= limit:
            return (
                f"{sid!r} ran {state.when(st.started_at)}-{state.when(ran_to)}, within its "
                f"{format_duration(limit)} limit"
            )
    elif trigger.condition == "failed":
        if st.failed_at is None and st.status != "failed":
            return f"{sid!r} has not failed"
    elif (
        trigger.at is not None
        and st.closed
        and st.finished_at is not None
        and st.finished_at <= trigger.at
    ):
        return f"{sid!r} was done at {state.when(st.finished_at)}, by {state.when(trigger.at)}"
    return None


def _check_alert(state: RunState, event: WindowAlert) -> str | None:
    if event.alert in state.alerts:
        return f"the {event.alert} alert was already raised at {state.when(state.alerts[event.alert].at)}"
    return None


def _check_rollback(state: RunState, event: RollbackInvoked) -> str | None:
    if state.phase == "rollback":
        return f"rollback was already invoked at {state.when(state.rollback_at)}"
    if not state.rollback_order:
        return "this plan has no rollback steps"
    if not event.reason.strip():
        return "say why: the reason goes to every audience and into the review"
    return None


def _check_override(state: RunState, event: TriggerOverridden) -> str | None:
    if state.phase != "running":
        return "a trigger can be overridden only while the plan runs (not during rollback)"
    known = {t.id for t in state.plan.trigger if t.action == "rollback"}
    known |= {
        sid
        for sid, step in state.steps.items()
        if step.kind == "checkpoint" and step.on_fail == "rollback"
    }
    if event.trigger not in known:
        return f"{event.trigger!r} is not a rollback trigger or a rollback checkpoint of this plan"
    if not event.reason.strip():
        return "say why the run carries on: the reason goes into the log and the review"
    return None


def _check_comms(state: RunState, event: CommsSent) -> str | None:
    if event.step is None:
        return None
    problem = _unknown_step(state, event.step) or _step_phase_ok(state, event.step)
    if problem:
        return problem
    if state.steps[event.step].kind != "comms":
        return f"{event.step!r} is not a comms step"
    if state.status[event.step].closed:
        return _closed_by(state, event.step)
    return None


def _check_end(state: RunState, event: RunEnded) -> str | None:
    if event.outcome == "rolled-back" and state.phase != "rollback":
        return "the run can end rolled back only after rollback was invoked"
    if event.outcome == "completed":
        open_steps = [sid for sid in state.active_ids() if not state.status[sid].closed]
        if open_steps:
            shown = ", ".join(open_steps[:5]) + (" …" if len(open_steps) > 5 else "")
            return f"{len(open_steps)} steps are still open ({shown}); skip them or end the run aborted"
    return None


_LEGALITY = {
    "step-started": _check_start,
    "step-completed": _check_complete,
    "step-failed": _check_fail,
    "step-skipped": _check_skip,
    "step-suspended": _check_suspend,
    "step-resumed": _check_resume,
    "checkpoint-passed": _check_checkpoint,
    "checkpoint-failed": _check_checkpoint,
    "gate-decided": _check_gate,
    "readiness-marked": _check_readiness,
    "note-added": _check_note,
    "rehearsal-excluded": check_exclusion,
    "step-added": _check_added,
    "estimate-changed": _check_estimate,
    "dependency-changed": _check_dependency,
    "budget-exceeded": _check_budget,
    "trigger-fired": _check_trigger,
    "window-alert": _check_alert,
    "rollback-invoked": _check_rollback,
    "trigger-overridden": _check_override,
    "comms-sent": _check_comms,
    "run-ended": _check_end,
    **outbox.LEGALITY,
}


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
    if event.type in _CHANGES_A_STEP:
        sid = event.step  # type: ignore[union-attr]
        st = state.status.get(sid)
        if st is not None:
            state.status[sid] = copied(st)
    handler = _APPLY.get(event.type)
    if handler:
        handler(state, event)
    return state


# Events that change the StepState of their step (a comms message without a step changes none).
_CHANGES_A_STEP = frozenset(
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


def _step_started(state: RunState, e: StepStarted) -> None:
    st = state.status[e.step]
    st.status = "running"
    st.started_at, st.started_by = e.at, e.actor
    st.finished_at = st.finished_by = None
    st.attempts += 1
    st.paused = timedelta(0)
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
    st.suspended_at = st.resume_eta = None
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


def _suspended(state: RunState, e: StepSuspended) -> None:
    st = state.status[e.step]
    st.status = "suspended"
    st.suspended_at, st.resume_eta = e.at, e.eta
    st.reason = e.reason


def _resumed(state: RunState, e: StepResumed) -> None:
    st = state.status[e.step]
    if st.suspended_at is not None:
        st.paused += max(timedelta(0), e.at - st.suspended_at)
    st.status = "running"
    st.suspended_at = st.resume_eta = None


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
    "step-suspended": _suspended,
    "step-resumed": _resumed,
    "checkpoint-passed": _checkpoint_passed,
    "checkpoint-failed": _checkpoint_failed,
    "gate-decided": _gate_decided,
    "readiness-marked": _readiness,
    "note-added": _noop,
    "step-added": _step_added,
    "estimate-changed": _estimate_changed,
    "dependency-changed": _dependency_changed,
    "budget-exceeded": _budget,
    "trigger-fired": _trigger,
    "window-alert": _alert,
    "clock-jumped": _noop,
    "rollback-invoked": _rollback,
    "trigger-overridden": _override,
    "rehearsal-excluded": excluded,
    "comms-sent": _comms,
    "run-ended": _ended,
    **outbox.APPLY,
}

__all__ = [
    "FRESH",
    "ClockJumped",
    "GateState",
    "PlannedStep",
    "RanStep",
    "Refused",
    "RunPhase",
    "RunState",
    "StepKind",
    "StepState",
    "StepStatus",
    "apply",
    "check",
    "check_rules",
    "fold",
    "initial_state",
    "permission",
    "require",
]

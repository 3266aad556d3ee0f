"""May this person do this now, and if not, why: `check(state, event)`.

Permission first (`permission`: the roles alone, whoever acts and whatever the moment), then
legality (`_legality`: sizes, the run's phase, the per-event checks of `_LEGALITY`, recorded
times). The checks of one step's events are in `engine.rules_steps`, those of the outbox in
`engine.outbox`, of the review in `engine.review`. Every refusal is one sentence naming who
did what and when.
"""

from __future__ import annotations

from ..plan.errors import nearest
from . import aftercare, aftercare_checks, checks, incident_rules, outbox
from .events import (
    CONDUCTOR,
    DERIVED_TYPES,
    BudgetExceeded,
    CheckpointFailed,
    CheckpointPassed,
    CheckRequested,
    CommsSent,
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
    StepStarted,
    StepSuspended,
    TriggerOverridden,
    ValidationRecorded,
    WindowAlert,
)
from .incidents import INCIDENT_TYPES, the_commander
from .review import allowed_after_end, check_exclusion, check_waiver, ended_refusal
from .rules_steps import STEP_CHECKS, closed_by, step_problem, unknown_step
from .runstate import RunState
from .sizes import size_problem
from .texts import note_text_problem, says_nothing
from .times import time_problem
from .triggers import check_trigger


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
    if event.type in INCIDENT_TYPES:
        return incident_rules.permission(state, event)  # who may raise, ack, resolve, hand over
    if event.type in outbox.OUTBOX_TYPES or (actor == CONDUCTOR and isinstance(event, CommsSent)):
        return outbox.permission(state, event)  # who sends and delivers messages
    if event.type in DERIVED_TYPES:
        return None if actor == CONDUCTOR else f"only the conductor records {event.type}"
    if actor == CONDUCTOR and isinstance(event, CheckpointPassed | CheckpointFailed):
        return checks.conductor_permission(state, event)  # a check's outcome (engine/checks.py)
    if actor == CONDUCTOR and isinstance(event, ValidationRecorded):
        return aftercare_checks.conductor_permission(state, event)  # an item's check's outcome
    if actor == CONDUCTOR and isinstance(event, NoteAdded):
        return checks.conductor_note_permission(event)  # clock/checking.checks_not_run
    if actor == CONDUCTOR:
        return f"the conductor does not record {event.type}"
    if aftercare.is_aftercare(event):
        return aftercare.permission(state, event)  # owners after the night
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
            who,
            state.roles_said(actor),
            f"mark readiness item {event.item!r}",
            f"{the_commander(state)} or its owner",
        )
    if isinstance(event, NoteAdded):
        if roles - {"watcher"} or (step_id and state.may_act_on(actor, step_id)):
            return None
        return _refusal(
            who,
            state.roles_said(actor),
            "add a note",
            # "a role in the plan" misled a commander who had handed the role over: the
            # plan still gives it to them, tonight they have none (user pass, jump host).
            "someone with a role tonight other than watcher, or the owner of the step,",
        )
    if isinstance(event, CommsSent):
        if commander or "communicator" in roles or (step_id and state.may_act_on(actor, step_id)):
            return None
        return _refusal(
            who,
            state.roles_said(actor),
            "send comms",
            f"{the_commander(state)}, a communicator or the step owner",
        )
    owner_may = (
        StepStarted,
        StepCompleted,
        StepFailed,
        StepSuspended,
        StepResumed,
        CheckpointPassed,
        CheckpointFailed,
        CheckRequested,
    )
    if isinstance(event, owner_may) and step_id in state.steps:
        if state.may_act_on(actor, step_id):
            return None
        owner = state.steps[step_id].owner
        allowed = the_commander(state)
        if owner != actor:
            allowed += f" or its owner, {state.name(owner)}"
        said = _refusal(who, state.roles_said(actor), f"{_verb(event)} {step_id!r}", allowed)
        return said if owner != actor else f"{said}; a watcher only watches, even on their own step"
    if commander:
        return None
    if step_id not in (None, *state.steps) and not isinstance(event, StepAdded):
        return None  # unknown steps are a legality problem, reported with a hint below
    return _refusal(who, state.roles_said(actor), _verb(event), the_commander(state))


def _refusal(who: str, shown: str, action: str, allowed: str) -> str:
    """`shown`: the person's roles as `RunState.roles_said` says them."""
    return f"{who} [{shown}] may not {action}: only {allowed} may"


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
        "check-requested": "run the check of",
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
    if state.phase == "ended" and not (
        allowed_after_end(event) or outbox.delivering(event) or incident_rules.after_end(event)
    ):
        return ended_refusal(state)
    if isinstance(event, RunStarted):
        if state.phase != "not-started":
            return f"the run was already started by {state.name(state.started_by)} at {state.when(state.started_at)}"
        return None
    if state.phase == "not-started":
        return "the run has not started yet"
    handler = _LEGALITY.get(event.type)
    return handler(state, event) if handler else None


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
    if note_text_problem(event.text):
        return note_text_problem(event.text)
    if aftercare.remark_problem(event):
        return aftercare.remark_problem(event)
    if event.step is not None:
        return unknown_step(state, event.step)
    return None


def _check_budget(state: RunState, event: BudgetExceeded) -> str | None:
    problem = unknown_step(state, event.step)
    if problem:
        return problem
    st = state.status[event.step]
    if st.status not in ("running", "suspended"):
        return f"{event.step!r} is not running"
    if st.over_budget_attempt >= event.attempt:
        return f"{event.step!r} was already flagged over budget"
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
    if says_nothing(event.reason):
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
    if says_nothing(event.reason):
        return "say why the run carries on: the reason goes into the log and the review"
    return None


def _check_comms(state: RunState, event: CommsSent) -> str | None:
    if event.step is None:
        return None
    problem = step_problem(state, event.step)
    if problem:
        return problem
    if state.steps[event.step].kind != "comms":
        return f"{event.step!r} is not a comms step"
    if state.status[event.step].closed:
        return closed_by(state, event.step)
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
    **STEP_CHECKS,
    "readiness-marked": _check_readiness,
    "note-added": _check_note,
    "rehearsal-excluded": check_exclusion,
    "budget-exceeded": _check_budget,
    "trigger-fired": check_trigger,
    "window-alert": _check_alert,
    "rollback-invoked": _check_rollback,
    "trigger-overridden": _check_override,
    "comms-sent": _check_comms,
    "run-ended": _check_end,
    "check-requested": checks.check_request,
    "probe-sampled": checks.check_sample,
    **outbox.LEGALITY,
    **aftercare.LEGALITY,
    **incident_rules.LEGALITY,
}

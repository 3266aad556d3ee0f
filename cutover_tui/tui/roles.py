"""What the person at this war room may do: for the footer (a watcher sees only what a watcher
may do) and before a form opens (a watcher pressing r is refused at once, in one line saying
who they are and who may, instead of after filling in the rollback form).

The rules themselves stay in the engine (`engine.state.permission`): a form is refused early
only when the engine would refuse the command whatever its words, so nothing here can allow
what the journal refuses.
"""

from __future__ import annotations

from collections.abc import Callable

from ..engine.events import Event
from ..engine.state import RunState, permission
from ..journal.identity import BROWSER, BROWSER_READ_ONLY

Rule = Callable[[RunState, str], bool]


def _commander(state: RunState, actor: str) -> bool:
    return state.is_commander(actor)


def _step_owner(state: RunState, actor: str) -> bool:
    return _commander(state, actor) or any(state.may_act_on(actor, sid) for sid in state.all_ids())


def _approver(state: RunState, actor: str) -> bool:
    return _commander(state, actor) or any(
        actor in state.steps[sid].approvers for sid in state.gates
    )


def _item_owner(state: RunState, actor: str) -> bool:
    return _commander(state, actor) or any(r.owner == actor for r in state.plan.readiness)


def _aftercare_owner(state: RunState, actor: str) -> bool:
    """The commander, or anyone the plan's [aftercare] names (engine/aftercare.py decides)."""
    after = state.plan.aftercare
    if after is None:
        return False
    owners = {c.owner for c in after.check} | {a.opened_by for a in after.access}
    owners |= {after.handover.owner} if after.handover else set()
    owners |= {after.runbook.owner} if after.runbook else set()
    return _commander(state, actor) or actor in owners


def _any_role(state: RunState, actor: str) -> bool:
    return bool(state.roles_of(actor) - {"watcher"})


# The "who may" words of the war room's key table, as rules.
WHO: dict[str, Rule] = {
    "commander, owner": _step_owner,
    "approvers": _approver,
    "commander": _commander,
    "commander, item owner": _item_owner,
    "commander, aftercare owner": _aftercare_owner,
    "anyone with a role": _any_role,
    "everyone": lambda state, actor: True,
}


def may_use(who: str, state: RunState, actor: str, read_only: bool) -> bool:
    """Whether a key whose table says `who` may use it is any use to `actor`."""
    if who == "everyone":
        return True
    if read_only:
        return False
    rule = WHO.get(who)
    return rule(state, actor) if rule else True


def early_refusal(state: RunState, probe: Event, read_only: bool) -> str | None:
    """Why `probe`'s command would be refused whatever its words, or None: ask the form."""
    if read_only or probe.actor == BROWSER:
        return read_only_refusal(state, probe.actor)
    return permission(state, probe)


def read_only_refusal(state: RunState, actor: str) -> str:
    """Why nothing is recorded from this read-only war room (`cutover follow`, a browser)."""
    if actor == BROWSER:  # nobody in particular: what the tab is, not who
        return BROWSER_READ_ONLY
    return (
        f"{state.name(actor)} is following this run read-only (cutover follow): "
        "open it with `cutover run` to act"
    )


def gate_refusal(state: RunState, gate: str, actor: str) -> str | None:
    """Why `actor` may not record a decision at `gate` at all (not one of its approvers)."""
    approvers = state.steps[gate].approvers
    if not approvers or actor in approvers or state.is_commander(actor):
        return None
    names = ", ".join(state.name(a) for a in approvers)
    roles = state.roles_said(actor)
    return (
        f"{state.name(actor)} [{roles}] may not decide {gate!r}: "
        f"only its approvers ({names}) or the commander may"
    )


def gate_approver(state: RunState, gate: str, actor: str) -> str:
    """Whom the commander's gate form records a decision for, to begin with: themself when
    they are an approver (or the gate names none), else the first approver still to decide."""
    approvers = state.steps[gate].approvers
    if not approvers or actor in approvers:
        return actor
    decided = state.gates[gate].decisions if gate in state.gates else {}
    waiting = [a for a in approvers if a not in decided]
    return waiting[0] if waiting else ""


def end_outcome(state: RunState) -> str:
    """The outcome the end form offers first: rolled-back while rolling back, completed only
    when every step of the plan is closed, aborted otherwise (nothing is preselected that the
    run would refuse or that would misstate the night)."""
    if state.phase == "rollback":
        return "rolled-back"
    if all(state.status[sid].closed for sid in state.order):
        return "completed"
    return "aborted"


__all__ = ["WHO", "early_refusal", "end_outcome", "gate_approver", "gate_refusal", "may_use"]

"""One action and its words, turned into the event it asks for: the mapping for every front
end. `cutover do` calls it; the war room's forms are to call it as well (today its `action_*`
methods in tui/app.py still build their events themselves: move them onto `event_for` when
the actions leave app.py).

`event_for("fail", "backup", Words(reason="disk full"), actor="dba", at=now, key=key)` is a
`StepFailed`; a missing word is a ValueError naming it (`fail needs --reason`). Times are
already read (see `engine/when.py`): the words carry datetimes, never typed text. Whether the
person may do it now is the rules' question (`engine/state.py` `check`), not this module's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..plan.durations import parse_duration
from .aftercare_actions import AFTER_ACTIONS, after_event
from .aftercare_actions import WITHOUT_TARGET as AFTER_WITHOUT_TARGET
from .events import (
    CheckpointFailed,
    CheckpointPassed,
    CommsSent,
    DependencyChanged,
    EstimateChanged,
    Event,
    GateDecided,
    NoteAdded,
    ReadinessMarked,
    RehearsalExcluded,
    RollbackInvoked,
    RunEnded,
    StepAdded,
    StepCompleted,
    StepFailed,
    StepResumed,
    StepSkipped,
    StepStarted,
    StepSuspended,
    TriggerOverridden,
)
from .incident_actions import INCIDENT_ACTIONS, incident_event
from .texts import says_nothing

# The actions that name no step (the rest need one: a step, gate or readiness item).
WITHOUT_TARGET = frozenset(
    {"note", "rollback", "end", "comms", "exclude-rehearsal", *AFTER_WITHOUT_TARGET}
)
SIMPLE = {"start": StepStarted, "resume": StepResumed}
# The actions whose event keeps the words of --note; any other action has nowhere to put
# them, so `cutover do` refuses the word rather than drop an operator's words unsaid.
TAKES_NOTE = frozenset(
    {
        "complete",
        "met",
        "waived",
        "note",
        "comms",
        "send",
        "update",
        "resolve",
        "validated",
        "validation-failed",
        "close-access",
        "accept-handover",
        "runbook-updated",
    }
)


@dataclass(frozen=True)
class Words:
    """What a person said with an action: the CLI's options, a war-room form's fields."""

    reason: str = ""
    evidence: str = ""
    note: str = ""
    eta: datetime | None = None
    kind: str = "info"
    risks: tuple[str, ...] = ()
    duration: str | None = None  # a budget as typed: 25m, 1h30m
    title: str | None = None
    owner: str | None = None
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()
    phase: str | None = None
    approver: str | None = None
    template: str | None = None
    to: tuple[str, ...] = ()
    subject: str | None = None
    trigger: str | None = None
    outcome: str | None = None
    value: float | None = None  # a measured value (validated, after the night)
    remark: str | None = None  # a review remark's heading: went-well, to-change, process-gap
    severity: str | None = None  # an incident's (engine/incident_actions.py)
    giver: str | None = None  # who hands a bridge role over


def ids(text: str) -> list[str]:
    """The ids in a comma-separated list, as typed (`a, b,c`)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def event_for(
    action: str, target: str | None, words: Words, *, actor: str, at: datetime, key: str
) -> Event:
    """The event `action` on `target` with `words` asks for; ValueError when a word is missing
    or wrong."""

    def need(value: str | None, what: str) -> str:
        if not value:
            raise ValueError(f"{action} needs {what}")
        return value

    if action in INCIDENT_ACTIONS:  # raise, ack, update, assign, severity, resolve, handover
        return incident_event(action, target, words, actor=actor, at=at, key=key)
    if action not in WITHOUT_TARGET:
        need(target, "a STEP (or gate, or readiness item)")
    base = {"actor": actor, "at": at, "key": key}
    if action in SIMPLE:
        return SIMPLE[action](step=target, **base)
    if action == "complete":  # the note said as the step is ticked off (the report quotes it)
        return StepCompleted(
            step=target, note=None if says_nothing(words.note) else words.note, **base
        )
    if action in ("go", "conditional-go", "no-go"):
        return _gate(action, target, words, need, base)
    if action in ("estimate", "add-step", "depend"):
        return _amendment(action, target, words, need, base)
    if action in AFTER_ACTIONS:
        return after_event(action, target, words, need, base)
    return _other(action, target, words, need, base)


def _gate(action: str, target, words: Words, need, base: dict) -> Event:
    if action == "conditional-go":
        need(words.risks and "x", "at least one --risk")
    if action == "no-go":
        need(words.reason, "--reason")
    return GateDecided(
        step=target,
        approver=words.approver or base["actor"],
        decision=action,
        reason=words.reason,
        risks=list(words.risks),
        **base,
    )


def _amendment(action: str, target, words: Words, need, base: dict) -> Event:
    """A live change to tonight's plan: an estimate, a step added, a dependency changed."""
    if action == "estimate":
        duration = parse_duration(need(words.duration, "--duration"))
        return EstimateChanged(
            step=target,
            duration_s=duration.total_seconds(),
            reason=need(words.reason, "--reason"),
            **base,
        )
    if action == "add-step":
        return StepAdded(
            step=target,
            title=need(words.title, "--title"),
            owner=need(words.owner, "--owner"),
            duration_s=parse_duration(need(words.duration, "--duration")).total_seconds(),
            after=list(words.after),
            before=list(words.before),
            phase=words.phase,
            reason=need(words.reason, "--reason"),
            **base,
        )
    return DependencyChanged(
        step=target, after=list(words.after), reason=need(words.reason, "--reason"), **base
    )


def _other(action: str, target, words: Words, need, base: dict) -> Event:
    if action == "fail":
        return StepFailed(step=target, reason=need(words.reason, "--reason"), **base)
    if action == "skip":
        return StepSkipped(step=target, reason=need(words.reason, "--reason"), **base)
    if action == "suspend":
        return StepSuspended(
            step=target, reason=need(words.reason, "--reason"), eta=words.eta, **base
        )
    if action == "pass":
        return CheckpointPassed(step=target, evidence=need(words.evidence, "--evidence"), **base)
    if action == "fail-check":
        return CheckpointFailed(step=target, evidence=need(words.evidence, "--evidence"), **base)
    if action in ("met", "waived"):
        return ReadinessMarked(item=target, status=action, note=words.note, **base)
    if action == "note":
        return NoteAdded(
            kind=words.kind,
            text=need(words.note, "--note"),
            step=target,
            remark=words.remark,  # type: ignore[arg-type]
            **base,
        )
    if action == "comms":
        return CommsSent(
            template=need(words.template, "--template"),
            to=list(words.to) or need(None, "--to"),
            subject=need(words.subject, "--subject"),
            body=words.note,
            step=target,
            **base,
        )
    if action == "override":
        return TriggerOverridden(
            trigger=need(target, "a TRIGGER"), reason=need(words.reason, "--reason"), **base
        )
    if action == "rollback":
        return RollbackInvoked(reason=need(words.reason, "--reason"), trigger=words.trigger, **base)
    if action == "exclude-rehearsal":
        return RehearsalExcluded(reason=need(words.reason, "--reason"), **base)
    if action == "end":
        return RunEnded(outcome=need(words.outcome, "--outcome"), reason=words.reason, **base)
    raise ValueError(f"unknown action {action!r}")

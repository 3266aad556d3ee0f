"""The events of a run: everything that happened, as a pydantic discriminated union.

Every event says who (`actor`: a people key, an OS login, or "conductor"), when it happened
(`at`, UTC), when it was recorded (`recorded_at`; later than `at` for a late tick-off), a
monotonic reading at recording with the boot it belongs to, and an idempotency `key`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

CONDUCTOR = "conductor"


class EventBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    actor: str
    at: AwareDatetime
    recorded_at: AwareDatetime | None = None
    mono: float | None = None
    boot: str | None = None
    key: str = ""
    seq: int = 0  # assigned by the journal; 0 until appended

    @property
    def step_id(self) -> str | None:
        return getattr(self, "step", None)


class RunStarted(EventBase):
    type: Literal["run-started"] = "run-started"
    mode: Literal["live", "rehearsal"] = "live"
    plan_id: str
    note: str | None = None
    # A rehearsal that played itself (`cutover simulate`): left out of the rehearsal history,
    # the pace prior and calibration. None on every other run (and on files made before it).
    simulated: bool | None = None
    # The run's seal (journal.seal): SHA-256 of the stored plan text and of the run's other
    # settings, and the plan text itself (zlib, base64), so the plan and meta are in the
    # hash chain. None in runs made before they were.
    plan_sha256: str | None = None
    meta_sha256: str | None = None
    plan_copy: str | None = None
    # False: started with --no-checks, so the conductor runs no check and no probe (the
    # checkpoints are ticked off by hand). None on every other run: checks run.
    checks: bool | None = None


class StepStarted(EventBase):
    type: Literal["step-started"] = "step-started"
    step: str


class StepCompleted(EventBase):
    type: Literal["step-completed"] = "step-completed"
    step: str
    note: str | None = None


class StepFailed(EventBase):
    type: Literal["step-failed"] = "step-failed"
    step: str
    reason: str


class StepSkipped(EventBase):
    type: Literal["step-skipped"] = "step-skipped"
    step: str
    reason: str


class StepSuspended(EventBase):
    type: Literal["step-suspended"] = "step-suspended"
    step: str
    reason: str
    eta: AwareDatetime | None = None  # when work is expected to resume


class StepResumed(EventBase):
    type: Literal["step-resumed"] = "step-resumed"
    step: str


class CheckpointPassed(EventBase):
    type: Literal["checkpoint-passed"] = "checkpoint-passed"
    step: str
    evidence: str = ""


class CheckpointFailed(EventBase):
    type: Literal["checkpoint-failed"] = "checkpoint-failed"
    step: str
    evidence: str = ""


class CheckRequested(EventBase):
    """A person asks the conductor to run a running checkpoint's check now (key x,
    `cutover check`). It names the step only: what runs is the plan's, never typed."""

    type: Literal["check-requested"] = "check-requested"
    step: str
    attempt: int = 1  # the checkpoint's attempt it is for; a retried checkpoint asks again


class ProbeSampled(EventBase):
    """A health probe's state, recorded by the conductor when it changes and every
    `record_every`; `runs` and `failures` count the runs since the last record."""

    type: Literal["probe-sampled"] = "probe-sampled"
    probe: str
    ok: bool  # the probe's state: green, or red after `fail_after` failures in a row
    latency_ms: float | None = None  # the slowest run since the last record
    value: float | None = None
    runs: int = 1
    failures: int = 0
    detail: str = ""  # the last run's outcome in a line, made inert and trimmed


Decision = Literal["go", "conditional-go", "no-go"]


class GateDecided(EventBase):
    """One approver's decision at a go/no-go gate."""

    type: Literal["gate-decided"] = "gate-decided"
    step: str
    approver: str
    decision: Decision
    reason: str = ""
    risks: list[str] = Field(default_factory=list)  # accepted risks of a conditional go


class ReadinessMarked(EventBase):
    type: Literal["readiness-marked"] = "readiness-marked"
    item: str
    status: Literal["met", "waived"]
    note: str = ""


class NoteAdded(EventBase):
    type: Literal["note-added"] = "note-added"
    # "review": a remark for the post-implementation review, the one thing an ended run takes
    kind: Literal["decision", "deviation", "info", "review"] = "info"
    text: str
    step: str | None = None
    # A review remark's heading in the report (engine/aftercare.py); None on every other note.
    remark: Literal["went-well", "to-change", "process-gap"] | None = None


class StepAdded(EventBase):
    """A live amendment: a step added to tonight's plan (never to the file)."""

    type: Literal["step-added"] = "step-added"
    step: str
    title: str
    owner: str
    duration_s: float
    after: list[str] = Field(default_factory=list)
    before: list[str] = Field(default_factory=list)  # steps that must now wait for it
    phase: str | None = None
    reason: str


class EstimateChanged(EventBase):
    type: Literal["estimate-changed"] = "estimate-changed"
    step: str
    duration_s: float
    reason: str


class DependencyChanged(EventBase):
    type: Literal["dependency-changed"] = "dependency-changed"
    step: str
    after: list[str]
    reason: str


class BudgetExceeded(EventBase):
    """Written once by the conductor when a running step passes its time budget."""

    type: Literal["budget-exceeded"] = "budget-exceeded"
    step: str
    attempt: int = 1


class TriggerFired(EventBase):
    type: Literal["trigger-fired"] = "trigger-fired"
    trigger: str
    step: str
    action: Literal["rollback", "alert"]
    reason: str


class WindowAlert(EventBase):
    """The conductor's timed alerts: warning before a projected breach, rollback point, deadline."""

    type: Literal["window-alert"] = "window-alert"
    alert: Literal["breach-warning", "rollback-point", "deadline"]
    text: str


class ClockJumped(EventBase):
    type: Literal["clock-jumped"] = "clock-jumped"
    seconds: float


class RollbackInvoked(EventBase):
    type: Literal["rollback-invoked"] = "rollback-invoked"
    reason: str
    trigger: str | None = None


class TriggerOverridden(EventBase):
    """The commander's decision to carry on although a rollback trigger fired.

    `trigger` is the trigger's id, or the id of a failed checkpoint whose on_fail is rollback.
    The war room says ROLL BACK until rollback is invoked or this is recorded with a reason.
    """

    type: Literal["trigger-overridden"] = "trigger-overridden"
    trigger: str
    reason: str


class RehearsalExcluded(EventBase):
    """The commander's decision that a rehearsal is not representative (a network outage, a
    half team): it stays in the journal and is left out of the history, the prior and
    calibration. Recordable during or after the rehearsal."""

    type: Literal["rehearsal-excluded"] = "rehearsal-excluded"
    reason: str


class CommsSent(EventBase):
    type: Literal["comms-sent"] = "comms-sent"
    template: str
    to: list[str]
    subject: str
    body: str
    step: str | None = None


# -- the outbox (engine/outbox.py folds these; clock/delivery.py delivers) ------------------

Route = Literal["email", "webhook", "log"]


class MessageQueued(EventBase):
    """A message rendered and put in the outbox for one audience on one route. `message` is
    its id in the run (also the receiver's de-duplication key, with the run id)."""

    type: Literal["message-queued"] = "message-queued"
    message: str
    audience: str  # an audience id, or "resolvers" (people with the resolver role)
    route: Route
    to: list[str] = Field(default_factory=list)  # email addresses (empty for webhook, log)
    template: str
    subject: str
    body: str
    step: str | None = None  # the comms step it sends, if any
    cause: str = ""  # what made it: "rollback", "trigger:t1", "cadence", "step", "draft"
    missing: list[str] = Field(default_factory=list)  # values absent when it was rendered


class MessageClaimed(EventBase):
    """The conductor is about to hand the message to its channel (recorded before sending)."""

    type: Literal["message-claimed"] = "message-claimed"
    message: str
    attempt: int
    holder: str = ""
    in_doubt: bool = False  # an earlier claim has no outcome: this may be a second copy


class MessageSent(EventBase):
    type: Literal["message-sent"] = "message-sent"
    message: str
    attempt: int
    answer: str = ""  # the server's answer: SMTP reply, HTTP status


class MessageFailed(EventBase):
    type: Literal["message-failed"] = "message-failed"
    message: str
    attempt: int
    reason: str
    retry_at: AwareDatetime | None = None  # None: no more attempts, undeliverable
    escalated_to: list[str] = Field(default_factory=list)  # communicators told, when final


# -- after the night (engine/aftercare.py checks and folds these; also after the run ends) ---


class ValidationRecorded(EventBase):
    """A post-cutover validation item checked: a measure with its value (passed when within
    the plan's tolerance, worked out by the fold), or a pass/fail item with `passed`."""

    type: Literal["validation-recorded"] = "validation-recorded"
    check: str
    value: float | None = None
    passed: bool | None = None
    note: str = ""


class AccessClosed(EventBase):
    type: Literal["access-closed"] = "access-closed"
    access: str
    note: str = ""


class HandoverAccepted(EventBase):
    """The receiving owner takes the service: hypercare runs from go-live."""

    type: Literal["handover-accepted"] = "handover-accepted"
    note: str = ""


class RunbookUpdated(EventBase):
    type: Literal["runbook-updated"] = "runbook-updated"
    note: str  # what changed and where it lives


# -- incidents and the bridge (engine/incidents.py folds these and holds their rules) -------


class IncidentRaised(EventBase):
    """An incident opened: by a person, or by the conductor for a fired trigger or a failed
    checkpoint (`cause`: "trigger:t1", "checkpoint:c1"). The fold numbers incidents 1, 2, ...
    in journal order; the others name that number."""

    type: Literal["incident-raised"] = "incident-raised"
    severity: str
    title: str
    step: str | None = None  # the step or checkpoint concerned
    owner: str | None = None  # None: the severity's or the step's chain decides
    cause: str = ""


class IncidentAcknowledged(EventBase):
    type: Literal["incident-acknowledged"] = "incident-acknowledged"
    incident: int


class IncidentUpdated(EventBase):
    type: Literal["incident-updated"] = "incident-updated"
    incident: int
    text: str


class IncidentAssigned(EventBase):
    """Re-assigned: the new owner acknowledges it again, its SLA counting from now."""

    type: Literal["incident-assigned"] = "incident-assigned"
    incident: int
    owner: str
    reason: str = ""


class IncidentSeverityChanged(EventBase):
    type: Literal["incident-severity-changed"] = "incident-severity-changed"
    incident: int
    severity: str
    reason: str


class IncidentResolved(EventBase):
    type: Literal["incident-resolved"] = "incident-resolved"
    incident: int
    resolution: str


class IncidentEscalated(EventBase):
    """Written once by the conductor: the incident was not acknowledged within its SLA."""

    type: Literal["incident-escalated"] = "incident-escalated"
    incident: int
    level: int  # 1 for the first breach since it was (re-)assigned
    to: str  # the people key it went to
    round: int = 0  # how many times it had been assigned before: a new owner, a new count


class IncidentReminded(EventBase):
    """Written once by the conductor: an acknowledged incident's update is overdue."""

    type: Literal["incident-reminded"] = "incident-reminded"
    incident: int
    owner: str
    due: AwareDatetime  # the update that was due


class RoleHandedOver(EventBase):
    """A role on the bridge handed from one person to another, by the commander."""

    type: Literal["role-handed-over"] = "role-handed-over"
    role: Literal["commander", "communicator", "resolver"]
    giver: str
    taker: str
    reason: str


class RunEnded(EventBase):
    type: Literal["run-ended"] = "run-ended"
    outcome: Literal["completed", "rolled-back", "aborted"]
    reason: str = ""


Event = Annotated[
    RunStarted
    | StepStarted
    | StepCompleted
    | StepFailed
    | StepSkipped
    | StepSuspended
    | StepResumed
    | CheckpointPassed
    | CheckpointFailed
    | CheckRequested
    | ProbeSampled
    | GateDecided
    | ReadinessMarked
    | NoteAdded
    | StepAdded
    | EstimateChanged
    | DependencyChanged
    | BudgetExceeded
    | TriggerFired
    | WindowAlert
    | ClockJumped
    | RollbackInvoked
    | TriggerOverridden
    | RehearsalExcluded
    | CommsSent
    | MessageQueued
    | MessageClaimed
    | MessageSent
    | MessageFailed
    | ValidationRecorded
    | AccessClosed
    | HandoverAccepted
    | RunbookUpdated
    | IncidentRaised
    | IncidentAcknowledged
    | IncidentUpdated
    | IncidentAssigned
    | IncidentSeverityChanged
    | IncidentResolved
    | IncidentEscalated
    | IncidentReminded
    | RoleHandedOver
    | RunEnded,
    Field(discriminator="type"),
]

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event, config=ConfigDict(defer_build=True))
EVENT_TYPES: dict[str, type[EventBase]] = {
    cls.model_fields["type"].default: cls for cls in EventBase.__subclasses__()
}
DERIVED_TYPES = frozenset(
    {"budget-exceeded", "trigger-fired", "window-alert", "clock-jumped", "probe-sampled"}
)  # written only by the conductor


def parse_event(data: str | bytes) -> Event:
    from .event_adapters import parse_event_json  # built for the types it names (issue 14)

    return parse_event_json(data)


def dump_event(event: EventBase) -> str:
    """Canonical JSON of an event without its seq (the journal's hash covers this text)."""
    return event.model_dump_json(exclude={"seq"}, exclude_none=True)


def with_times(event: Event, *, at: datetime, recorded_at: datetime) -> Event:
    return event.model_copy(update={"at": at, "recorded_at": recorded_at})

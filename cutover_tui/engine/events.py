"""The events of a run: everything that happened, as a pydantic discriminated union.

Every event says who (`actor`: a people key, an OS login, or "conductor"), when it happened
(`at`, UTC), when it was recorded (`recorded_at`; later than `at` for a late tick-off), a
monotonic reading at recording with the boot it belongs to, and an idempotency `key`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, ConfigDict, Field, TypeAdapter

from .events_base import CONDUCTOR, EventBase  # noqa: F401 (CONDUCTOR re-exported)


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


# -- the outbox, after the night, incidents and the bridge: one module per family ----------
# Imported here, where their classes stood, so that EventBase.__subclasses__() (EVENT_TYPES)
# and the union below list every type in the order it always had.
# isort: off
from .events_outbox import (  # noqa: E402
    MessageClaimed,
    MessageFailed,
    MessageQueued,
    MessageSent,
    Route,  # noqa: F401
)
from .events_aftercare import (  # noqa: E402
    AccessClosed,
    HandoverAccepted,
    RunbookUpdated,
    ValidationRecorded,
)
from .events_incidents import (  # noqa: E402
    IncidentAcknowledged,
    IncidentAssigned,
    IncidentEscalated,
    IncidentRaised,
    IncidentReminded,
    IncidentResolved,
    IncidentSeverityChanged,
    IncidentUpdated,
    RoleHandedOver,
)
# isort: on


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

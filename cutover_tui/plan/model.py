"""Pydantic models of the plan file (format 1), one class per table of PLAN_FORMAT.md.

Field names are the TOML keys, so a validation error's location is the key path the author
wrote. Times are stored in UTC; `Plan.zone` turns them back into the plan's wall clock.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from .aftercare import Aftercare
from .durations import format_duration
from .fields import (
    _DURATION_OUT,
    PERSON_PATTERN,
    Duration,
    Id,
    MilestoneDuration,
    Percent,
    PlanTime,
    _positive_duration,
)
from .limits import MAX_WINDOW
from .probes import Check, Probe
from .risks import Risk
from .severity import Escalation, IncidentPolicy, SeverityLevel

Role = Literal["commander", "communicator", "resolver", "operator", "approver", "watcher"]
Stream = Literal["technical", "organisational", "process", "governance"]
STREAMS: tuple[Stream, ...] = ("technical", "organisational", "process", "governance")
StepKind = Literal["task", "checkpoint", "gate", "comms", "milestone"]
OnFail = Literal["rollback", "hold", "continue"]
TriggerCondition = Literal["running-over", "failed", "not-done-by", "probe-failing"]
TriggerAction = Literal["rollback", "alert"]


class _Strict(BaseModel):
    """Unknown keys are errors: a typo must never silently drop a rollback trigger."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class PlanInfo(_Strict):
    id: Id
    title: str
    timezone: str = "UTC"
    launch: Literal["hard", "soft"] = "hard"
    description: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (like 'Europe/London')") from None
        return value


class Alarm(_Strict):
    """The odds behind the war room's alarm levels (`[window.alarm]`, optional).

    Late when P(finish inside the window) is below `late_below`; at risk when it is below
    `at_risk_below`, or when P(finish before the buffer line) is below `buffer_below`.
    """

    late_below: Percent = 0.4  # the default of engine.foresight.Thresholds (issue 21)
    at_risk_below: Percent = 0.8
    buffer_below: Percent = 0.5

    @model_validator(mode="after")
    def _ordered(self) -> Alarm:
        if self.late_below > self.at_risk_below:
            raise ValueError("alarm.late_below is above alarm.at_risk_below")
        return self


class Window(_Strict):
    start: PlanTime
    end: PlanTime
    buffer: Percent = 0.25
    warning: Duration = timedelta(minutes=30)
    alarm: Alarm | None = None

    @model_validator(mode="after")
    def _ends_after_start(self) -> Window:
        if self.end <= self.start:
            raise ValueError("window.end must be after window.start")
        if self.end - self.start > MAX_WINDOW:
            raise ValueError(
                f"the window is {format_duration(self.end - self.start)} long; "
                f"{MAX_WINDOW.days} days is the limit"
            )
        return self

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    @property
    def buffer_time(self) -> timedelta:
        """How much of the window a rehearsed plan must leave free."""
        return self.length * self.buffer


class Person(_Strict):
    name: str
    user: str | None = None
    roles: list[Role] = Field(default_factory=list)
    phone: str | None = None
    email: str | None = None
    team: str | None = None
    escalates_to: str | None = None


class Phase(_Strict):
    id: Id
    title: str


class Estimate(_Strict):
    low: Duration
    high: Duration

    @model_validator(mode="after")
    def _ordered(self) -> Estimate:
        if self.low > self.high:
            raise ValueError("estimate.low is longer than estimate.high")
        return self


class StepBase(_Strict):
    id: Id
    title: str
    phase: str | None = None
    owner: str
    duration: Duration
    after: list[str] = Field(default_factory=list)
    stream: Stream | None = None
    not_before: PlanTime | None = None
    instructions: str | None = None
    estimate: Estimate | None = None
    # RACI (plan/raci.py): the owner is responsible; these three are optional.
    accountable: str | None = None
    consulted: list[str] = Field(default_factory=list)
    informed: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _estimate_brackets_budget(self) -> StepBase:
        est = self.estimate
        if est is not None and not (est.low <= self.duration <= est.high):
            raise ValueError(
                f"estimate {format_duration(est.low)}..{format_duration(est.high)} does not "
                f"contain the budget {format_duration(self.duration)}"
            )
        return self


class Task(StepBase):
    kind: Literal["task"] = "task"


class Checkpoint(StepBase):
    kind: Literal["checkpoint"]
    verify: str
    on_fail: OnFail = "hold"
    check: Check | None = None  # run by the conductor when it starts (plan/probes.py)


class Gate(StepBase):
    kind: Literal["gate"]
    criteria: list[str] = Field(default_factory=list)
    approvers: list[str] = Field(default_factory=list)


class Comms(StepBase):
    kind: Literal["comms"]
    template: str
    to: list[str] = Field(min_length=1)
    auto: bool = False  # the conductor sends it when it becomes ready (comms/triggers.py)


class Milestone(StepBase):
    kind: Literal["milestone"]
    duration: MilestoneDuration = timedelta(0)


def _step_kind(value: Any) -> str:
    if isinstance(value, dict):
        return value.get("kind", "task")
    return getattr(value, "kind", "task")


Step = Annotated[
    Annotated[Task, Tag("task")]
    | Annotated[Checkpoint, Tag("checkpoint")]
    | Annotated[Gate, Tag("gate")]
    | Annotated[Comms, Tag("comms")]
    | Annotated[Milestone, Tag("milestone")],
    Discriminator(
        _step_kind,
        custom_error_type="invalid_kind",
        custom_error_message="kind must be one of task, checkpoint, gate, comms, milestone",
    ),
]
STEP_KIND_TAGS = ("task", "checkpoint", "gate", "comms", "milestone")


class Rollback(_Strict):
    owner: str
    rto: Duration
    step: list[Step] = Field(default_factory=list)


class Trigger(_Strict):
    id: Id
    step: str
    condition: TriggerCondition
    limit: Duration | None = None
    at: PlanTime | None = None
    action: TriggerAction = "alert"
    probe: str | None = None  # probe-failing: the [[probe]] whose red state is watched

    @model_validator(mode="after")
    def _condition_has_its_argument(self) -> Trigger:
        if self.condition == "probe-failing":
            if self.probe is None or self.limit is None:
                raise ValueError(
                    "a probe-failing trigger needs `probe` and `limit` (how long it may be red)"
                )
            if self.at is not None:
                raise ValueError("`at` is only read by not-done-by triggers, not probe-failing")
            return self
        if self.probe is not None:
            raise ValueError(
                f"`probe` is only read by probe-failing triggers, not {self.condition}"
            )
        if self.condition == "running-over" and self.limit is None:
            raise ValueError("a running-over trigger needs `limit` (time since the step started)")
        if self.condition == "not-done-by" and self.at is None:
            raise ValueError("a not-done-by trigger needs `at` (the time it must be done by)")
        if self.condition != "running-over" and self.limit is not None:
            raise ValueError(f"`limit` is only read by running-over triggers, not {self.condition}")
        if self.condition != "not-done-by" and self.at is not None:
            raise ValueError(f"`at` is only read by not-done-by triggers, not {self.condition}")
        return self


class Readiness(_Strict):
    id: Id
    stream: Stream
    item: str
    owner: str


def _cadence(value: Any) -> timedelta:
    """ "every 1h" or "1h": how often the audience gets a status update during the window."""
    if isinstance(value, str):
        value = value.strip().removeprefix("every").strip()
    return _positive_duration(value)


class Audience(_Strict):
    id: Id
    name: str
    email: list[str] = Field(default_factory=list)
    webhook: str | None = None
    cadence: Annotated[timedelta, BeforeValidator(_cadence), _DURATION_OUT] | None = None


class Template(_Strict):
    id: Id
    subject: str
    body: str


AnyStep = Task | Checkpoint | Gate | Comms | Milestone


class Plan(_Strict):
    """A whole plan file. List tables keep their TOML names (`step`, `phase`, ...)."""

    format: Literal[1]
    plan: PlanInfo
    window: Window
    people: dict[Annotated[str, Field(pattern=PERSON_PATTERN)], Person] = Field(
        default_factory=dict
    )
    phase: list[Phase] = Field(default_factory=list)
    step: list[Step] = Field(min_length=1)
    rollback: Rollback | None = None
    trigger: list[Trigger] = Field(default_factory=list)
    readiness: list[Readiness] = Field(default_factory=list)
    audience: list[Audience] = Field(default_factory=list)
    template: list[Template] = Field(default_factory=list)
    risk: list[Risk] = Field(default_factory=list)  # the risk register (plan/risks.py)
    probe: list[Probe] = Field(default_factory=list)  # health probes (plan/probes.py)
    aftercare: Aftercare | None = None  # after the night (plan/aftercare.py)
    # Incidents (plan/severity.py): the severity scale, escalation chains, auto severities
    severity: list[SeverityLevel] = Field(default_factory=list)
    escalation: list[Escalation] = Field(default_factory=list)
    incidents: IncidentPolicy | None = None
    # Values named once, used in checks as ${name} (plan/vars.py); a run may override them
    vars: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")], str] = Field(
        default_factory=dict
    )

    @property
    def steps(self) -> list[AnyStep]:
        return self.step

    @property
    def rollback_steps(self) -> list[AnyStep]:
        return self.rollback.step if self.rollback else []

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.plan.timezone)

    @cached_property
    def step_by_id(self) -> dict[str, AnyStep]:
        return {s.id: s for s in [*self.step, *self.rollback_steps]}

    @cached_property
    def phase_by_id(self) -> dict[str, Phase]:
        return {p.id: p for p in self.phase}

    @cached_property
    def readiness_by_id(self) -> dict[str, Readiness]:
        return {r.id: r for r in self.readiness}

    @cached_property
    def template_by_id(self) -> dict[str, Template]:
        return {t.id: t for t in self.template}

    def people_with_role(self, role: Role) -> list[str]:
        return [key for key, person in self.people.items() if role in person.roles]

    def person_for_user(self, user: str) -> str | None:
        """The people key whose OS login is `user`, if any."""
        for key, person in self.people.items():
            if person.user == user:
                return key
        return None

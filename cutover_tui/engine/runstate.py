"""The run's data: RunState (tonight's plan as amended, each step's state, the run's phase)
and what it is made of (PlannedStep, StepState, GateState).

`engine.fold` changes a RunState event by event; `engine.rules` reads it to decide what may
happen now; `engine.compact` holds the compact step states and the per-plan template a fold
starts from. Other layers import all of these through `engine.state`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any, Literal, NamedTuple

from ..plan.model import Plan
from ..plan.zones import hm
from . import outbox
from .aftercare import AfterState
from .checks import ChecksState
from .events import (
    CommsSent,
    Event,
    GateDecided,
    ReadinessMarked,
    RehearsalExcluded,
    TriggerFired,
    TriggerOverridden,
    WindowAlert,
)
from .incidents import IncidentBook
from .spoken_zone import spoken_zone

StepStatus = Literal["pending", "running", "suspended", "done", "failed", "skipped"]
StepKind = Literal["task", "checkpoint", "gate", "comms", "milestone"]
RunPhase = Literal["not-started", "running", "rollback", "ended"]


@dataclass
class PlannedStep:
    """A step of tonight's plan: the file's step with live amendments applied.

    Read-only by convention: states folded from the same plan share these objects (folding a
    5,000-step plan must not copy 5,000 steps), and an amendment replaces the step it changes
    with a copy instead of editing it in place.
    """

    id: str
    title: str
    owner: str
    duration: timedelta
    after: list[str]
    kind: StepKind = "task"
    phase: str | None = None
    not_before: datetime | None = None
    rollback: bool = False
    on_fail: str = "hold"
    approvers: list[str] = field(default_factory=list)
    criteria: list[str] = field(default_factory=list)
    low: timedelta | None = None
    high: timedelta | None = None
    added: bool = False  # added live, not in the file


class Pause(NamedTuple):
    """One suspension of a step, ended: kept so the run can be read as it stood at a moment
    past (engine/alarm.rewind). `counted`: its share of `paused` (0 when the step was
    finished while suspended: that suspension counts as run)."""

    since: datetime
    until: datetime  # its resumption, or the step's finish
    counted: timedelta
    eta: datetime | None


class Jump(NamedTuple):
    """One host clock jump a step ran (or stood suspended) across: its share of `jumped`."""

    at: datetime
    by: timedelta
    suspended: bool  # in `suspend_jumped` too, while that suspension lasted


def real_span(
    jumps: Sequence[tuple[datetime, timedelta]], start: datetime, end: datetime
) -> timedelta:
    """`end - start` less the `jumps` (when recorded, by how much) recorded inside it."""
    return end - start - sum((by for at, by in jumps if start < at <= end), timedelta(0))


@dataclass
class StepState:
    status: StepStatus = "pending"
    started_at: datetime | None = None
    started_by: str | None = None
    finished_at: datetime | None = None
    finished_by: str | None = None
    attempts: int = 0
    suspended_at: datetime | None = None
    resume_eta: datetime | None = None
    # Time spent suspended (time that passed: a jump meanwhile left out), not counted against
    # the budget; the current suspension is added when it resumes.
    paused: timedelta = timedelta(0)
    # The host's wall clock jumps the conductor recorded while it ran or was suspended
    # (ClockJumped): wall time that did not pass, so neither a running-over trigger nor its
    # budget nor its duration counts it.
    jumped: timedelta = timedelta(0)
    # Those of `jumped` recorded during its current suspension: not in `paused` yet, and after
    # `suspended_at`, so not in the time it ran before it stopped.
    suspend_jumped: timedelta = timedelta(0)
    # `paused` and `jumped` piece by piece, with their moments: what a step's clock read at
    # a moment past (engine/fold_step_clock.stood_at). Empty for most steps.
    pauses: tuple[Pause, ...] = ()
    jumps: tuple[Jump, ...] = ()
    reason: str = ""  # why it failed, was skipped or suspended
    evidence: str = ""  # checkpoint evidence
    over_budget_attempt: int = 0  # the attempt the conductor flagged, 0 when none
    failed_at: datetime | None = None  # when it first failed; kept when it is retried
    # Monotonic readings of the start and the finish, when both came from one boot: a wall
    # clock stepped mid-step (NTP, a VM resumed) does not stretch or shrink its duration.
    started_mono: tuple[str, float] | None = None
    ran_mono: timedelta | None = None
    # Start and finish recorded as they happened (no --at): a step ticked off seconds apart
    # after the fact is not a timing (engine.timings).
    start_live: bool = False
    finish_live: bool = False

    @property
    def closed(self) -> bool:
        return self.status in ("done", "skipped")

    @property
    def off_clock(self) -> timedelta:
        """Wall time since its start, by the clock as it stands, that is not time it ran: time
        suspended (before its current suspension) and the host clock's recorded jumps. What
        `now - started_at` and `finished_at - started_at` leave out (`ran_by`)."""
        return self.paused + self.jumped

    @property
    def off_clock_to_suspension(self) -> timedelta:
        """The same up to its current suspension: what `suspended_at - started_at` leaves out
        (a jump since it stopped is not in that span)."""
        return self.paused + self.jumped - self.suspend_jumped

    def ran_by(self, now: datetime) -> timedelta:
        """How long it has run by `now` on the wall clock: a suspended step up to its
        suspension, a finished one to its finish; time suspended and jumps left out."""
        if self.started_at is None:
            return timedelta(0)
        if self.status == "suspended" and self.suspended_at is not None:
            return self.suspended_at - self.started_at - self.off_clock_to_suspension
        return (self.finished_at or now) - self.started_at - self.off_clock

    @property
    def actual(self) -> timedelta | None:
        """How long it ran (time suspended and the host clock's jumps taken out): monotonic
        within one boot (no jump in it), else wall."""
        if self.started_at is None or self.finished_at is None:
            return None
        if self.ran_mono is not None:
            return self.ran_mono - self.paused
        return self.finished_at - self.started_at - self.off_clock


@dataclass
class GateState:
    decisions: dict[str, GateDecided] = field(default_factory=dict)
    outcome: Literal["go", "conditional-go", "no-go"] | None = None


@dataclass
class RunState:
    plan: Plan
    steps: dict[str, PlannedStep]
    status: dict[str, StepState]
    order: list[str]  # plan steps in file order, then live additions
    rollback_order: list[str]
    phase: RunPhase = "not-started"
    mode: Literal["live", "rehearsal"] = "live"
    simulated: bool = False  # a rehearsal that played itself: not in the rehearsal history
    excluded: RehearsalExcluded | None = None  # left out of the rehearsal history, and why
    started_at: datetime | None = None
    started_by: str | None = None
    ended_at: datetime | None = None
    outcome: str | None = None
    rollback_at: datetime | None = None
    rollback_reason: str = ""
    gates: dict[str, GateState] = field(default_factory=dict)
    readiness: dict[str, ReadinessMarked] = field(default_factory=dict)
    fired: dict[str, TriggerFired] = field(default_factory=dict)
    overrides: dict[str, TriggerOverridden] = field(default_factory=dict)  # by trigger
    alerts: dict[str, WindowAlert] = field(default_factory=dict)
    comms: list[CommsSent] = field(default_factory=list)
    outbox: outbox.Outbox = field(default_factory=outbox.Outbox)  # engine/outbox.py
    checks: ChecksState = field(default_factory=ChecksState)  # engine/checks.py
    aftercare: AfterState = field(default_factory=AfterState)  # engine/aftercare.py
    incidents: IncidentBook = field(default_factory=IncidentBook)  # engine/incidents.py
    event_count: int = 0
    _last_seq: int = field(default=0, repr=False, compare=False)
    _keys: set[str] = field(default_factory=set, repr=False, compare=False)
    # Events `fold` applied whose keys and seqs are not gathered yet: that is left to the
    # first to ask (a war room opening a run checks no key until somebody acts).
    _ungathered: Sequence[Event] = field(default=(), repr=False, compare=False)
    revision: int = 0  # live amendments applied so far: the graph changes only with these
    # Structures derived from the step graph alone (topological order, baseline...), kept by
    # the schedule between refreshes. Shared by every unamended state of the same plan; an
    # amendment gives the state a fresh one. Keys starting "plan:" depend on the file only
    # and survive amendments.
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # Every host clock jump recorded (ClockJumped: when, by how much): wall time that did not
    # pass, left out of the spans the review and the rehearsals measure (`real_span`).
    clock_jumps: list[tuple[datetime, timedelta]] = field(default_factory=list)

    def real_span(self, start: datetime, end: datetime) -> timedelta:
        """The time that passed from `start` to `end`: the wall span less the jumps recorded
        inside it, as a step's duration leaves them out (`StepState.off_clock`)."""
        return real_span(self.clock_jumps, start, end)

    # -- what has been folded --------------------------------------------------------------
    @property
    def keys(self) -> set[str]:
        """The idempotency keys of every event folded so far."""
        if self._ungathered:
            self._gather()
        return self._keys

    @keys.setter
    def keys(self, value: set[str]) -> None:
        self._ungathered = ()
        self._keys = value

    @property
    def last_seq(self) -> int:
        """The highest journal sequence number folded so far (0 when none carried one)."""
        if self._ungathered:
            self._gather()
        return self._last_seq

    @last_seq.setter
    def last_seq(self, value: int) -> None:
        if self._ungathered:
            self._gather()
        self._last_seq = value

    def _gather(self) -> None:
        events, self._ungathered = self._ungathered, ()
        self._last_seq = max(self._last_seq, max(map(_seq_of, events)))
        self._keys.update(filter(None, map(_key_of, events)))

    # -- who may do what -------------------------------------------------------------------
    def roles_of(self, actor: str) -> set[str]:
        person = self.plan.people.get(actor)
        roles = set(person.roles) if person else set()
        if actor == self.started_by and (self.mode == "rehearsal" or not self._commander_logins()):
            # A plan naming no commander login, or a rehearsal: whoever started it commands.
            roles.add("commander")
        book = self.incidents
        if book.handovers:  # a role handed over tonight (engine/incidents.py)
            roles = (roles - book.lost.get(actor, set())) | book.gained.get(actor, set())
        return roles

    def under_way(self) -> bool:
        """Whether any step but a gate has started (or rollback was invoked): until then a run
        started before its window, for its readiness and go/no-go, waits for the window (the
        schedule and the odds project nothing before it; the verdict says BEFORE WINDOW)."""
        if self.phase == "not-started":
            return False
        if self.rollback_at is not None:
            return True
        return any(
            st.started_at is not None and self.steps[sid].kind != "gate"
            for sid, st in self.status.items()
        )

    def roles_said(self, actor: str) -> str:
        """`actor`'s roles as a refusal names them; with none, why: a person of the plan
        with no role tonight (every role handed over, say) or someone the plan does not
        name. One wording for every refusal."""
        roles = self.roles_of(actor)
        if roles:
            return ", ".join(sorted(roles))
        if actor in self.plan.people:
            # Still the owner of steps or readiness items: those stay theirs to tick off
            # (user pass, 2026-12-02: "read-only" was said beside a readiness item marked).
            owns = any(s.owner == actor for s in self.steps.values()) or any(
                r.owner == actor for r in self.plan.readiness
            )
            return "no role tonight" if owns else "no role tonight, so read-only"
        return "not in the plan's people, so read-only"

    def _commander_logins(self) -> list[str]:
        return [
            key for key in self.plan.people_with_role("commander") if self.plan.people[key].user
        ]

    def is_commander(self, actor: str) -> bool:
        return "commander" in self.roles_of(actor)

    def may_act_on(self, actor: str, step_id: str) -> bool:
        """Commanders act on any step; an owner on their own, unless only a watcher."""
        if self.is_commander(actor):
            return True
        step = self.steps.get(step_id)
        return step is not None and step.owner == actor and self.roles_of(actor) != {"watcher"}

    # -- what is where ---------------------------------------------------------------------
    def preds_closed(self, step_id: str) -> bool:
        return all(self._pred_ok(p) for p in self.steps[step_id].after)

    def _pred_ok(self, pred: str) -> bool:
        state = self.status.get(pred)
        if state is None:
            return True
        if state.closed:
            return True
        step = self.steps[pred]
        return state.status == "failed" and step.kind == "checkpoint" and step.on_fail == "continue"

    def open_preds(self, step_id: str) -> list[str]:
        return [p for p in self.steps[step_id].after if not self._pred_ok(p)]

    def running(self) -> list[str]:
        return [
            sid for sid in self.all_ids() if self.status[sid].status in ("running", "suspended")
        ]

    def all_ids(self) -> list[str]:
        return [*self.order, *self.rollback_order]

    def active_ids(self) -> list[str]:
        """The steps the schedule is about: the plan's, or the rollback's once invoked."""
        return self.rollback_order if self.rollback_at is not None else self.order

    def criteria_open(self, gate_id: str) -> list[str]:
        out = []
        for criterion in self.steps[gate_id].criteria:
            if criterion in self.status:
                if not self.status[criterion].closed:
                    out.append(criterion)
            elif criterion not in self.readiness:
                out.append(criterion)
        return out

    def when(self, moment: datetime | None) -> str:
        # The plan's zone, or a viewer's own around its verdict (engine/spoken_zone.py).
        return hm(moment, spoken_zone(self.plan.zone), none="?")

    def when_dated(self, moment: datetime) -> str:
        """`when`, with the date in front when `moment` falls on neither the window's first
        nor its last day: a not-done-by time a moved window left behind ("Fri 27 Nov 01:15",
        not "01:15", which reads as tonight's)."""
        zone = spoken_zone(self.plan.zone)
        window = self.plan.window
        days = {window.start.astimezone(zone).date(), window.end.astimezone(zone).date()}
        local = moment.astimezone(zone)
        return (
            self.when(moment) if local.date() in days else f"{local:%a %d %b} {self.when(moment)}"
        )

    def name(self, actor: str | None) -> str:
        if actor is None:
            return "someone"
        person = self.plan.people.get(actor)
        return f"{person.name} ({actor})" if person else actor


def mono_reading(e: Event) -> tuple[str, float] | None:
    """The event's monotonic reading with the boot it belongs to, when it carries one."""
    return (e.boot, e.mono) if e.mono is not None and e.boot else None


def mono_span(started_mono: tuple[str, float] | None, end: Event) -> timedelta | None:
    """How long a step ran by the monotonic clock, when its start and `end` were read in the
    same boot (a wall clock stepped mid-step does not stretch it); None otherwise."""
    if started_mono is None or end.mono is None or end.boot != started_mono[0]:
        return None
    return timedelta(seconds=max(0.0, end.mono - started_mono[1]))


_seq_of = attrgetter("seq")
_key_of = attrgetter("key")

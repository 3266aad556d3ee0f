"""The blameless post-implementation review, as data: `build_review(plan, events, ...)`.

Written from the journal alone (the plan it carries and its events), with the rehearsals
beside it when the caller passes them. It speaks of steps and decisions: who took a decision
is said with its reason, and nothing counts or ranks people. report/markdown.py and
report/html.py render the same Review; every text in it is raw, escaped by the renderer.

`incidents` carries each incident with its response figures (report/incident_section.py);
`calibration` (the reliability table of the odds) stays None until a caller fills it; the
renderers say "not recorded" for a None section.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from ..engine.aftercare import passed
from ..engine.aftercare_status import AfterRow, rows
from ..engine.events import Event
from ..engine.pace import PacePrior
from ..engine.runstate import real_span
from ..engine.state import RunState, fold
from ..plan.durations import format_duration
from ..plan.model import Plan
from .incident_section import incident_lines
from .narrate import narrate
from .odds_history import OddsHistory, odds_history
from .timeline import PhaseLine, StepLine, biggest_variances, phase_lines, step_lines

REMARK_HEADINGS = {
    "went-well": "What went well",
    "to-change": "What to change",
    "process-gap": "Process gaps",
    None: "Other remarks",
}


@dataclass(frozen=True)
class Entry:
    """One line of a section: when, who (a decision's author; "" where nobody is named), what."""

    at: datetime
    who: str
    text: str
    detail: str = ""


@dataclass(frozen=True)
class RollbackFacts:
    invoked_at: datetime
    invoked_by: str
    reason: str
    trigger: str | None
    trigger_at: datetime | None  # when the trigger behind it fired
    restored_at: datetime | None  # the last rollback step closed
    rto: timedelta | None
    # The host clock's recorded jumps (when, by how much): wall time that did not pass, left
    # out of the spans below as a step's duration leaves them out.
    jumps: tuple[tuple[datetime, timedelta], ...] = ()

    @property
    def trigger_to_rollback(self) -> timedelta | None:
        if self.trigger_at is None:
            return None
        return real_span(self.jumps, self.trigger_at, self.invoked_at)

    @property
    def took(self) -> timedelta | None:
        if self.restored_at is None:
            return None
        return real_span(self.jumps, self.invoked_at, self.restored_at)

    @property
    def rto_met(self) -> bool | None:
        if self.took is None or self.rto is None:
            return None
        return self.took <= self.rto


@dataclass(frozen=True)
class RehearsalLine:
    run_id: str
    started_at: datetime | None
    total: timedelta | None  # start to the last plan step's finish (time that passed)
    outcome: str
    tonight: bool = False


@dataclass
class Review:
    plan: Plan
    run_id: str
    state: RunState
    now: datetime
    summary: str
    steps: list[StepLine]
    phases: list[PhaseLine]
    variances: list[StepLine]
    decisions: list[Entry]
    deviations: list[Entry]
    checkpoints: list[Entry]
    triggers: list[Entry]
    rollback: RollbackFacts | None
    messages: list[Entry]
    odds: OddsHistory
    aftercare: list[AfterRow]
    remarks: dict[str, list[Entry]]
    rehearsals: list[RehearsalLine]
    planned_finish: datetime
    validations: list[Entry] = field(default_factory=list)  # every recording, failures kept
    incidents: list[Entry] | None = None  # hook: incidents with response times against SLA
    calibration: list[tuple[str, str]] | None = None  # hook: the odds' reliability table
    extra: dict[str, str] = field(default_factory=dict)

    def when(self, moment: datetime | None) -> str:
        """A moment in the plan's zone, with its date: the review spans days."""
        return "—" if moment is None else dated(moment, self.plan.zone)


def dated(moment: datetime, zone: tzinfo) -> str:
    """How the review says a moment: its entries' times, and an ETA inside their words."""
    return moment.astimezone(zone).strftime("%a %d %b %H:%M %Z")


def build_review(
    plan: Plan,
    events: list[Event],
    run_id: str,
    now: datetime,
    *,
    rehearsals: list[tuple[str, RunState]] = (),  # type: ignore[assignment]
    samples: int | None = None,
    prior: PacePrior | None = None,
) -> Review:
    """The review of one run at `now` (aftercare deadlines are judged at `now`)."""
    state = fold(plan, events)
    end = state.ended_at or max((e.at for e in events), default=plan.window.start)
    steps = step_lines(state, end)
    kwargs = {"samples": samples} if samples else {}
    odds = odds_history(fold(plan, []), events, run_id, prior=prior, **kwargs)
    who = state.name

    def said(moment: datetime) -> str:  # an ETA in the entries' words, on their clock
        return dated(moment, plan.zone)

    review = Review(
        plan=plan,
        run_id=run_id,
        state=state,
        now=now,
        summary="",
        steps=steps,
        phases=phase_lines(state, steps),
        variances=biggest_variances(steps),
        decisions=_entries(events, _DECISIONS, who, said, "decision"),
        deviations=_entries(events, _DEVIATIONS, who, said, "deviation"),
        checkpoints=_entries(events, {"checkpoint-passed", "checkpoint-failed"}, who, said),
        triggers=_alerts(state, events, said),
        rollback=_rollback(state, events),
        messages=_entries(events, {"comms-sent", "message-sent", "message-failed"}, who, said),
        odds=odds,
        aftercare=rows(state, now),
        remarks=_remarks(events, who),
        rehearsals=_rehearsals(run_id, state, rehearsals),
        planned_finish=max((s.planned_finish for s in steps if not s.rollback), default=end),
    )
    review.validations = _validations(state)
    review.incidents = [Entry(at=at, who="", text=text) for at, text in incident_lines(state, now)]
    review.summary = summarise(review)
    return review


def _validations(state: RunState) -> list[Entry]:
    """Every validation recorded, in order: a failure then a pass both stay in the review."""
    after = state.plan.aftercare
    items = after.check_by_id() if after else {}
    out = []
    for e in state.aftercare.check_history:
        item = items.get(e.check)
        if item is None:
            continue
        ok = passed(item, e)
        seen = (
            f"measured {e.value:g}{' ' + item.unit if item.unit else ''}: "
            if e.value is not None
            else ""
        )
        verdict = "passed" if ok else ("OUT OF TOLERANCE" if item.measured else "FAILED")
        target = f" ({item.target()})" if item.measured else ""
        note = f"; {e.note}" if e.note else ""
        out.append(Entry(e.at, state.name(e.actor), f"{e.check} {seen}{verdict}{target}{note}"))
    return out


_DECISIONS = {"gate-decided", "rollback-invoked", "trigger-overridden", "run-ended"}
_DEVIATIONS = {
    "step-failed",
    "step-skipped",
    "step-suspended",
    "step-added",
    "estimate-changed",
    "dependency-changed",
}


def _entries(
    events: list[Event], types: set[str], who, when: Callable[[datetime], str], note_kind: str = ""
) -> list[Entry]:
    """The events of `types`, and the notes of `note_kind` (a decision, a deviation); `when`
    says a time their words name (an ETA)."""
    out = []
    for e in events:
        noted = e.type == "note-added" and note_kind and e.kind == note_kind
        if e.type in types or noted:
            out.append(Entry(e.at, who(e.actor) if _named(e) else "", narrate(e, when).text))
    return out


def _alerts(state: RunState, events: list[Event], when: Callable[[datetime], str]) -> list[Entry]:
    """Triggers fired and alerts (the conductor's: nobody named); an over-budget alert whose
    step's finish was recorded later with a time inside its budget (`--at`) says so, beside
    the step table's figure it contradicted (user pass, 2026-12-02: "over budget" above
    "5m | 3m | -2m")."""
    out = []
    for e in events:
        if e.type in ("trigger-fired", "window-alert", "budget-exceeded"):
            note = _within_budget_after_all(state, e)
            out.append(Entry(e.at, "", narrate(e, when).text + (f" ({note})" if note else "")))
    return out


def _within_budget_after_all(state: RunState, e: Event) -> str | None:
    if e.type != "budget-exceeded" or e.step not in state.status:
        return None
    st, budget = state.status[e.step], state.steps[e.step].duration
    ran = st.actual
    if st.status != "done" or st.attempts != e.attempt or ran is None or ran > budget:
        return None
    return (
        f"its finish, recorded afterwards at {state.when(st.finished_at)}, puts it at "
        f"{format_duration(ran)}, within its {format_duration(budget)} budget"
    )


def _named(e: Event) -> bool:
    """A decision says who took it; the conductor's alerts and deviations name nobody."""
    return e.type in _DECISIONS or e.type == "note-added"


def _rollback(state: RunState, events: list[Event]) -> RollbackFacts | None:
    invoked = next((e for e in events if e.type == "rollback-invoked"), None)
    if invoked is None:
        return None
    fired = [e for e in events if e.type == "trigger-fired" and e.action == "rollback"]
    behind = [e for e in fired if e.trigger == invoked.trigger] or fired
    trigger_at = min((e.at for e in behind), default=None)
    if trigger_at is None:  # a failed checkpoint whose on_fail is rollback calls for it too
        failed = [e for e in events if e.type == "checkpoint-failed" and e.at <= invoked.at]
        trigger_at = failed[-1].at if failed else None
    ids = state.rollback_order
    closed = ids and all(state.status[s].closed for s in ids)
    finishes = [state.status[s].finished_at for s in ids if state.status[s].finished_at]
    return RollbackFacts(
        invoked_at=invoked.at,
        invoked_by=state.name(invoked.actor),
        reason=invoked.reason,
        trigger=invoked.trigger or (behind[0].trigger if behind else None),
        trigger_at=trigger_at,
        restored_at=max(finishes) if closed and finishes else None,  # type: ignore[type-var]
        rto=state.plan.rollback.rto if state.plan.rollback else None,
        jumps=tuple(state.clock_jumps),
    )


def _remarks(events: list[Event], who) -> dict[str, list[Entry]]:
    out: dict[str, list[Entry]] = {}
    for e in events:
        if e.type == "note-added" and e.kind == "review":
            heading = REMARK_HEADINGS[e.remark]
            out.setdefault(heading, []).append(Entry(e.at, who(e.actor), e.text))
    return {h: out[h] for h in REMARK_HEADINGS.values() if h in out}


def _rehearsals(run_id: str, tonight: RunState, others) -> list[RehearsalLine]:
    lines = [_rehearsal_line(rid, st) for rid, st in others]
    lines.append(_rehearsal_line(run_id, tonight, tonight=True))
    return lines


def _rehearsal_line(run_id: str, state: RunState, *, tonight: bool = False) -> RehearsalLine:
    total = None
    done = state.rollback_at is None and all(state.status[s].closed for s in state.order)
    ends = [state.status[s].finished_at for s in state.order if state.status[s].finished_at]
    if state.started_at is not None and done and ends:
        total = state.real_span(state.started_at, max(ends))  # type: ignore[type-var]
    outcome = state.outcome or state.phase
    return RehearsalLine(run_id, state.started_at, total, outcome, tonight)


def _jumps_said(s: RunState) -> str:
    """What the figures do with the host clock's jumps, when it jumped: every span counts
    only the time that passed; the times of day, and so the slips, are the wall clock's, and
    so are incidents' response times (judged live against their SLA on the wall clock)."""
    if not s.clock_jumps:
        return ""
    n = len(s.clock_jumps)
    by = format_duration(sum((b for _, b in s.clock_jumps), timedelta(0)), signed=True)
    return (
        f" The host's clock jumped {n} time{'' if n == 1 else 's'} ({by} in all): durations,"
        " gate meetings, phase spans and totals count only the time that passed; times of"
        " day, finish slips and incident response times are as the wall clock read them."
    )


def summarise(r: Review) -> str:
    """The night in one paragraph."""
    s = r.state
    plan = r.plan
    done = sum(1 for x in r.steps if x.status == "done" and not x.rollback)
    total = len(s.order)
    kind = "Simulated rehearsal" if s.simulated else f"{s.mode.capitalize()} run"
    text = (
        f"{kind} {r.run_id} of “{plan.plan.title}” started "
        f"{r.when(s.started_at)} in a window of {format_duration(plan.window.length)} "
        f"ending {r.when(plan.window.end)}."
    )
    if s.ended_at is not None:
        text += f" It ended {s.outcome} at {r.when(s.ended_at)}."
    else:
        text += " It has not ended."
    if s.simulated:  # handed on as a review, it must not pass for a rehearsal people ran
        text += " It played itself (cutover simulate): its times were drawn, not measured."
    if s.excluded is not None:
        text += f" It was left out of the rehearsal history: {s.excluded.reason}."
    text += f" {done} of {total} steps were done."
    text += _jumps_said(s)
    ends = [x.actual_finish for x in r.steps if not x.rollback and x.actual_finish]
    # Only a plan run through has a finish: an aborted one "finished 5h39m earlier" before.
    through = s.outcome == "completed" or all(s.status[sid].closed for sid in s.order)
    if ends and through and s.rollback_at is None:
        late = max(ends) - r.planned_finish
        text += f" The plan finished {format_duration(abs(late))} " + (
            "later than planned." if late > timedelta(0) else "earlier than planned, or on time."
        )
    if r.variances:
        worst = r.variances[0]
        text += (
            f" The largest overrun was {worst.id} ({format_duration(worst.variance)} over "  # type: ignore[arg-type]
            f"its {format_duration(worst.budget)} budget)."
        )
    if r.rollback is not None:
        rb = r.rollback
        text += f" Rollback was invoked at {r.when(rb.invoked_at)}: {rb.reason}."
        if rb.rto_met is not None:
            text += f" Service was restored in {format_duration(rb.took)}, " + (  # type: ignore[arg-type]
                "inside the RTO." if rb.rto_met else "OVER the RTO."
            )
    gates = sum(len(g.decisions) for g in s.gates.values())
    n = len(r.decisions)
    text += f" {n} decision{'' if n == 1 else 's'} {'was' if n == 1 else 'were'} recorded"
    text += f" ({gates} at gates)."
    return text

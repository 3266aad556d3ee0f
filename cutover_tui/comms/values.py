"""The live values a message template may name, from the run's state and verdict at `now`.

Every figure is the one the war room shows at that moment: the verdict's word and deciding
reason (engine/verdict.py), the plan-of-record finish and delta, the odds at tonight's pace
(likely finish, P80, P(in window)), the buffer, the last safe rollback start. Times are in the
plan's zone, so `{now:%H:%M}` reads as the people on the bridge read their clocks. A figure
that does not exist yet (no odds before the run has paced anything) is None: the template
says so in the draft (comms/templates.py). `outlook` says where the run is heading in words
true at every stage (the odds; before them the plan of record; after the end how it ended),
for the built-in templates, which go out by themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from ..engine.incidents import holders
from ..engine.schedule import Schedule
from ..engine.state import RunState
from ..engine.verdict import Verdict, assess
from ..engine.verdict_types import WITHHELD_BECAUSE
from ..plan.durations import format_duration

if TYPE_CHECKING:  # numpy: a type only, the forecaster is handed in (issue 14)
    from ..engine.forecast import Forecaster


@dataclass(frozen=True)
class About:
    """What a message concerns, beyond the run itself."""

    step: str | None = None  # a step id (the comms step, the step a trigger watches)
    trigger: str | None = None
    reason: str | None = None  # replaces the verdict's deciding reason (a rollback's why)
    audience: str | None = None  # an audience id
    # When it happened (an incident raised, a trigger fired, a checkpoint failed): an alert
    # sent later, an escalation, said "raised at" the moment of sending (user pass).
    raised_at: datetime | None = None


RUN = About()  # a message about the run as a whole


def live_values(
    state: RunState,
    now: datetime,
    about: About = RUN,
    forecaster: Forecaster | None = None,
) -> dict[str, Any]:
    """The template values at `now` (runs the verdict: the odds too, given a forecaster)."""
    sched, _sight, verdict = assess(state, now, forecaster)
    return values_from(state, sched, verdict, about)


class Said(str):
    """A figure that does not exist and will not (a finish under a NO GO): its words stand
    whatever the template's format spec (`{projected_finish:%H:%M}`)."""

    def __format__(self, spec: str) -> str:
        return str(self)


def _withheld(stage: str, chance: str) -> dict[str, Any]:
    """The figures of a stage that claims no finish, as the status line and `cutover status`
    claim none: `projected_finish` and `likely_finish` say why, the rest none."""
    why = Said(f"none {WITHHELD_BECAUSE[stage]}")
    return {
        "projected_finish": why,
        "likely_finish": why,
        "p80": Said("none"),
        "p_in_window": chance,
        "delta": Said("no finish"),
        "buffer_left": Said("none"),
    }


# Under a NO GO the plan cannot finish (user pass, 2026-12-02: a status update said
# "projected finish 03:10" beside NO GO): the chance of finishing in the window is nil.
NO_GO_FIGURES = _withheld("no-go", "0%")
# Under an unanswered ROLL BACK the odds are for carrying on past the call, which nobody has
# decided to do (user pass, 2026-12-02: "72% in window, likely 03:10" beside ROLL BACK).
ROLL_BACK_FIGURES = _withheld("roll-back", Said("no stated"))  # "no stated chance of …"
WITHHELD_FIGURES = {"no-go": NO_GO_FIGURES, "roll-back": ROLL_BACK_FIGURES}


def values_from(
    state: RunState, sched: Schedule, verdict: Verdict, about: About = About()
) -> dict[str, Any]:
    values = _values(state, sched, verdict, about)
    values["outlook"] = outlook(state, verdict)
    values["rollback"] = rollback_clause(state, sched, verdict)
    if verdict.stage == "ended":
        return {**values, **_ended_figures(state, verdict)}
    return {**values, **WITHHELD_FIGURES.get(verdict.stage, {})}


def _ended_figures(state: RunState, verdict: Verdict) -> dict[str, Any]:
    """After the end the odds will never come: not "[no likely_finish yet]" but the end.
    A completed run's finish is when it finished; any other end finishes nothing."""
    end = verdict.headline.astimezone(state.plan.zone)
    if state.outcome == "completed":
        on_time = verdict.headline <= verdict.deadline
        return {"likely_finish": end, "p80": end, "p_in_window": "100%" if on_time else "0%"}
    said = Said(f"none: the run ended {state.outcome} at {end:%H:%M}")
    return {"likely_finish": said, "p80": Said("none"), "p_in_window": "0%"}


def outlook(state: RunState, verdict: Verdict) -> str:
    """Where the run is heading, in one clause true at every stage (the built-in templates
    say it after "The run is {level};"): the odds, or why there are none."""
    zone = state.plan.zone

    def hm(moment: datetime) -> str:
        return f"{moment.astimezone(zone):%H:%M}"

    deadline = hm(verdict.deadline)
    if verdict.stage == "ended":  # "completed at 03:10, 50m before the 04:00 deadline"
        return verdict.decided_by.text
    if verdict.stage in WITHHELD_BECAUSE:
        return f"finish: none {WITHHELD_BECAUSE[verdict.stage]}; deadline {deadline}"
    what = "the rollback" if verdict.stage == "rolling-back" else "the cutover"
    if verdict.likely is None or verdict.p80 is None or verdict.p_in_window is None:
        if state.phase == "not-started":
            return f"not started: the plan finishes at {hm(verdict.plan_finish)} against the {deadline} deadline"
        return (
            f"no odds yet at tonight's pace; the plan of record for {what} finishes at "
            f"{hm(verdict.plan_finish)} against the {deadline} deadline"
        )
    return (
        f"{what} will likely finish at {hm(verdict.likely)} (P80 {hm(verdict.p80)}); the "
        f"chance of finishing by the {deadline} deadline is {verdict.p_in_window:.0%}"
    )


def rollback_clause(state: RunState, sched: Schedule, verdict: Verdict) -> str:
    """Whether a rollback is open, in one clause true at every stage: "rollback is possible
    until 04:45" said after the run ended, or while it rolled back, was not (review of the
    built-in templates, 2026-12-02)."""
    zone = state.plan.zone
    if not state.rollback_order:
        return "the plan has no rollback"
    if verdict.stage == "ended":
        return "the run has ended; no rollback is open"
    if state.rollback_at is not None:
        return f"the rollback has been under way since {state.rollback_at.astimezone(zone):%H:%M}"
    last = f"{sched.last_safe_rollback_start.astimezone(zone):%H:%M}"
    if verdict.clock >= sched.last_safe_rollback_start:  # by the clock: a ROLL BACK call too
        return f"the last safe rollback start ({last}) has passed: a rollback no longer fits"
    return f"a rollback is possible until {last}"


def _values(state: RunState, sched: Schedule, verdict: Verdict, about: About) -> dict[str, Any]:
    plan, zone = state.plan, state.plan.zone

    def local(moment: datetime | None) -> datetime | None:
        return moment.astimezone(zone) if moment is not None else None

    step = state.steps.get(about.step or "")
    running = [state.steps[sid].title for sid in sched.running if sid in state.steps]
    audience = next((a for a in plan.audience if a.id == about.audience), None)
    # Who commands now, as tonight's hand-overs left it, not the plan's original commander.
    commanders = [
        plan.people[k].name if k in plan.people else k for k in holders(state, "commander")
    ]
    reason = about.reason or verdict.decided_by.text
    return {
        "now": local(verdict.clock),
        "raised_at": local(about.raised_at or verdict.clock),
        "plan": SimpleNamespace(
            id=plan.plan.id,
            title=plan.plan.title,
            timezone=plan.plan.timezone,
            launch=plan.plan.launch,
        ),
        "window": SimpleNamespace(start=local(plan.window.start), end=local(plan.window.end)),
        "level": verdict.word,
        "reason": reason,
        "projected_finish": local(verdict.plan_finish),
        "deadline": local(verdict.deadline),
        "delta": format_duration(verdict.delta, signed=True),
        "percent_done": f"{sched.percent_done:.0%}",
        "current_step": ", ".join(running) or "nothing",
        "buffer_left": format_duration(sched.buffer_left),
        "rollback_by": local(sched.last_safe_rollback_start) if state.rollback_order else None,
        "likely_finish": local(verdict.likely),
        "p80": local(verdict.p80),
        "p_in_window": None if verdict.p_in_window is None else f"{verdict.p_in_window:.0%}",
        "commander": ", ".join(commanders) or None,
        # An alert about something that happened (raised_at) names no step when it has none:
        # "none", not "[no step yet]", a step that will never come (user pass, 2026-12-02).
        "step": step.title if step else ("none" if about.raised_at else None),
        # What the message is about, for the built-in step-update: "step: reason", or the
        # reason alone in a message about the run (a rollback announced with it), not
        # "[no step yet]: reason" (close note 13).
        "news": f"{step.title}: {reason}" if step else reason,
        "checkpoint": step.title if step and step.kind == "checkpoint" else None,
        "trigger": about.trigger or ("none" if about.raised_at else None),  # as `step`
        "audience": audience.name if audience else about.audience,
    }

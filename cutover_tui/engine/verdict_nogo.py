"""The verdict's NO GO stage: a go/no-go gate said no, so the plan cannot go on past it.

A gate's no-go is final (a decided gate is not decided again: engine/rules_steps.py), so no
step after the gate can start. The fold records it as the gate failed (engine/fold.py), and
the schedule and the odds project a failed step as retried from now, so before this stage the
verdict read the rest of the night at budget and said ON TRACK beside a night that had been
called off. What is left to the commander is to roll back or to end the run: the stage is as
loud as a fired rollback trigger, it drops the odds (they would simulate the gate passing),
and it gives way to ROLLING BACK and ENDED, which engine/verdict.py checks first.

A conditional go and a go change nothing; a rehearsal's no-go is judged as a live one's.

Pure: no I/O, no clock, no textual.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..inert import inert_line
from .events import GateDecided
from .schedule import Schedule
from .state import RunState
from .verdict_types import Rule

TITLE_LIMIT = 80  # a plan's title and a person's reason: one line each, cut with "…"
REASON_LIMIT = 150


@dataclass(frozen=True)
class NoGo:
    """The no-go that stops the run: the gate and the decision that said no."""

    gate: str
    said: GateDecided


def standing_no_go(state: RunState) -> NoGo | None:
    """The earliest no-go still standing while the run goes forward: its gate is in tonight's
    plan and not closed (an amendment that skipped the gate lifts it)."""
    if state.phase != "running":
        return None
    found: list[NoGo] = []
    for sid, gate in state.gates.items():  # only gates someone decided: a few a night
        if gate.outcome != "no-go" or sid not in state.steps:
            continue
        if state.status[sid].closed:
            continue
        said = [d for d in gate.decisions.values() if d.decision == "no-go"]
        if said:
            found.append(NoGo(sid, min(said, key=lambda d: (d.at, d.seq))))
    return min(found, key=lambda n: (n.said.at, n.said.seq)) if found else None


def no_go_rule(state: RunState, no_go: NoGo) -> Rule:
    """NO GO at <gate title> · <who> at HH:MM: <reason>: roll back or end the run."""
    said = no_go.said
    title = inert_line(state.steps[no_go.gate].title, TITLE_LIMIT)
    reason = inert_line(said.reason, REASON_LIMIT) or "no reason given"
    then = (
        "roll back or end the run"
        if state.rollback_order
        else "end the run (no rollback is planned)"
    )
    return Rule(
        "no-go",
        "late",
        f"NO GO at {title} · {state.name(said.approver)} at {state.when(said.at)}: {reason}: "
        f"{then}",
    )


def back_out_rule(state: RunState, sched: Schedule) -> Rule | None:
    """What rolling back now would give: service restored by when, against the deadline."""
    restored = sched.back_out_finish
    if not state.rollback_order or restored is None:
        return None
    deadline = state.plan.window.end
    inside = restored <= deadline
    return Rule(
        "back-out",
        "on-track" if inside else "late",
        f"a rollback started now restores service at {state.when(restored)}, "
        f"{'before' if inside else 'after'} the {state.when(deadline)} deadline",
    )


def no_go_rules(state: RunState, sched: Schedule, no_go: NoGo) -> list[Rule]:
    """The NO GO stage's own rules, the deciding one first."""
    rules = [no_go_rule(state, no_go)]
    back_out = back_out_rule(state, sched)
    if back_out is not None:
        rules.append(back_out)
    return rules


# The pace rules a no-go makes untrue: they read the rest of the plan as still to be run.
SILENCED_BY_NO_GO = frozenset({"odds", "plan-of-record", "buffer-rule"})

__all__ = [
    "SILENCED_BY_NO_GO",
    "NoGo",
    "back_out_rule",
    "no_go_rule",
    "no_go_rules",
    "standing_no_go",
]

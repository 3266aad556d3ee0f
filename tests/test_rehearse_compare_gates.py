"""A gate's rehearsed time is its meeting: from when it could meet to the last decision."""

from __future__ import annotations

from datetime import datetime, timedelta

from cutover_tui.engine.events import GateDecided, RunStarted, StepCompleted, StepStarted
from cutover_tui.engine.state import fold
from cutover_tui.plan import parse_plan
from cutover_tui.rehearse.compare import compare

T0 = datetime.fromisoformat("2026-11-27T22:00:00+00:00")
PLAN = parse_plan(
    """format = 1
[plan]
id = "gated"
title = "Gated"
timezone = "UTC"
[window]
start = 2026-11-27T22:00:00
end = 2026-11-28T02:00:00
[people.lead]
name = "Lead"
roles = ["commander"]
[people.boss]
name = "Boss"
roles = ["approver"]
[[step]]
id = "a"
title = "A"
owner = "lead"
duration = "60m"
[[step]]
id = "g"
title = "Go?"
kind = "gate"
owner = "lead"
duration = "10m"
after = ["a"]
approvers = ["lead", "boss"]
"""
).plan


def rehearsal(a_done: int, decisions: tuple[int, int]):
    """`a` done `a_done` minutes in; lead and boss decide at those minutes."""
    at = lambda minutes: T0 + timedelta(minutes=minutes)  # noqa: E731
    return fold(
        PLAN,
        [
            RunStarted(actor="lead", at=T0, plan_id="gated", mode="rehearsal"),
            StepStarted(actor="lead", at=T0, step="a"),
            StepCompleted(actor="lead", at=at(a_done), step="a"),
            GateDecided(
                actor="lead", at=at(decisions[0]), step="g", approver="lead", decision="go"
            ),
            GateDecided(
                actor="boss", at=at(decisions[1]), step="g", approver="boss", decision="go"
            ),
        ],
    )


def test_a_gate_is_timed_from_when_it_could_meet_to_its_last_decision() -> None:
    # R1: a done at 70m, decisions at 75m and 82m: 12 minutes at the gate.
    # R2: a done at 60m, both decide at 68m: 8 minutes (not 0: the engine opens a gate only
    # at its first decision, so its own start would say it took no time).
    c = compare(PLAN, [("r1", rehearsal(70, (75, 82))), ("r2", rehearsal(60, (68, 68)))])
    gate = next(row for row in c.steps if row.key == "g")
    assert gate.actuals == (timedelta(minutes=12), timedelta(minutes=8))
    assert gate.mean == timedelta(minutes=10) and gate.variance == timedelta(0)
    assert gate.trend == timedelta(minutes=-4)

"""The rehearsal comparison against figures worked out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

from cutover_tui.engine.events import RunStarted, StepCompleted, StepStarted
from cutover_tui.engine.state import fold
from cutover_tui.plan import parse_plan
from cutover_tui.rehearse.compare import compare, render

T0 = datetime.fromisoformat("2026-11-27T22:00:00+00:00")
PLAN = parse_plan(
    """format = 1
[plan]
id = "tiny"
title = "Tiny"
timezone = "UTC"
[window]
start = 2026-11-27T22:00:00
end = 2026-11-28T02:00:00
buffer = "25%"
[people.lead]
name = "Lead"
roles = ["commander"]
[[phase]]
id = "one"
title = "One"
[[step]]
id = "a"
title = "A"
owner = "lead"
phase = "one"
duration = "60m"
[[step]]
id = "b"
title = "B"
owner = "lead"
phase = "one"
duration = "30m"
after = ["a"]
"""
).plan


def rehearsal(a_minutes: int, b_minutes: int):
    a_end = T0 + timedelta(minutes=a_minutes)
    b_end = a_end + timedelta(minutes=b_minutes)
    return fold(
        PLAN,
        [
            RunStarted(actor="lead", at=T0, plan_id="tiny", mode="rehearsal"),
            StepStarted(actor="lead", at=T0, step="a"),
            StepCompleted(actor="lead", at=a_end, step="a"),
            StepStarted(actor="lead", at=a_end, step="b"),
            StepCompleted(actor="lead", at=b_end, step="b"),
        ],
    )


def test_figures_match_the_hand_computation() -> None:
    # R1: a 80m, b 40m; R2: a 70m, b 30m; R3: a 60m, b 35m.
    c = compare(
        PLAN, [("r1", rehearsal(80, 40)), ("r2", rehearsal(70, 30)), ("r3", rehearsal(60, 35))]
    )
    a = c.steps[0]
    assert [x.total_seconds() / 60 for x in a.actuals] == [80, 70, 60]
    assert a.mean == timedelta(minutes=70)
    assert a.variance == timedelta(minutes=10)  # 70 - 60
    assert round(a.variance_pct, 4) == round(10 / 60, 4)
    assert a.trend == timedelta(minutes=-10)  # 10 minutes faster per rehearsal
    b = c.steps[1]
    assert b.mean == timedelta(minutes=35) and b.trend == timedelta(minutes=-2.5)
    # The whole run: 120, 100, 95 minutes against a budget of 90.
    assert [x.total_seconds() / 60 for x in c.total.actuals] == [120, 100, 95]
    assert c.total.budget == timedelta(minutes=90)
    # A 4-hour window with a 25 % buffer wants a rehearsal in 3 hours.
    assert c.window == timedelta(hours=4) and c.target == timedelta(hours=3)
    text = render(c)
    assert "every completed rehearsal did (slowest 2h00m)" in text
    assert "+10m" in text and "+17%" in text


def test_a_rehearsal_too_slow_for_the_buffer_rule_is_called_out() -> None:
    c = compare(PLAN, [("r1", rehearsal(150, 40))])
    assert "the slowest took 3h10m: 10m too long" in render(c, chart=False)

"""The rehearsal comparison against figures worked out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from cutover_tui.engine.events import (
    RollbackInvoked,
    RunEnded,
    RunStarted,
    StepCompleted,
    StepStarted,
)
from cutover_tui.engine.state import fold
from cutover_tui.plan import parse_plan
from cutover_tui.rehearse.compare import Row, compare, plan_vs_actual_chart, render

T0 = datetime.fromisoformat("2026-11-27T22:00:00+00:00")
PLAN_TEXT = """format = 1
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
PLAN = parse_plan(PLAN_TEXT).plan


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


# -- the rollback timed against the RTO -----------------------------------------------------

ROLLBACK_PLAN = parse_plan(
    PLAN_TEXT
    + """
[rollback]
owner = "lead"
rto = "45m"
[[rollback.step]]
id = "restore"
title = "Restore"
owner = "lead"
duration = "30m"
[[rollback.step]]
id = "verify"
title = "Verify"
owner = "lead"
duration = "10m"
after = ["restore"]
"""
).plan


def rolled_back(a_minutes: int, restore: int, verify: int, wait: int = 5):
    a_end = T0 + timedelta(minutes=a_minutes)
    invoked = a_end + timedelta(minutes=wait)
    r_end = invoked + timedelta(minutes=restore)
    v_end = r_end + timedelta(minutes=verify)
    return fold(
        ROLLBACK_PLAN,
        [
            RunStarted(actor="lead", at=T0, plan_id="tiny", mode="rehearsal"),
            StepStarted(actor="lead", at=T0, step="a"),
            StepCompleted(actor="lead", at=a_end, step="a"),
            RollbackInvoked(actor="lead", at=invoked, reason="b would not start"),
            StepStarted(actor="lead", at=invoked, step="restore"),
            StepCompleted(actor="lead", at=r_end, step="restore"),
            StepStarted(actor="lead", at=r_end, step="verify"),
            StepCompleted(actor="lead", at=v_end, step="verify"),
            RunEnded(actor="lead", at=v_end, outcome="rolled-back"),
        ],
    )


def test_a_rehearsed_rollback_is_timed_against_the_rto() -> None:
    # R1 rolls back in 35 + 15 = 50 minutes; R2 in 28 + 9 = 37; R3 goes through.
    c = compare(
        ROLLBACK_PLAN,
        [
            ("r1", rolled_back(70, 35, 15)),
            ("r2", rolled_back(65, 28, 9)),
            ("r3", rehearsal(60, 30)),
        ],
    )
    assert c.rto == timedelta(minutes=45)
    assert c.rollback is not None and c.rollback.budget == timedelta(minutes=40)
    assert [a and a.total_seconds() / 60 for a in c.rollback.actuals] == [50, 37, None]
    restore = c.rollback_steps[0]
    assert restore.mean == timedelta(minutes=31.5) and restore.trend == timedelta(minutes=-7)
    # A rolled-back rehearsal has no total: it did not get through the plan.
    assert c.total.actuals[:2] == (None, None) and c.total.actuals[2] == timedelta(minutes=90)
    text = render(c, chart=False)
    assert "rollback: the RTO is 45m; the slowest rollback took 50m: 5m over" in text
    assert "rollback" not in render(
        compare(ROLLBACK_PLAN, [("r3", rehearsal(60, 30))]), chart=False
    )


def test_the_chart_reads_without_colour_unless_asked() -> None:
    c = compare(PLAN, [("r1", rehearsal(80, 40)), ("r2", rehearsal(70, 30))])
    plain = plan_vs_actual_chart(c)
    assert "\x1b[" not in plain
    assert "plan" in plain and "R1" in plain and "R2" in plain and "one" in plain
    assert "▒" in plain and "░" in plain  # one fill per rehearsal, not colour alone
    assert "\x1b[" in plan_vs_actual_chart(c, color=True)


# -- the figures' definitions, on any history -----------------------------------------------


@given(
    budget=st.integers(1, 600),
    start=st.integers(1, 600),
    step=st.integers(-20, 20),
    count=st.integers(2, 8),
)
@example(budget=1, start=2, step=-1, count=7)  # 8/7 minutes: the tolerance was too tight
def test_variance_and_trend_follow_their_definitions(
    budget: int, start: int, step: int, count: int
) -> None:
    minutes = [max(1, start + step * i) for i in range(count)]
    row = Row("x", "X", timedelta(minutes=budget), tuple(timedelta(minutes=m) for m in minutes))
    mean = sum(minutes) / count
    assert abs(row.variance.total_seconds() / 60 - (mean - budget)) < 1e-6
    # The mean is a timedelta, to the microsecond: its share of a budget of a minute or more
    # is off by at most half a microsecond in 60 s, under 1e-8.
    assert abs(row.variance_pct - (mean / budget - 1)) < 1e-8
    if all(start + step * i >= 1 for i in range(count)):  # a straight line: its own slope
        assert abs(row.trend.total_seconds() / 60 - step) < 1e-6
    # A rehearsal that did not time the step is left out, not counted as zero.
    gappy = Row("x", "X", row.budget, (None, *row.actuals))
    assert gappy.mean == row.mean and gappy.trend == row.trend

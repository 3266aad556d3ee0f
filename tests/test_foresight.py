"""Foresight pinned on hand-made nights: the pace it infers, the alarm it raises, and why.

Each night is a plan literal and the events of a history folded into a state, as the war room
would see it; `now` is passed in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from cutover_tui.engine.events import (
    RollbackInvoked,
    RunEnded,
    RunStarted,
    StepCompleted,
    StepStarted,
)
from cutover_tui.engine.forecast import Forecaster
from cutover_tui.engine.foresight import Thresholds, foresee
from cutover_tui.engine.pace import PacePrior, infer_pace
from cutover_tui.engine.schedule import schedule
from cutover_tui.engine.state import fold
from cutover_tui.plan import PlanError, parse_plan

T0 = datetime.fromisoformat("2026-11-27T22:00:00+00:00")


def plan_text(hours: float, phases: list[tuple[str, str, int, int]], alarm: str = "") -> str:
    """A serial plan: `phases` is (phase id, title, steps, minutes each); window of `hours`."""
    end = T0 + timedelta(hours=hours)
    text = f"""
format = 1
[plan]
id = "night"
title = "Night"
timezone = "UTC"
[window]
start = 2026-11-27T22:00:00
end = {end:%Y-%m-%dT%H:%M:%S}
buffer = "10%"
warning = "30m"
{alarm}
[people.lead]
name = "Lead"
roles = ["commander"]
"""
    for pid, title, _, _ in phases:
        text += f'[[phase]]\nid = "{pid}"\ntitle = "{title}"\n'
    previous = None
    for pid, _, count, minutes in phases:
        for n in range(count):
            sid = f"{pid}-{n + 1}"
            after = f'["{previous}"]' if previous else "[]"
            text += (
                f'[[step]]\nid = "{sid}"\nphase = "{pid}"\ntitle = "{sid}"\nowner = "lead"\n'
                f'duration = "{minutes}m"\nafter = {after}\n'
            )
            previous = sid
    return text


def night(plan, ratios: dict[str, float], running: str | None = None, ran: float = 0):
    """Events of a serial night: each step in `ratios` ran ratio x its budget, back to back;
    then `running` was started and has run `ran` minutes. Returns (events, now)."""
    events = [RunStarted(actor="lead", at=T0, plan_id=plan.plan.id)]
    at = T0
    for s in plan.step:
        if s.id not in ratios:
            break
        events.append(StepStarted(actor="lead", at=at, step=s.id))
        at = at + s.duration * ratios[s.id]
        events.append(StepCompleted(actor="lead", at=at, step=s.id))
    if running:
        events.append(StepStarted(actor="lead", at=at, step=running))
        at = at + timedelta(minutes=ran)
    return events, at


def sight(plan, events, now, **kwargs):
    return foresee(fold(plan, events), now, Forecaster(iterations=4000, seed=11), **kwargs)


# A 10-hour window (buffer 1h) for 7 hours of budgets: 2 hours of preparation, 5 of moving.
SLOW_START = [("prep", "Preparation", 4, 30), ("move", "Data move", 6, 50)]


def test_on_budget_night_stays_on_track() -> None:
    plan = parse_plan(plan_text(10, SLOW_START)).plan
    assert sight(plan, [], T0).level == "on-track"  # before the night starts
    # Steps come in on their budgets, give or take a few minutes, all night long.
    wobble = [1.0, 0.95, 1.05, 1.0, 1.1, 0.9, 1.0, 1.05, 0.95, 1.0]
    for done in range(1, 10):
        ratios = {s.id: wobble[i] for i, s in enumerate(plan.step[:done])}
        events, now = night(plan, ratios, running=plan.step[done].id, ran=5)
        result = sight(plan, events, now)
        assert result.level == "on-track", (done, result.reason)
        assert 0.85 <= result.pace.factor * 1.13 <= 1.15  # near budget (1.13: default skew)
        assert schedule(fold(plan, events), now).level == "on-track"


def test_slow_first_phase_turns_at_risk_before_any_later_step_overruns() -> None:
    plan = parse_plan(plan_text(10, SLOW_START)).plan
    ratios = {f"prep-{n}": 1.5 for n in range(1, 5)}
    # Phase one is over (3h instead of 2h); the first move step started a minute ago.
    events, now = night(plan, ratios, running="move-1", ran=1)
    state = fold(plan, events)
    status_date = schedule(state, now)
    # The status-date method sees a 1h slip with 2h of buffer left: still on track.
    assert status_date.level == "on-track"
    assert status_date.buffer_left == timedelta(hours=2)
    result = sight(plan, events, now)
    assert result.level in ("at-risk", "late"), result.reason
    assert result.p_in_window < 0.8
    assert result.pace.factor > 1.15  # the slowness carries over to the rest of the night
    assert result.p50 > status_date.projected_finish + timedelta(minutes=45)
    # The reason names the evidence and the projection.
    assert "the 4 steps finished so far ran 50 % over budget" in result.reason
    assert f"at this pace the cutover ends at {result.p50:%H:%M}" in result.reason
    assert f"{round(result.p_in_window * 100)} % chance of finishing by 08:00" in result.reason
    # The P80 path runs from the running step to the last one.
    assert result.p80_path[0] == "move-1" and result.p80_path[-1] == "move-6"


def test_single_outlier_does_not_condemn_an_otherwise_punctual_night() -> None:
    # 15 steps of 20m in a 7h window: room for one bad step, not for a slow night.
    plan = parse_plan(plan_text(7, [("work", "Work", 15, 20)])).plan
    punctual = {f"work-{n}": 1.0 for n in range(1, 6)}
    events, now = night(plan, punctual | {"work-3": 3.0}, running="work-6", ran=2)
    result = sight(plan, events, now)
    assert result.level == "on-track", result.reason
    assert result.pace.outliers == ("work-3",)
    assert "'work-3' ran 3.0x its budget, set aside as an outlier" in result.reason
    # The pace is hardly moved from what the same night without the bad step says.
    calm, calm_now = night(plan, punctual, running="work-6", ran=2)
    assert abs(result.pace.factor - sight(plan, calm, calm_now).pace.factor) < 0.05
    # Taken at face value (a normal likelihood, no outliers), the five steps ran 40 % over
    # budget on average and the rest of the night looks slow too.
    naive = sight(plan, events, now, prior=PacePrior(tail=1e9))
    assert naive.pace.factor > result.pace.factor + 0.1
    assert naive.level != "on-track"


def test_a_long_running_step_is_evidence_before_it_finishes() -> None:
    plan = parse_plan(plan_text(10, SLOW_START)).plan
    ratios = {f"prep-{n}": 1.0 for n in range(1, 5)}
    quiet, at = night(plan, ratios, running="move-1", ran=10)
    events, now = night(plan, ratios, running="move-1", ran=100)  # a 50m step, 1h40m in
    before = sight(plan, quiet, at)
    result = sight(plan, events, now)
    assert result.pace.running == 1
    assert result.pace.factor > before.pace.factor
    assert "'move-1' has run 1h40m of its 50m budget" in result.reason


def test_a_slow_phase_is_named() -> None:
    plan = parse_plan(
        plan_text(
            14,
            [("prep", "Preparation", 6, 20), ("load", "Bulk load", 6, 30), ("end", "Close", 4, 30)],
        )
    ).plan
    ratios = {f"prep-{n}": 1.0 for n in range(1, 7)} | {f"load-{n}": 1.8 for n in range(1, 7)}
    events, now = night(plan, ratios)
    pace = infer_pace(fold(plan, events), now)
    assert pace.per_phase["load"] > pace.factor > pace.per_phase["prep"]
    # A phase not started yet moves with the night; one with evidence keeps its own pace.
    # (Both drawn with the night's excess over the model's scatter, engine/pace_excess.py.)
    point = pace.scales(["end-1", "load-6"])
    assert point["end-1"] == pytest.approx(pace.factor * pace.excess)
    assert point["load-6"] == pytest.approx(pace.per_phase["load"] * pace.excess)
    assert "phase 'Bulk load' runs" in pace.evidence and "slower than the rest" in pace.evidence
    assert (
        "the last 6 steps ran 80 % over budget (all 12 so far: 48 % over budget)" in pace.evidence
    )


def test_rehearsal_history_sets_the_prior() -> None:
    plan = parse_plan(plan_text(10, SLOW_START)).plan
    slow_rehearsals = PacePrior.from_rehearsals([1.4, 1.5, 1.45])
    assert slow_rehearsals.factor == pytest.approx(1.45, abs=0.01)
    before = sight(plan, [], T0)
    warned = sight(plan, [], T0, prior=slow_rehearsals)
    assert warned.p_in_window < before.p_in_window
    assert warned.level != "on-track"
    assert "rehearsal history" in warned.reason


def test_thresholds_come_from_the_plan() -> None:
    text = plan_text(10, SLOW_START, alarm='alarm = { late_below = "85%", at_risk_below = "95%" }')
    plan = parse_plan(text).plan
    assert Thresholds.of(plan) == Thresholds(late_below=0.85, at_risk_below=0.95)
    ratios = {f"prep-{n}": 1.5 for n in range(1, 5)}
    events, now = night(plan, ratios, running="move-1", ran=1)
    strict = sight(plan, events, now)
    assert strict.level == "late" and strict.thresholds.late_below == 0.85
    lenient = sight(
        plan,
        events,
        now,
        thresholds=Thresholds(late_below=0.01, at_risk_below=0.02, buffer_below=0.0),
    )
    assert lenient.level == "on-track"
    assert lenient.p_in_window == strict.p_in_window


def test_plan_alarm_thresholds_are_checked() -> None:
    with pytest.raises(PlanError, match=r"late_below is above alarm\.at_risk_below"):
        parse_plan(plan_text(10, SLOW_START, alarm='alarm = { late_below = "90%" }'))
    with pytest.raises(PlanError, match="did you mean 'buffer_below'"):
        parse_plan(plan_text(10, SLOW_START, alarm='alarm = { bufer_below = "40%" }'))


def test_finished_night_is_a_fact() -> None:
    plan = parse_plan(plan_text(3, [("work", "Work", 4, 30)])).plan
    ratios = {f"work-{n}": 1.6 for n in range(1, 5)}  # 3h12m for a 3h window
    events, end = night(plan, ratios)
    events.append(RunEnded(actor="lead", at=end, outcome="completed"))
    result = sight(plan, events, end + timedelta(hours=1))
    assert result.level == "late" and result.p_in_window == 0.0
    assert result.p50 == end
    assert result.reason == "the cutover finished at 01:12, 12m after the 01:00 deadline"


def test_the_same_forecaster_gives_a_steady_answer() -> None:
    plan = parse_plan(plan_text(10, SLOW_START)).plan
    events, now = night(plan, {"prep-1": 1.2, "prep-2": 1.3}, running="prep-3", ran=10)
    state = fold(plan, events)
    forecaster = Forecaster(iterations=1000, seed=5)
    first = foresee(state, now, forecaster)
    again = foresee(state, now + timedelta(seconds=1), forecaster)
    assert abs(again.p_in_window - first.p_in_window) <= 0.01
    assert abs((again.p50 - first.p50).total_seconds()) < 60


ROLLBACK = """
[rollback]
owner = "lead"
rto = "1h"
[[rollback.step]]
id = "restore"
title = "Restore"
owner = "lead"
duration = "30m"
[[rollback.step]]
id = "verify"
title = "Verify"
owner = "lead"
duration = "15m"
after = ["restore"]
"""


def test_during_rollback_the_odds_are_about_the_rollback() -> None:
    plan = parse_plan(plan_text(10, SLOW_START) + ROLLBACK).plan
    events, at = night(plan, {"prep-1": 1.5, "prep-2": 1.5})
    events += [
        RollbackInvoked(actor="lead", at=at, reason="too slow"),
        StepStarted(actor="lead", at=at, step="restore"),
    ]
    now = at + timedelta(minutes=20)
    result = sight(plan, events, now)
    assert result.deadline == at + timedelta(hours=1)  # invoked + RTO
    assert result.p80_path == ("restore", "verify")
    assert "at this pace the rollback ends at" in result.reason
    assert f"by {result.deadline:%H:%M}" in result.reason
    # Once it has ended, the answer is what happened.
    done = [
        *events,
        StepCompleted(actor="lead", at=now, step="restore"),
        StepStarted(actor="lead", at=now, step="verify"),
        StepCompleted(actor="lead", at=now + timedelta(minutes=10), step="verify"),
        RunEnded(actor="lead", at=now + timedelta(minutes=12), outcome="rolled-back"),
    ]
    ended = sight(plan, done, now + timedelta(hours=3))
    assert ended.level == "on-track" and ended.p_in_window == 1.0
    assert ended.reason == (
        f"the rollback finished at {now + timedelta(minutes=10):%H:%M}, "
        f"before the {result.deadline:%H:%M} deadline"
    )

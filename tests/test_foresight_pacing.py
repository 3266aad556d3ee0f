"""The odds on a very large plan are not worked out again every second while nothing happens.

Issue 12, finding 9: on a 50,000-step plan the war room kept a core at 95 %, the pace fit and
the forecast redone every tick (about two CPU seconds each). A small plan is untouched.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from cutover_tui.engine import foresight, foresight_pacing
from cutover_tui.engine.events import RunStarted, StepCompleted, StepStarted
from cutover_tui.engine.forecast import Forecaster
from cutover_tui.engine.foresight import Thresholds, foresee
from cutover_tui.engine.foresight_pacing import reuse_for
from cutover_tui.engine.pace import PacePrior
from cutover_tui.engine.state import apply, fold
from cutover_tui.plan import parse_plan

PLAN = """
format = 1
[plan]
id = "f"
title = "Pacing"
timezone = "UTC"
[window]
start = 2026-11-27T22:00:00
end = 2026-11-28T04:00:00
[people.lead]
name = "Lead"
roles = ["commander"]
"""
T0 = datetime.fromisoformat("2026-11-27T22:00:00+00:00")


def step(sid: str, minutes: int, after: list[str] = ()) -> str:
    return (
        f'[[step]]\nid = "{sid}"\ntitle = "{sid}"\nowner = "lead"\nduration = "{minutes}m"\n'
        f"after = {list(after)!r}\n".replace("'", '"')
    )


def running_night():
    plan = parse_plan(PLAN + step("a", 20) + step("b", 50, ["a"]) + step("c", 30, ["b"])).plan
    events = [
        RunStarted(actor="lead", at=T0, plan_id="f"),
        StepStarted(actor="lead", at=T0, step="a"),
        StepCompleted(actor="lead", at=T0 + timedelta(minutes=25), step="a"),
        StepStarted(actor="lead", at=T0 + timedelta(minutes=25), step="b"),
    ]
    return plan, fold(plan, events)


@pytest.fixture
def worked(monkeypatch) -> list[datetime]:
    """The moments at which the odds were really worked out."""
    moments: list[datetime] = []
    real = foresight._foresee

    def counting(state, now, *args):
        moments.append(now)
        return real(state, now, *args)

    monkeypatch.setattr(foresight, "_foresee", counting)
    return moments


def test_how_long_an_answer_stands_grows_with_the_plan() -> None:
    assert reuse_for(320, 500) == timedelta(0)  # the example plans: every tick, as before
    assert reuse_for(10_000, 500) == timedelta(0)
    assert reuse_for(50_000, 500) == timedelta(seconds=10)
    assert reuse_for(500_000, 2000) == foresight_pacing.MAX_REUSE


def test_a_small_plan_is_worked_out_at_every_tick(worked) -> None:
    _, state = running_night()
    forecaster = Forecaster(iterations=200, seed=3)
    now = T0 + timedelta(minutes=40)
    first = foresee(state, now, forecaster)
    second = foresee(state, now + timedelta(seconds=1), forecaster)
    assert worked == [now, now + timedelta(seconds=1)]
    assert second is not first


def test_a_large_plan_reuses_its_answer_until_something_happens(monkeypatch, worked) -> None:
    # The plan is small; the threshold is lowered so that it counts as large (reuse 10 s).
    plan, state = running_night()
    forecaster = Forecaster(iterations=200, seed=3)
    cells = len(state.steps) * forecaster.iterations
    monkeypatch.setattr(foresight_pacing, "PACED_CELLS", 0)
    monkeypatch.setattr(foresight_pacing, "CELLS_PER_SECOND", cells / 10)
    now = T0 + timedelta(minutes=40)
    first = foresee(state, now, forecaster)
    # Only the clock moved: the same answer, worked out once.
    assert foresee(state, now + timedelta(seconds=3), forecaster) is first
    assert foresee(state, now + timedelta(seconds=9.9), forecaster) is first
    assert worked == [now]
    # Ten seconds on, it is worked out again.
    later = foresee(state, now + timedelta(seconds=10), forecaster)
    assert later is not first and worked[-1] == now + timedelta(seconds=10)
    # An event arrives: at once, whatever the time.
    apply(state, StepCompleted(actor="lead", at=now + timedelta(seconds=11), step="b"))
    done = foresee(state, now + timedelta(seconds=11), forecaster)
    assert done is not later and worked[-1] == now + timedelta(seconds=11)
    assert done.p80 < later.p80  # b finished early: the answer is the new one
    # A clock that goes back, another state, prior, thresholds or forecaster.
    assert foresee(state, now + timedelta(seconds=5), forecaster) is not done
    other_state = fold(plan, [])
    apply(other_state, RunStarted(actor="lead", at=T0, plan_id="f"))
    variants = [
        lambda: foresee(other_state, now, forecaster),
        lambda: foresee(state, now, forecaster, PacePrior(factor=1.3)),
        lambda: foresee(state, now, forecaster, thresholds=Thresholds(late_below=0.1)),
        lambda: foresee(state, now, Forecaster(iterations=200, seed=3)),
    ]
    for variant in variants:
        standing = foresee(state, now, forecaster)
        assert foresee(state, now, forecaster) is standing
        count = len(worked)
        assert variant() is not standing
        assert len(worked) == count + 1

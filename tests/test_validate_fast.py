"""What makes `cutover validate` fast on large plans (issues 12 and 14), held to the same
answers: the one-shot odds (engine/forecast_plan.py), the paused collector
(plan/gc_pause.py) and the TOML parser (plan/toml_read.py). No timings: benchmarks/plan_load.py
has the figures."""

from __future__ import annotations

import gc
import tomllib

import numpy as np
import pytest
from pydantic import ValidationError

from cutover_tui.engine.events import RunStarted
from cutover_tui.engine.forecast import Forecaster
from cutover_tui.engine.forecast_plan import plan_odds
from cutover_tui.engine.state import fold, initial_state
from cutover_tui.plan import PlanError, parse_plan
from cutover_tui.plan import load as load_module
from cutover_tui.plan.toml_read import TOMLDecodeError, loads
from tests.test_forecast_blocks import PLAN, T0, step


def diamond(milestone: bool = False):
    text = (
        PLAN
        + step("a", 20)
        + step("b", 50, ["a"])
        + step("c", 40, ["a"])
        + step("d", 30, ["b", "c"], not_before="2026-11-28T00:30:00")
        + step("e", 25, ["d"])
    )
    if milestone:  # no spread: numpy's sampler refuses low == high
        text += '[[step]]\nid = "m"\ntitle = "m"\nowner = "lead"\nduration = "0m"\n'
        text += 'kind = "milestone"\nafter = ["e"]\n'
    return parse_plan(text).plan


@pytest.mark.parametrize("milestone", [False, True])
def test_the_one_shot_odds_agree_with_the_forecaster(milestone: bool) -> None:
    state = initial_state(diamond(milestone))
    ours = plan_odds(state, 4000, seed=3)
    theirs = Forecaster(iterations=4000, seed=3).forecast(state, state.plan.window.start)
    # The same distribution from other random numbers: within a few standard errors.
    for mine, reference in ((ours.p50, theirs.p50), (ours.p80, theirs.p80)):
        assert abs((mine - reference).total_seconds()) < 120
    assert abs(ours.p_in_window - theirs.p_in_window) < 0.05
    assert ours.deadline == theirs.deadline and ours.iterations == 4000


def test_the_one_shot_odds_honour_the_fixed_start_and_the_graph() -> None:
    state = initial_state(diamond())
    odds = plan_odds(state, 2000, seed=1)
    # d starts no earlier than 00:30 and e follows it: 30 + 25 minutes at the least (3/4).
    earliest = T0.replace(day=28, hour=0, minute=30).timestamp() + (22 + 18) * 60
    assert odds.p50.timestamp() >= earliest


def test_the_one_shot_odds_are_for_a_plan_not_started() -> None:
    plan = diamond()
    started = fold(plan, [RunStarted(actor="lead", at=T0, plan_id="f")])
    with pytest.raises(ValueError, match="plan as written"):
        plan_odds(started, 100)


def test_the_collector_is_paused_while_a_plan_loads_and_back_after(monkeypatch) -> None:
    seen: list[bool] = []
    real = load_module.validate_data

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(load_module, "validate_data", spy)
    assert gc.isenabled()
    parse_plan(PLAN + step("a", 20))
    assert seen == [False] and gc.isenabled()
    with pytest.raises(PlanError):
        parse_plan(PLAN + step("a", 20) + "[[step]]\nid = 3\n")
    assert gc.isenabled()  # after a refusal too
    gc.disable()
    try:
        parse_plan(PLAN + step("a", 20))
        assert not gc.isenabled()  # a caller's own choice is kept
    finally:
        gc.enable()


def test_the_parser_reads_and_refuses_as_tomllib_does() -> None:
    text = PLAN + step("a", 20) + step("b", 50, ["a"])
    assert loads(text) == tomllib.loads(text)
    broken = 'a = [1,\nb = "x"'
    with pytest.raises(TOMLDecodeError) as ours:
        loads(broken)
    with pytest.raises(tomllib.TOMLDecodeError) as standard:
        tomllib.loads(broken)
    assert str(ours.value) == str(standard.value)  # load._syntax_problem reads its line
    assert "(at line 2, column 1)" in str(ours.value)


def test_the_nights_of_the_odds_are_drawn_in_bounded_blocks(monkeypatch) -> None:
    from cutover_tui.engine import forecast_plan

    widths: list[int] = []
    real = forecast_plan.level_pass

    def spy(levels, lower, durations, fixed):
        widths.append(durations.shape[1])
        return real(levels, lower, durations, fixed)

    monkeypatch.setattr(forecast_plan, "level_pass", spy)
    monkeypatch.setattr(forecast_plan, "PLAN_BLOCK_CELLS", 5 * 300)  # 5 steps x 300 nights
    plan_odds(initial_state(diamond()), 1000)
    assert widths == [300, 300, 300, 100] and np.sum(widths) == 1000


def test_the_baseline_is_made_once_per_list_of_frozen_steps(monkeypatch) -> None:
    from cutover_tui.plan import graph
    from cutover_tui.plan.checks import check_plan
    from cutover_tui.plan.summary import PlanFigures

    made: list[int] = []
    real = graph._baseline
    monkeypatch.setattr(
        graph, "_baseline", lambda steps, origin: made.append(1) or real(steps, origin)
    )
    rollback = '[rollback]\nowner = "lead"\nrto = "1h"\n[[rollback.step]]\nid = "rb"\n'
    rollback += 'title = "rb"\nowner = "lead"\nduration = "10m"\n'
    plan = parse_plan(PLAN + step("a", 20) + step("b", 50, ["a"]) + rollback).plan
    made.clear()  # parse_plan's checks made the plan's baseline, and the rollback's after
    check_plan(plan)  # the cycle check and the time fit find the plan's still kept
    PlanFigures.of(plan)  # and so does the summary
    assert len(made) == 2  # only the rollback's: its copies are new lists each time
    steps = list(plan.step)
    first = graph.baseline(steps, plan.window.start)
    steps.pop()  # the same list, changed: made afresh
    assert graph.baseline(steps, plan.window.start) is not first and len(made) == 4
    with pytest.raises(ValidationError):
        plan.step[0].duration = plan.step[1].duration  # frozen: why the same list is the same

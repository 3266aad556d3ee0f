"""The forecast on plans too large for whole matrices: iterations in blocks, same figures.

Issue 12, finding 9: a 50,000-step plan took 3.4 GB to validate, the forecast holding several
(steps x iterations) float64 matrices at once. No timing here: the bound is on memory (what
tracemalloc sees numpy allocate) and on the shape of the work.
"""

from __future__ import annotations

import importlib.util
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from cutover_tui.cli import main
from cutover_tui.cli.plan_commands import validate_nights
from cutover_tui.engine import forecast_blocks
from cutover_tui.engine.events import RunStarted, StepCompleted, StepStarted
from cutover_tui.engine.forecast import Forecaster, Slowness
from cutover_tui.engine.forecast_blocks import Streams, blocks, uniform
from cutover_tui.engine.state import fold, initial_state
from cutover_tui.plan import load_plan, parse_plan

ROOT = Path(__file__).resolve().parent.parent

PLAN = """
format = 1
[plan]
id = "f"
title = "Blocks"
timezone = "UTC"
[window]
start = 2026-11-27T22:00:00
end = 2026-11-28T04:00:00
buffer = "10%"
[people.lead]
name = "Lead"
roles = ["commander"]
"""
T0 = datetime.fromisoformat("2026-11-27T22:00:00+00:00")


def step(sid: str, minutes: int, after: list[str] = (), not_before: str = "") -> str:
    return (
        f'[[step]]\nid = "{sid}"\ntitle = "{sid}"\nowner = "lead"\nduration = "{minutes}m"\n'
        f"after = {list(after)!r}\n".replace("'", '"')
        + f'estimate = {{ low = "{minutes * 3 // 4}m", high = "{minutes * 2}m" }}\n'
        + (f"not_before = {not_before}\n" if not_before else "")
    )


def night():
    """A diamond with a fixed start, one step closed and one running at 22:50."""
    plan = parse_plan(
        PLAN
        + step("a", 20)
        + step("b", 50, ["a"])
        + step("c", 40, ["a"])
        + step("d", 30, ["b", "c"], not_before="2026-11-28T00:30:00")
        + step("e", 25, ["d"])
        + step("f", 15)
    ).plan
    events = [
        RunStarted(actor="lead", at=T0, plan_id="f"),
        StepStarted(actor="lead", at=T0, step="a"),
        StepCompleted(actor="lead", at=T0 + timedelta(minutes=22), step="a"),
        StepStarted(actor="lead", at=T0 + timedelta(minutes=22), step="b"),
    ]
    return fold(plan, events), T0 + timedelta(minutes=50)


SLOWNESS = [
    None,
    Slowness.shared(1.2, 0.1),
    Slowness.shared(1.1, 0.2, step_noise=0.3),
    Slowness(step_noise=0.4, tail=3.0),
]


@pytest.mark.parametrize("slowness", SLOWNESS)
@pytest.mark.parametrize("kept", [True, False])
def test_blocks_give_the_figures_of_whole_matrices(monkeypatch, slowness, kept: bool) -> None:
    state, now = night()
    scales = {"c": 1.3}
    later = now + timedelta(minutes=7)
    whole = Forecaster(iterations=301, seed=9).simulate(state, now, scales, slowness)
    whole_later = Forecaster(iterations=301, seed=9).simulate(state, later, scales, slowness)
    assert whole.finish is not None  # a small plan: one block, the matrices as before
    # Blocks 5 iterations wide (6 steps x 5 cells), the draws kept whole or recomputed per block.
    monkeypatch.setattr(forecast_blocks, "BLOCK_CELLS", 30)
    monkeypatch.setattr(forecast_blocks, "CACHE_CELLS", 10**9 if kept else 0)
    forecaster = Forecaster(iterations=301, seed=9)
    parts = forecast_blocks.blocks(6, 301)
    assert len(parts) == 61 and parts[-1] == slice(300, 301)
    blocked = forecaster.simulate(state, now, scales, slowness)
    assert blocked.finish is None and blocked.duration is None
    assert np.array_equal(blocked.ends, whole.ends)  # exactly: the same numbers in the blocks
    for iteration in (0, 4, 5, 150, 300, whole.quantile_iteration(0.8)):
        f, d = blocked.iteration(iteration)
        assert np.array_equal(f, whole.finish[:, iteration])
        assert np.array_equal(d[whole.open], whole.duration[whole.open, iteration])
        assert blocked.path(iteration) == whole.path(iteration)
    # A refresh of the same forecaster (its draws kept or not) agrees too.
    again = forecaster.simulate(state, later, scales, slowness)
    assert np.array_equal(again.ends, whole_later.ends)
    assert not np.array_equal(again.ends, whole.ends)


def test_a_stream_read_in_blocks_or_out_of_order_repeats_itself() -> None:
    def make(name: str) -> np.random.Generator:
        return np.random.Generator(np.random.PCG64(len(name)))

    ids = ["a", "bb", "ccc"]
    whole = Streams(make, ids, uniform).take(slice(0, 50))
    streams = Streams(make, ids, uniform)
    pieces = [streams.take(s) for s in blocks(len(ids), 50, cells=21)]  # 7 wide
    assert np.array_equal(np.hstack(pieces), whole)
    assert np.array_equal(streams.take(slice(3, 4)), whole[:, 3:4])  # behind: restarted
    assert np.array_equal(streams.take(slice(40, 45)), whole[:, 40:45])  # ahead: wound on


@pytest.fixture(scope="module")
def large_plan(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location(
        "make_large_plan", ROOT / "benchmarks" / "make_large_plan.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = tmp_path_factory.mktemp("large") / "erp-20k.toml"
    path.write_text(module.make_large_plan(20_000), encoding="utf-8")
    return path


def test_validate_completes_on_a_20000_step_plan(large_plan: Path, capsys) -> None:
    assert main(["validate", str(large_plan)]) == 0
    out = capsys.readouterr().out
    assert "steps      20000 in 7 phases" in out
    assert "(500 simulated nights from the estimates alone; " in out  # 20,000 x 500 cells
    assert validate_nights(320) == 2000 and validate_nights(50_000) == 200


def test_validate_draws_fewer_nights_beyond_20000_steps_never_below_200() -> None:
    assert validate_nights(20_000) == 500
    assert validate_nights(40_000) == 250
    assert validate_nights(50_000) == 200
    assert validate_nights(1_000_000) == 200


def test_the_forecast_of_a_large_plan_never_holds_a_whole_matrix(large_plan: Path) -> None:
    state = initial_state(load_plan(large_plan).plan)
    forecaster = Forecaster(iterations=2000, seed=1)
    steps = len(state.order)
    one_matrix = steps * forecaster.iterations * 8  # float64: 320 MB on 20,000 steps
    assert len(blocks(steps, forecaster.iterations)) > 1
    tracemalloc.start()
    try:
        sim = forecaster.simulate(state, state.plan.window.start)
        _, peak = tracemalloc.get_traced_memory()
        print(f"peak {peak / 1e6:.0f} MB beside one matrix of {one_matrix / 1e6:.0f} MB")
    finally:
        tracemalloc.stop()
    assert sim.finish is None and sim.ends.shape == (2000,)
    # Before: the uniforms, the inverse CDF's temporaries, the durations and the finishes,
    # each a whole matrix (3.4 GB on 50,000 steps). Now a few blocks of at most BLOCK_CELLS.
    assert peak < one_matrix / 2, f"{peak / 1e6:.0f} MB"
    assert np.all(np.diff(np.sort(sim.ends)) >= 0) and sim.ends.min() > 0


@pytest.mark.parametrize("name", ["erp-datacentre", "online-store", "logistics-dispatch"])
def test_the_graph_ranges_are_each_steps_range(name: str) -> None:
    from cutover_tui.engine.forecast import step_range
    from cutover_tui.engine.forecast_graph import level_graph

    state = initial_state(load_plan(ROOT / "plans" / f"{name}.toml").plan)
    for rollback in (False, True):
        graph = level_graph(state, rollback)
        ranges = [step_range(state.steps[sid]) for sid in graph.ids]
        assert graph.low.tolist() == [r.low for r in ranges]
        assert graph.mode.tolist() == [r.mode for r in ranges]
        assert graph.high.tolist() == [r.high for r in ranges]

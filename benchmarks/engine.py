"""The engine's schedule at a moment, cold and warm, beside networkx doing the same work.

    python benchmarks/engine.py [--sizes 1000 5000 20000] [--runs 7]

For each size: a plan from benchmarks/make_large_plan.py with half its steps done (started
and finished at their baseline times, checkpoints passed, gates approved), `now` just after
the last of them. Timed, medians of `--runs`, each labelled:

- first: `schedule(state, now)` with every cache in `state.derived` empty, as on opening
  a run (the plan file's baseline included);
- schedule cold: the same with the graph rebuilt (the `graph:` entries dropped), as after
  an amendment;
- schedule warm: the same with the cache kept, as on a tick with no amendment;
- fold: every event applied to a fresh state; what opening a run costs, never a tick;
- nx cold: the same schedule written over networkx, its DiGraph built from tonight's steps
  first (the baseline's own cold start);
- nx warm: the same on a graph built beforehand.

The networkx schedule does the engine's work, not a longest path alone: closed steps fixed
at their actual finish, running and pending steps from now (a running step at now plus what
is left of its budget), fixed starts, the forward pass, then the backward pass from the
deadline (latest finish) and every step's slack. Ratios compare like with like: cold with
cold, warm with warm.

Issue 14 found the old version of this script warming the cache and reusing it, and timing a
fold the war room never does per tick. Targets (issues 3, 14): warm, 5,000 steps under
10 ms and at least 5x networkx; cold reported beside nx cold. No timing here is a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from make_large_plan import make_large_plan  # noqa: E402

from cutover_tui.engine.events import (  # noqa: E402
    CheckpointPassed,
    Event,
    GateDecided,
    ReadinessMarked,
    RunStarted,
    StepCompleted,
    StepStarted,
)
from cutover_tui.engine.schedule import schedule  # noqa: E402
from cutover_tui.engine.state import fold  # noqa: E402
from cutover_tui.plan import parse_plan  # noqa: E402
from cutover_tui.plan.graph import baseline  # noqa: E402
from cutover_tui.plan.model import Plan  # noqa: E402


def half_done(plan: Plan) -> tuple[list[Event], object]:
    """Events for the first half of the steps (by baseline finish), and the moment after."""
    origin = plan.window.start
    base = baseline(plan.step, origin)
    commander = plan.people_with_role("commander")[0]
    events: list[Event] = [RunStarted(actor=commander, at=origin, plan_id=plan.plan.id, key="go")]
    events += [
        ReadinessMarked(actor=commander, at=origin, item=r.id, status="met", key=f"r-{r.id}")
        for r in plan.readiness
    ]
    done = sorted(plan.step, key=lambda s: base.finish[s.id])[: len(plan.step) // 2]
    for step in sorted(done, key=lambda s: base.start[s.id]):
        start, finish = base.start[step.id], base.finish[step.id]
        if step.kind == "gate":
            events += [
                GateDecided(actor=a, at=finish, step=step.id, approver=a, decision="go")
                for a in step.approvers or [commander]
            ]
            continue
        events.append(StepStarted(actor=step.owner, at=start, step=step.id))
        if step.kind == "checkpoint":
            events.append(
                CheckpointPassed(actor=step.owner, at=finish, step=step.id, evidence="ok")
            )
        else:
            events.append(StepCompleted(actor=step.owner, at=finish, step=step.id))
    now = max(base.finish[s.id] for s in done) + timedelta(minutes=1)
    events.sort(key=lambda e: e.at)
    return [e.model_copy(update={"seq": i + 1}) for i, e in enumerate(events)], now


def networkx_graph(state) -> nx.DiGraph:
    """Tonight's steps (amendments included) as a networkx DiGraph with durations."""
    graph = nx.DiGraph()
    for sid in state.order:
        step = state.steps[sid]
        graph.add_node(sid, seconds=step.duration.total_seconds(), not_before=step.not_before)
    for sid in state.order:
        for pred in state.steps[sid].after:
            if pred in graph:
                graph.add_edge(pred, sid)
    return graph


def networkx_schedule(graph: nx.DiGraph, state, now) -> dict[str, tuple[float, float]]:
    """The schedule at `now` with networkx: (finish, slack) of every step, in seconds from
    the window start; closed steps at their actuals, running ones at now + budget left."""
    origin = state.plan.window.start
    now_s = max(0.0, (now - origin).total_seconds())
    deadline = (state.plan.window.end - origin).total_seconds()
    order = list(nx.topological_sort(graph))
    nodes = graph.nodes
    finish: dict[str, float] = {}
    for node in order:
        status = state.status[node]
        seconds = nodes[node]["seconds"]
        if status.closed and status.finished_at is not None:
            finish[node] = (status.finished_at - origin).total_seconds()
            continue
        if status.status == "running" and status.started_at is not None:
            spent = now_s - (status.started_at - origin).total_seconds()
            finish[node] = now_s + max(seconds - spent, 0.0)
            continue
        start = max((finish[p] for p in graph.predecessors(node)), default=now_s)
        start = max(start, now_s)
        fixed = nodes[node]["not_before"]
        if fixed is not None:
            start = max(start, (fixed - origin).total_seconds())
        finish[node] = start + seconds
    latest: dict[str, float] = {}
    for node in reversed(order):
        latest[node] = min(
            (latest[s] - nodes[s]["seconds"] for s in graph.successors(node)), default=deadline
        )
    return {node: (finish[node], latest[node] - finish[node]) for node in order}


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(
        f"{'steps':>6} {'events':>7} {'fold ms':>8} {'first ms':>9} | "
        f"{'sched cold':>10} {'nx cold':>9} "
        f"{'x':>5} | {'sched warm':>10} {'nx warm':>9} {'x':>5} | {'cold us/step':>12}"
    )
    rows = []
    for size in args.sizes:
        plan = parse_plan(make_large_plan(size)).plan
        events, now = half_done(plan)
        state = fold(plan, events)
        graph = networkx_graph(state)
        assert len(networkx_schedule(graph, state, now)) == len(state.order)

        def cold(state=state, now=now):
            for key in [k for k in state.derived if k.startswith("graph:")]:
                del state.derived[key]  # what an amendment invalidates: the graph rebuilt
            return schedule(state, now)

        def first(state=state, now=now):
            state.derived.clear()  # on opening a run: the file's baseline too
            return schedule(state, now)

        def warm(state=state, now=now):
            return schedule(state, now)

        def nx_cold(state=state, now=now):
            return networkx_schedule(networkx_graph(state), state, now)

        def nx_warm(graph=graph, state=state, now=now):
            return networkx_schedule(graph, state, now)

        fold_s = median_time(lambda plan=plan, events=events: fold(plan, events), args.runs)
        cold_s = median_time(cold, args.runs)
        first_s = median_time(first, args.runs)
        nx_cold_s = median_time(nx_cold, args.runs)
        schedule(state, now)  # the cache built once, then kept
        warm_s = median_time(warm, args.runs)
        nx_warm_s = median_time(nx_warm, args.runs)
        per_step = cold_s / len(plan.step) * 1e6
        rows.append((len(plan.step), cold_s, warm_s, nx_cold_s, nx_warm_s))
        print(
            f"{len(plan.step):>6} {len(events):>7} {fold_s * 1000:>8.1f} "
            f"{first_s * 1000:>9.1f} | "
            f"{cold_s * 1000:>10.2f} {nx_cold_s * 1000:>9.2f} {nx_cold_s / cold_s:>5.1f} | "
            f"{warm_s * 1000:>10.2f} {nx_warm_s * 1000:>9.2f} {nx_warm_s / warm_s:>5.1f} | "
            f"{per_step:>12.2f}"
        )
    print(
        "ms, medians. x = networkx / engine (above 1: the engine is faster). cold: the\n"
        "engine's graph rebuilt (as after an amendment) / networkx's graph built, each time;\n"
        "warm: both kept. fold and first (the schedule with every cache empty, the file's\n"
        "baseline included): opening a run, never a tick."
    )
    for steps, cold_s, warm_s, nx_cold_s, nx_warm_s in rows:
        if steps == 5000:
            print(
                f"target at 5,000 steps, warm: under 10 ms ({warm_s * 1000:.2f} ms: "
                f"{'met' if warm_s < 0.010 else 'NOT met'}), at least 5x networkx warm "
                f"({nx_warm_s / warm_s:.1f}x: {'met' if nx_warm_s / warm_s >= 5 else 'NOT met'}); "
                f"cold {cold_s * 1000:.1f} ms, {nx_cold_s / cold_s:.1f}x networkx cold"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""One full recompute of the war room's answer (fold every event, then schedule), by plan size.

    python benchmarks/engine.py [--sizes 1000 5000 20000] [--runs 7]

For each size: a plan from benchmarks/make_large_plan.py with half its steps done (started
and finished at their baseline times, checkpoints passed, gates approved), `now` just after
the last of them. Timed, medians of `--runs`:
- fold: every event applied to a fresh state (what a war room does when it opens a run);
- schedule: the projection at now (what every tick does);
- total: both, one full recompute from the events (what the targets are about);
- networkx: `dag_longest_path_length` on the same graph with durations as weights, the
  baseline a hand-rolled project tool would reach for, in the same process;
- nx sched: the forward and backward passes written over networkx's graph.

The ratio to networkx is printed two ways: in steady state (each side's median over repeated
runs, its data warm in the caches) and paired (each recompute timed right after a networkx
run, the median of the ratios), which costs our short recompute its warm caches more than it
costs networkx's longer one.

Target (issue 3): 5,000 steps with history in under 10 ms, at least 5x faster than the
networkx baseline, and linear growth: the per-step cost (last column) growing from the
smallest plan to the largest no more than networkx's own linear pass does on the same graphs
(both pay the machine's memory caches on bigger graphs). The last lines say whether each is
met. No timing here is a test: nothing fails on a slow machine.
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


def networkx_graph(plan: Plan) -> nx.DiGraph:
    graph = nx.DiGraph()
    seconds = {s.id: s.duration.total_seconds() for s in plan.step}
    graph.add_nodes_from(seconds)
    for step in plan.step:
        for pred in step.after:
            graph.add_edge(pred, step.id, weight=seconds[pred])
    return graph


def networkx_schedule(graph: nx.DiGraph, seconds: dict[str, float], deadline: float) -> dict:
    """The same answer with networkx: earliest finish forward, latest finish back, slack."""
    order = list(nx.topological_sort(graph))
    finish: dict[str, float] = {}
    for node in order:
        start = max((finish[p] for p in graph.predecessors(node)), default=0.0)
        finish[node] = start + seconds[node]
    latest: dict[str, float] = {}
    for node in reversed(order):
        latest[node] = min(
            (latest[s] - seconds[s] for s in graph.successors(node)), default=deadline
        )
    return {node: latest[node] - finish[node] for node in order}


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired_ratio(ours, baseline, runs: int) -> float:
    """The median over `runs` of baseline time / our time, each pair timed back to back, so
    a noisy neighbour slowing one run slows both sides of its ratio."""
    ratios = []
    for _ in range(runs):
        mine = median_time(ours, 1)
        theirs = median_time(baseline, 1)
        ratios.append(theirs / mine)
    return statistics.median(ratios)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(
        f"{'steps':>6} {'events':>7} {'fold ms':>8} {'sched ms':>9} {'total ms':>9} "
        f"{'networkx ms':>12} {'x total':>8} {'x sched':>8} {'nx sched ms':>12} {'x total':>8} "
        f"{'µs/step':>8}"
    )
    rows = []
    for size in args.sizes:
        plan = parse_plan(make_large_plan(size)).plan
        events, now = half_done(plan)
        state = fold(plan, events)
        schedule(state, now)  # warm: the graph structure is built once per plan and cached
        graph = networkx_graph(plan)
        seconds = {s.id: s.duration.total_seconds() for s in plan.step}
        deadline = (plan.window.end - plan.window.start).total_seconds()

        def fold_only(plan=plan, events=events):
            return fold(plan, events)

        def schedule_only(state=state, now=now):
            return schedule(state, now)

        def recompute(plan=plan, events=events, now=now):
            return schedule(fold(plan, events), now)

        def nx_length(graph=graph):
            return nx.dag_longest_path_length(graph)

        def nx_schedule(graph=graph, seconds=seconds, deadline=deadline):
            return networkx_schedule(graph, seconds, deadline)

        fold_s = median_time(fold_only, args.runs)
        sched_s = median_time(schedule_only, args.runs)
        total = median_time(recompute, args.runs)
        nx_s = median_time(nx_length, args.runs)
        nx_full = median_time(nx_schedule, args.runs)
        paired = paired_ratio(recompute, nx_length, args.runs)
        per_step = total / len(plan.step) * 1e6
        rows.append((len(plan.step), total, nx_s, per_step, paired))
        print(
            f"{len(plan.step):>6} {len(events):>7} {fold_s * 1000:>8.2f} {sched_s * 1000:>9.2f} "
            f"{total * 1000:>9.2f} {nx_s * 1000:>12.2f} {nx_s / total:>8.1f} "
            f"{nx_s / sched_s:>8.1f} {nx_full * 1000:>12.2f} {nx_full / total:>8.1f} "
            f"{per_step:>8.2f}"
        )
    print(
        "total: fold + schedule, one full recompute (its own median, not the sum of the two).\n"
        "networkx: dag_longest_path_length alone; x total = networkx / total, x sched =\n"
        "networkx / schedule alone. nx sched: forward and backward passes with networkx\n"
        "(finish, latest finish, slack), no history. Both networkx figures on a graph built\n"
        "beforehand, as the engine's graph structure is."
    )
    smallest, largest = rows[0], rows[-1]
    if largest[0] > smallest[0]:
        growth = largest[3] / smallest[3]
        nx_growth = (largest[2] / largest[0]) / (smallest[2] / smallest[0])
        relative = growth / nx_growth
        print(
            f"growth: {largest[0] / smallest[0]:.0f}x the steps, {largest[1] / smallest[1]:.1f}x "
            f"the time; µs/step {smallest[3]:.2f} -> {largest[3]:.2f} ({growth:.2f}x), "
            f"networkx's {nx_growth:.2f}x on the same graphs; ours / networkx's = "
            f"{relative:.2f}: {'linear' if relative < 1.25 else 'NOT linear'}\n"
            "  (networkx's longest path is linear in steps and edges; what its cost per step\n"
            "  gains from 1k to 20k is what the memory caches add to any pure-Python pass\n"
            "  over a bigger graph on this machine, so growth is judged against it)"
        )
    for steps, total, nx_s, _, paired in rows:
        if steps == 5000:
            steady = nx_s / total
            print(
                f"target at 5,000 steps: under 10 ms ({total * 1000:.2f} ms: "
                f"{'met' if total < 0.010 else 'NOT met'}); at least 5x networkx: "
                f"{steady:.2f}x in steady state, each timed over repeated runs "
                f"({'met' if steady >= 5 else 'NOT met'}), {paired:.2f}x when each "
                f"recompute follows a networkx run, caches cold "
                f"({'met' if paired >= 5 else 'NOT met'})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

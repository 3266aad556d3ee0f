"""How early, and how honestly, each method warns of a window breach, on simulated nights.

    .venv/bin/python benchmarks/foresight.py [--set test|tune|both] [--nights N] [--jobs 2]
        [--noise uniform|lognormal|both]

Each night replays a bundled plan with true durations drawn around a hidden per-night slowness,
by one of two differently shaped noise models (`--noise`, both by default):

- uniform: S ~ uniform(0.85, 1.8) (a fast night to one 80 % slow): a step takes budget x S x
  noise, with noise log-normal (sd 0.25) and, for 4 % of steps, a snag that multiplies it by
  1.5..3;
- lognormal: S log-normal (median 1.15, log sd 0.3: one night in ten beyond 1.7, a few faster
  than planned), a step's own noise Student t with 3 degrees of freedom on log scale (scale
  0.25, clipped at 4x: heavier tails than the engine's own model) and, for 6 % of steps, a snag
  of 1.5..4 times.

Steps
start as soon as their predecessors finish (or at their fixed start); gates are decided at
the end of their duration. Nothing about this generator is known to the engine: it sees the
events, as the war room would, replayed through `fold`/`apply` every `--step` minutes (per
plan, printed), and at each tick both methods answer:

- status-date: `engine.schedule.schedule(state, now).level`;
- foresight:   `engine.foresight.foresee(state, now, forecaster).level` (default thresholds).

Reported per plan and pooled, on nights that breach (finish after the deadline): the median
minutes between each method's first "late" alarm and the deadline; on nights that do not: the
false-alarm rate (any "late" at any tick). And the Brier score of the stated P(finish in the
window) at 25, 50 and 75 % of the planned night (window start + q x the baseline length), for
foresight, for the plain forecast without tonight's pace (issue 6's Monte Carlo) and for a
constant forecast at the base rate of the nights evaluated (which knows the answer's
frequency in advance: a fair but strong baseline).

Two disjoint seed sets: `tune` (seeds 1000+) was used to choose the pace prior, the forecast's
heavy-tailed step scatter and the `late` threshold (35 % since issue 21 lead 2, chosen with
benchmarks/foresight_sweep.py on `--save`d tune nights); `test` (seeds 0+) is the held-out
set whose figures are reported. The run ends with the done-when table of issue 21
(benchmarks/foresight_table.py): every figure per (noise model, plan), PASS or FAIL. `--sweep` prints, for the chosen set, lead and false-alarm rate
for other `late` thresholds (from the recorded probabilities, no re-run); `--prior` tries other
PacePrior settings. 60 nights per plan and set take about 2 to 3 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.foresight_table import done_when_table  # noqa: E402
from cutover_tui.engine.alarm import evidence_of, grid_step  # noqa: E402
from cutover_tui.engine.events import (  # noqa: E402
    CheckpointPassed,
    GateDecided,
    RunStarted,
    StepCompleted,
    StepStarted,
)
from cutover_tui.engine.forecast import Forecaster  # noqa: E402
from cutover_tui.engine.foresight import Thresholds, foresee  # noqa: E402
from cutover_tui.engine.pace import PacePrior  # noqa: E402
from cutover_tui.engine.schedule import schedule  # noqa: E402
from cutover_tui.engine.state import apply, fold, initial_state  # noqa: E402
from cutover_tui.plan import load_plan  # noqa: E402
from cutover_tui.plan.graph import baseline, topological_order  # noqa: E402
from cutover_tui.rehearse.reliability import reliability, table_lines  # noqa: E402

PLANS = {  # plan file: replay step in minutes (the ERP move spans 48 hours)
    "online-store": 1,
    "logistics-dispatch": 2,
    "erp-datacentre": 10,
}
SLOW_RANGE = (0.85, 1.8)
STEP_NOISE = 0.25
SNAG_RATE, SNAG_RANGE = 0.04, (1.5, 3.0)
CHECKPOINTS = (0.25, 0.5, 0.75)
SEEDS = {"test": 0, "tune": 1000}
# The second noise model: log-normal night slowness, heavier step tails (issue 21).
LOGN_MEDIAN, LOGN_SD = 1.15, 0.3
TAIL_DF, TAIL_SCALE = 3.0, 0.25
LOGN_SNAG_RATE, LOGN_SNAG_RANGE = 0.06, (1.5, 4.0)
NOISES = ("uniform", "lognormal")


@dataclass
class Night:
    plan: str
    noise: str
    seed: int
    slowness: float
    finish: float  # minutes after the window start
    deadline: float
    breached: bool
    first_late: dict[str, float | None]  # method -> minutes after start
    first_risk: dict[str, float | None]
    ticks: np.ndarray  # minutes
    p_in: np.ndarray  # foresight's P(in window) at each tick
    p_buffer: np.ndarray
    ev_steps: np.ndarray  # finished steps behind the pace at each tick (the alarm's evidence)
    ev_work: np.ndarray  # share of the budgeted work they are
    grid: float  # the alarm grid in minutes (engine.alarm.grid_step)
    buffer_counts: bool
    checkpoints: dict[float, tuple[float, float]]  # q -> (foresight P, plain forecast P)
    calls: int
    seconds: float  # spent in foresee


def simulate_events(plan, seed: int, plan_index: int, noise_model: str = "uniform"):
    """A night's events and its hidden slowness, from the seed (and the noise model) alone."""
    slowness, state, order, begin, end = draw_night(plan, seed, plan_index, noise_model)
    return slowness, night_events(plan, state, order, begin, end), max(end.values())


def step_noise(rng: np.random.Generator, noise_model: str) -> float:
    """One step's own noise (its duration over budget x slowness) under the noise model."""
    if noise_model == "uniform":
        noise = float(np.exp(rng.normal(0.0, STEP_NOISE)))
        if rng.random() < SNAG_RATE:
            noise *= float(rng.uniform(*SNAG_RANGE))
        return noise
    noise = float(np.exp(np.clip(TAIL_SCALE * rng.standard_t(TAIL_DF), -1.39, 1.39)))
    if rng.random() < LOGN_SNAG_RATE:
        noise *= float(rng.uniform(*LOGN_SNAG_RANGE))
    return noise


def noise_matrix(rng: np.random.Generator, noise_model: str, shape: tuple[int, ...]):
    """Many draws of `step_noise` at once (the pace oracle's Monte Carlo)."""
    if noise_model == "uniform":
        noise = np.exp(rng.normal(0.0, STEP_NOISE, shape))
        snag = rng.random(shape) < SNAG_RATE
        return np.where(snag, noise * rng.uniform(*SNAG_RANGE, shape), noise)
    noise = np.exp(np.clip(TAIL_SCALE * rng.standard_t(TAIL_DF, shape), -1.39, 1.39))
    snag = rng.random(shape) < LOGN_SNAG_RATE
    return np.where(snag, noise * rng.uniform(*LOGN_SNAG_RANGE, shape), noise)


def draw_night(plan, seed: int, plan_index: int, noise_model: str = "uniform"):
    """The hidden slowness and every step's true begin and end (the pace oracle reads them)."""
    model = NOISES.index(noise_model)
    rng = np.random.default_rng([plan_index, seed] if model == 0 else [plan_index, seed, model])
    if noise_model == "uniform":
        slowness = float(rng.uniform(*SLOW_RANGE))
    else:
        slowness = float(LOGN_MEDIAN * np.exp(rng.normal(0.0, LOGN_SD)))
    state = fold(plan, [])
    steps = state.steps
    order = topological_order({sid: steps[sid].after for sid in state.order})
    start0 = plan.window.start
    begin: dict[str, datetime] = {}
    end: dict[str, datetime] = {}
    for sid in order:
        step = steps[sid]
        at = max([start0, *(end[p] for p in step.after)])
        if step.not_before is not None and step.not_before > at:
            at = step.not_before
        noise = step_noise(rng, noise_model)
        begin[sid] = at
        end[sid] = at + step.duration * (slowness * noise)
    return slowness, state, order, begin, end


def night_events(plan, state, order, begin, end) -> list:
    """The journal's events of a drawn night, in time order."""
    steps = state.steps
    start0 = plan.window.start
    commander = (plan.people_with_role("commander") or [next(iter(plan.people))])[0]
    events = [RunStarted(actor=commander, at=start0, plan_id=plan.plan.id)]
    for sid in order:
        step = steps[sid]
        if step.kind == "gate":
            for approver in step.approvers or [commander]:
                events.append(
                    GateDecided(
                        actor=approver, at=end[sid], step=sid, approver=approver, decision="go"
                    )
                )
            continue
        events.append(StepStarted(actor=commander, at=begin[sid], step=sid))
        done = CheckpointPassed if step.kind == "checkpoint" else StepCompleted
        events.append(done(actor=commander, at=end[sid], step=sid))
    events.sort(key=lambda e: e.at)
    return events


def night_options(parser: argparse.ArgumentParser) -> None:
    """The options of the scripts that replay these nights another way
    (foresight_pace_oracle.py, foresight_pinned.py): seed set, nights, draws, workers, plans,
    noise models; `night_jobs` lists the nights they name."""
    parser.add_argument("--set", choices=list(SEEDS), default="tune")
    parser.add_argument("--nights", type=int, default=24)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--plans", nargs="*", default=list(PLANS))
    parser.add_argument("--noise", nargs="*", default=list(NOISES))


def night_jobs(args: argparse.Namespace) -> list[tuple[str, int, str]]:
    """(plan, seed, noise model) of every night `night_options` name, noise model by noise
    model, then plan by plan."""
    base = SEEDS[args.set]
    return [
        (name, base + i, noise)
        for noise in args.noise
        for name in args.plans
        for i in range(args.nights)
    ]


_PLANS: dict[str, object] = {}


def _plan(name: str):
    if name not in _PLANS:
        _PLANS[name] = load_plan(ROOT / "plans" / f"{name}.toml").plan
    return _PLANS[name]


def replay(job: tuple[str, int, int, int, dict, str]) -> Night:
    name, seed, step_minutes, iterations, prior_args, noise_model = job
    prior = PacePrior(**prior_args)
    plan = _plan(name)
    index = list(PLANS).index(name)
    slowness, events, finish_at = simulate_events(plan, seed, index, noise_model)
    window = plan.window
    t0 = window.start
    minute = timedelta(minutes=1)
    deadline = (window.end - t0) / minute
    finish = (finish_at - t0) / minute
    planned = (baseline(plan.step, t0).end - t0) / minute
    checkpoints = {q: q * planned for q in CHECKPOINTS}
    last = max(finish, deadline) + step_minutes
    ticks = sorted(set(np.arange(0.0, last, step_minutes).tolist()) | set(checkpoints.values()))
    state = initial_state(plan)
    forecaster = Forecaster(iterations=iterations, seed=seed)
    plain = Forecaster(iterations=iterations, seed=seed)
    first_late: dict[str, float | None] = {"status-date": None, "foresight": None}
    first_risk: dict[str, float | None] = {"status-date": None, "foresight": None}
    p_in, p_buffer, seen, ev_steps, ev_work = [], [], [], [], []
    at_checkpoint: dict[float, tuple[float, float]] = {}
    spent = 0.0
    counts = True
    k = 0
    for tick in ticks:
        now = t0 + timedelta(minutes=tick)
        while k < len(events) and events[k].at <= now:
            apply(state, events[k])
            k += 1
        began = time.perf_counter()
        sight = foresee(state, now, forecaster, prior)
        spent += time.perf_counter() - began
        counts = sight.buffer_counts
        levels = {"status-date": schedule(state, now).level, "foresight": sight.level}
        for method, level in levels.items():
            if level == "late" and first_late[method] is None:
                first_late[method] = tick
            if level != "on-track" and first_risk[method] is None:
                first_risk[method] = tick
        seen.append(tick)
        p_in.append(sight.p_in_window)
        p_buffer.append(sight.p_in_buffer)
        evidence = evidence_of(state, sight.pace)
        ev_steps.append(evidence.steps)
        ev_work.append(evidence.work)
        for q, at in checkpoints.items():
            if at == tick:
                at_checkpoint[q] = (sight.p_in_window, plain.forecast(state, now).p_in_window)
        if tick > finish:
            break
    return Night(
        plan=name,
        noise=noise_model,
        seed=seed,
        slowness=slowness,
        finish=finish,
        deadline=deadline,
        breached=finish > deadline,
        first_late=first_late,
        first_risk=first_risk,
        ticks=np.array(seen),
        p_in=np.array(p_in),
        p_buffer=np.array(p_buffer),
        ev_steps=np.array(ev_steps),
        ev_work=np.array(ev_work),
        grid=grid_step(state) / minute,
        buffer_counts=counts,
        checkpoints=at_checkpoint,
        calls=len(seen),
        seconds=spent,
    )


def lead(night: Night, method: str) -> float:
    first = night.first_late[method]
    return night.deadline - (first if first is not None else night.finish)


def summarise(label: str, nights: list[Night]) -> list[str]:
    out = []
    breached = [n for n in nights if n.breached]
    kept = [n for n in nights if not n.breached]
    out.append(
        f"{label}: {len(nights)} nights, {len(breached)} breach the window, {len(kept)} do not"
    )
    leads = {}
    for method in ("status-date", "foresight"):
        values = [lead(n, method) for n in breached]
        leads[method] = statistics.median(values) if values else float("nan")
        false = sum(1 for n in kept if n.first_late[method] is not None)
        rate = false / len(kept) if kept else float("nan")
        out.append(
            f"  {method:12s} first 'late' a median {leads[method]:6.0f} min before the deadline"
            f" on breached nights;  false alarms {false}/{len(kept)} = {rate:5.1%}"
        )
    if breached and leads["status-date"] > 0:
        out.append(
            f"  lead ratio   foresight / status-date = {leads['foresight'] / leads['status-date']:.2f}"
        )
    base = len(breached) / len(nights) if nights else 0.0
    for q in CHECKPOINTS:
        have = [n for n in nights if q in n.checkpoints]
        outcome = np.array([0.0 if n.breached else 1.0 for n in have])
        ours = np.array([n.checkpoints[q][0] for n in have])
        plain = np.array([n.checkpoints[q][1] for n in have])
        out.append(
            f"  Brier at {q:.0%} of the planned night: foresight {np.mean((ours - outcome) ** 2):.3f}"
            f"   forecast without pace {np.mean((plain - outcome) ** 2):.3f}"
            f"   constant {1 - base:.2f} {np.mean(((1 - base) - outcome) ** 2):.3f}"
        )
    return out


def sweep(nights: list[Night]) -> list[str]:
    out = ["  sweep of the 'late' threshold (P(in window) below it), from the recorded odds:"]
    breached = [n for n in nights if n.breached]
    kept = [n for n in nights if not n.breached]
    for threshold in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6):
        leads = []
        for n in breached:
            hit = np.flatnonzero(n.p_in < threshold)
            first = n.ticks[hit[0]] if len(hit) else n.finish
            leads.append(n.deadline - first)
        false = sum(1 for n in kept if np.any(n.p_in < threshold))
        status = statistics.median([lead(n, "status-date") for n in breached] or [float("nan")])
        med = statistics.median(leads) if leads else float("nan")
        out.append(
            f"    late below {threshold:.0%}: lead {med:6.0f} min ({med / status:.2f}x status-date),"
            f" false alarms {false}/{len(kept)} = {false / max(1, len(kept)):5.1%}"
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["test", "tune", "both"], default="test")
    parser.add_argument("--nights", type=int, default=60, help="per plan and seed set")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--plans", nargs="*", default=list(PLANS))
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--noise", choices=[*NOISES, "both"], default="both")
    parser.add_argument(
        "--save", metavar="FILE", help="keep the nights (pickle) for benchmarks/foresight_sweep.py"
    )
    parser.add_argument(
        "--prior",
        default="",
        help="PacePrior fields to try instead of the defaults, as spread=0.25,step_noise=0.3",
    )
    args = parser.parse_args()

    sets = ["tune", "test"] if args.set == "both" else [args.set]
    prior_args = {
        key: float(value)
        for key, value in (pair.split("=") for pair in args.prior.split(",") if pair)
    }
    prior = PacePrior(**prior_args)
    defaults = Thresholds()
    noises = list(NOISES) if args.noise == "both" else [args.noise]
    print(
        f"uniform nights: S ~ uniform{SLOW_RANGE}, step noise log-normal sd {STEP_NOISE}, "
        f"snags {SNAG_RATE:.0%} x uniform{SNAG_RANGE}"
    )
    print(
        f"lognormal nights: S log-normal median {LOGN_MEDIAN} log sd {LOGN_SD}, step noise "
        f"t{TAIL_DF:.0f} x {TAIL_SCALE} on log scale, snags {LOGN_SNAG_RATE:.0%} x "
        f"uniform{LOGN_SNAG_RANGE}"
    )
    print(
        f"{args.iterations} iterations; "
        f"late below {defaults.late_below:.0%}, at risk below {defaults.at_risk_below:.0%} "
        f"(or buffer odds below {defaults.buffer_below:.0%})"
    )
    print(
        f"pace prior: factor {prior.factor}, spread {prior.spread}, phase spread "
        f"{prior.phase_spread}, step noise {prior.step_noise}, tail {prior.tail}"
    )
    print("replay step: " + ", ".join(f"{p} every {PLANS[p]} min" for p in args.plans))
    began = time.perf_counter()
    every: dict[str, list[Night]] = {which: [] for which in sets}
    for which, noise in [(w, m) for w in sets for m in noises]:
        jobs = [
            (name, SEEDS[which] + i, PLANS[name], args.iterations, prior_args, noise)
            for name in args.plans
            for i in range(args.nights)
        ]
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            nights = list(pool.map(replay, jobs, chunksize=2))
        every[which] += nights
        calls = sum(n.calls for n in nights)
        cost = sum(n.seconds for n in nights)
        seeds = f"seeds {SEEDS[which]}..{SEEDS[which] + args.nights - 1}"
        print(f"\n== {which} set ({seeds}), {noise} nights ==")
        for name in args.plans:
            mine = [n for n in nights if n.plan == name]
            print("\n".join(summarise(name, mine)))
            if args.sweep:
                print("\n".join(sweep(mine)))
        print("\n".join(summarise("all plans", nights)))
        if args.sweep:
            print("\n".join(sweep(nights)))
        stated = [(n.checkpoints[q][0], not n.breached) for n in nights for q in n.checkpoints]
        print("  reliability of the stated P(in window) at 25, 50 and 75 % of the night:")
        print("\n".join(table_lines(reliability(stated), indent="    ")))
        print(f"  foresee: {calls} calls, {cost / calls * 1000:.1f} ms per call on average")
    for which in sets:
        print(f"\n== done when (issue 21), {which} set, {args.nights} nights a plan ==")
        print("\n".join(done_when_table(every[which], args.plans)))
    if args.save:
        with open(args.save, "wb") as out:
            pickle.dump({w: [asdict(n) for n in every[w]] for w in sets}, out)
    print(f"\ntotal {time.perf_counter() - began:.0f} s with {args.jobs} worker(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

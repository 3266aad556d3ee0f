"""The alarm a pace oracle raises: is a failing cell out of reach, or is it our estimator?

    .venv/bin/python benchmarks/foresight_pace_oracle.py [--set tune|test] [--nights 24]
        [--iterations 200] [--jobs 2] [--ours FILE] [--sweep] [--noise uniform lognormal]

benchmarks/foresight.py judges the war room's odds and LATE on simulated nights. Where a cell
fails (lead under 3x the status-date method's, false alarms over 5 %), either no forecaster
could do better with what the night shows, or our pace estimate is the gap. This script
answers with a bound: an oracle that knows each night's hidden slowness S and the
generator's own step model (its step noise and snags, `foresight.noise_matrix`), and states
P(finish in the window) at every replay tick by a Monte Carlo of `--iterations` draws of the
rest of the night: finished steps at their actual times, running steps drawn from the
generator conditional on the time they have already run, pending steps from the generator
with S pinned. Its odds are the best any forecaster can state (it knows more than the night
shows: S); the generator's nights do not drift, so its drift is none.

The same ticks, the same checkpoints (25, 50, 75 % of the planned night), the same evidence
floor (finished steps and share of the budgeted work) and the engine's own alarm state
machine (engine.alarm.replay, through benchmarks/foresight_sweep.first_late: line 35 %,
spell of 4 grid points, 10 point margin) turn its odds into a first LATE; the status-date
method's first LATE is the engine's (`engine.schedule`). It prints issue 21's done-when table
for the oracle, and beside it ours from `--ours FILE` (a `foresight.py --save` of the same
set and nights). `--sweep` re-judges the oracle's odds under other alarm settings (line,
spell, margin), all of them still consequences of the stated odds.
"""

from __future__ import annotations

import argparse
import itertools
import pickle
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import foresight  # noqa: E402
from benchmarks.foresight_sweep import first_late, rejudged  # noqa: E402
from benchmarks.foresight_table import done_when_table, judge  # noqa: E402
from cutover_tui.engine import alarm  # noqa: E402
from cutover_tui.engine.schedule import schedule  # noqa: E402
from cutover_tui.engine.state import apply, initial_state  # noqa: E402
from cutover_tui.plan.graph import baseline  # noqa: E402

MINUTE = timedelta(minutes=1)
LINE = foresight.Thresholds().late_below  # the shipped LATE line (35 %)
POOL = 40_000  # draws of one step's noise, sorted: the conditional draws of running steps


class Night(SimpleNamespace):
    """The figures of one night as benchmarks/foresight_table.py reads them."""


def conditional(pool: np.ndarray, at_least: float, u: np.ndarray) -> np.ndarray:
    """Draws of the noise given it is at least `at_least` (u uniform), by the pool's tail."""
    lo = int(np.searchsorted(pool, at_least))
    if lo >= len(pool):
        return np.full(len(u), max(at_least, float(pool[-1])))
    return pool[lo + np.minimum((u * (len(pool) - lo)).astype(int), len(pool) - lo - 1)]


class Truth:
    """One drawn night as the oracle sees it: S, and each step's true begin and end (min)."""

    def __init__(self, name: str, seed: int, noise: str, iterations: int) -> None:
        plan = self.plan = foresight._plan(name)
        index = list(foresight.PLANS).index(name)
        s, state, order, begin, end = foresight.draw_night(plan, seed, index, noise)
        t0 = plan.window.start
        self.slowness, self.order, self.state = s, order, state
        self.events = foresight.night_events(plan, state, order, begin, end)
        row = {sid: i for i, sid in enumerate(order)}
        steps = state.steps
        self.budget = np.array([steps[sid].duration / MINUTE for sid in order])
        self.preds = [[row[p] for p in steps[sid].after] for sid in order]
        self.not_before = np.array(
            [
                (steps[sid].not_before - t0) / MINUTE if steps[sid].not_before else 0.0
                for sid in order
            ]
        )
        self.begin = np.array([(begin[sid] - t0) / MINUTE for sid in order])
        self.end = np.array([(end[sid] - t0) / MINUTE for sid in order])
        self.timed = np.array(
            [steps[sid].kind != "gate" and steps[sid].duration > timedelta(0) for sid in order]
        )
        self.deadline = (plan.window.end - t0) / MINUTE
        self.finish = float(self.end.max())
        rng = np.random.default_rng([index, seed, 77])  # the oracle's own draws, fixed per night
        self.draws = foresight.noise_matrix(rng, noise, (len(order), iterations))
        self.u = rng.random((len(order), iterations))
        self.pool = np.sort(foresight.noise_matrix(rng, noise, (POOL,)))

    def p_in(self, now: float) -> float:
        """P(finish by the deadline | S, the night as it stands at `now`)."""
        return float(np.mean(self.step_ends(now).max(axis=0) <= self.deadline))

    def step_ends(self, now: float) -> np.ndarray:
        """Each step's end (minutes) in each iteration, given S and the night at `now`."""
        iterations = self.draws.shape[1]
        ends = np.empty((len(self.order), iterations))
        scale = self.budget * self.slowness
        for i in range(len(self.order)):
            if self.end[i] <= now:
                ends[i] = self.end[i]
            elif self.begin[i] <= now:
                spent = (now - self.begin[i]) / scale[i] if scale[i] > 0 else 0.0
                ends[i] = self.begin[i] + scale[i] * conditional(self.pool, spent, self.u[i])
            else:
                start = np.full(iterations, max(0.0, self.not_before[i]))
                for p in self.preds[i]:
                    np.maximum(start, ends[p], out=start)
                ends[i] = start + scale[i] * self.draws[i]
        return ends

    def evidence(self, now: float) -> tuple[int, float]:
        """Finished timed steps and their share of the budgeted work (the alarm's floor)."""
        done = self.timed & (self.end <= now)
        return int(done.sum()), float(self.budget[done].sum() / self.budget.sum())


def oracle_night(job: tuple[str, int, str, int]) -> Night:
    """The oracle's odds at every replay tick of one night, and the status-date's first LATE."""
    name, seed, noise, iterations = job
    truth = Truth(name, seed, noise, iterations)
    plan, step = truth.plan, foresight.PLANS[name]
    t0 = plan.window.start
    planned = (baseline(plan.step, t0).end - t0) / MINUTE
    checkpoints = {q: q * planned for q in foresight.CHECKPOINTS}
    last = max(truth.finish, truth.deadline) + step
    ticks = sorted(set(np.arange(0.0, last, step).tolist()) | set(checkpoints.values()))
    state = initial_state(plan)
    events, k = truth.events, 0
    seen, p_in, ev_steps, ev_work, at_checkpoint = [], [], [], [], {}
    status_late = None
    for tick in ticks:
        now = t0 + timedelta(minutes=tick)
        while k < len(events) and events[k].at <= now:
            apply(state, events[k])
            k += 1
        if status_late is None and schedule(state, now).level == "late":
            status_late = tick
        p = truth.p_in(tick)
        steps, work = truth.evidence(tick)
        seen.append(tick)
        p_in.append(p)
        ev_steps.append(steps)
        ev_work.append(work)
        for q, at in checkpoints.items():
            if at == tick:
                at_checkpoint[q] = (p, p)
        if tick > truth.finish:
            break
    night = Night(
        plan=name,
        noise=noise,
        seed=seed,
        slowness=truth.slowness,
        finish=truth.finish,
        deadline=truth.deadline,
        breached=truth.finish > truth.deadline,
        ticks=np.array(seen),
        p_in=np.array(p_in),
        ev_steps=np.array(ev_steps),
        ev_work=np.array(ev_work),
        grid=alarm.grid_step(state) / MINUTE,
        checkpoints=at_checkpoint,
    )
    late = first_late(night, LINE, alarm.SPELL_POINTS, alarm.MIN_STEPS, alarm.MIN_WORK)
    night.first_late = {"status-date": status_late, "foresight": late}
    return night


SWEEP = {  # the alarm's settings tried on the oracle's odds: line, spell, margin, work floor
    "late": (0.1, 0.2, 0.35, 0.5),
    "spell": (1, 2, 4, 8),
    "margin": (alarm.MARGIN,),  # the margin only clears a LATE: the first one never moves
    "work": (0.0, alarm.MIN_WORK),
}


def sweep_lines(nights: list[Night], plans: list[str]) -> list[str]:
    """Lead and false alarms per (noise, plan) under each alarm setting, one line each."""
    out = ["\nthe oracle's odds under other alarm settings (lead >= 3x, false <= 5 %):"]
    rows = [(noise, plan) for noise in foresight.NOISES for plan in plans]
    out.append(f"{'line spell margin work':24}" + "".join(f"{n[:4]} {p[:9]:>9} " for n, p in rows))
    for late, spell, margin, work in itertools.product(*SWEEP.values()):
        setting = (late, spell, alarm.MIN_STEPS, work, margin)
        first = rejudged(setting)
        cells = []
        for noise, plan in rows:
            mine = [n for n in nights if n.noise == noise and n.plan == plan]
            cells_, _ok = judge(mine, first) if mine else (["-", "-"], False)
            lead, false = cells_[0].split()[0], cells_[1].split()[0]
            mark = "*" if "PASS" in cells_[0] and "PASS" in cells_[1] else " "
            cells.append(f"{lead:>6}/{false:>6}{mark}")
        label = f"{late:4.0%} {spell:5d} {margin:6.0%} {work:4.0%}"
        out.append(f"{label:24}" + " ".join(cells))
    out.append("(lead ratio / false-alarm rate; * both pass)")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    foresight.night_options(parser)
    parser.add_argument("--ours", metavar="FILE", help="a foresight.py --save of the same nights")
    parser.add_argument("--sweep", action="store_true", help="other lines, spells, margins")
    parser.add_argument("--save", metavar="FILE", help="keep the oracle's nights (pickle)")
    args = parser.parse_args()
    base = foresight.SEEDS[args.set]
    jobs = [
        (name, seed, noise, args.iterations) for name, seed, noise in foresight.night_jobs(args)
    ]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        nights = list(pool.map(oracle_night, jobs, chunksize=2))
    print(
        f"pace oracle (S and the generator's step model known, {args.iterations} draws), "
        f"{args.set} set, seeds {base}..{base + args.nights - 1}, alarm as shipped "
        f"(line {LINE * 100:.0f} %, spell {alarm.SPELL_POINTS}, {alarm.MIN_STEPS} steps, "
        f"{alarm.MIN_WORK:.0%} work, margin {alarm.MARGIN:.0%})"
    )
    print("\n".join(done_when_table(nights, args.plans)))
    if args.ours:
        with open(args.ours, "rb") as f:
            ours = [Night(**n) for n in pickle.load(f)[args.set]]
        keys = {(n.plan, n.noise, n.seed) for n in nights}
        ours = [n for n in ours if (n.plan, n.noise, n.seed) in keys]
        print(f"\nours on the same nights ({args.ours}):")
        print("\n".join(done_when_table(ours, args.plans)))
    if args.sweep:
        print("\n".join(sweep_lines(nights, args.plans)))
    if args.save:
        with open(args.save, "wb") as out:
            pickle.dump({args.set: [vars(n) for n in nights]}, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The engine's answers for `cutover do`'s step actions (journal/do_moves.py), at 320, 5,000
and 20,000 steps, beside the fold of the same run measured in the same process.

    .venv/bin/python benchmarks/do_moves.py [--sizes 320,5000,20000] [--runs 3]

Each plan is benchmarks/make_large_plan.py's at that size (the 320-step one is
plans/erp-datacentre.toml). The run: started by the commander, every readiness item met,
and the first half of the steps closed in file order, so a wide frontier is open. Printed: the
median CPU seconds of `take_moves` for the commander (every action asked of every step of
the frontier, at most MAX_ASKED, with a trial fold per accepted target), of the fold of the
run's events (`fold`, the baseline: what any full `cutover do` and the refresh pay to know
the state), the ratio, the targets kept and the size of the facts' JSON. This is the work
the background refresh does after each command (cli/facts_refresh.py): off the command's
time, but on the host's CPU. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cutover_tui.engine.events import (  # noqa: E402
    CheckpointPassed,
    GateDecided,
    ReadinessMarked,
    RunStarted,
    StepCompleted,
    StepStarted,
)
from cutover_tui.engine.fold import fold  # noqa: E402
from cutover_tui.journal.do_moves import take_moves  # noqa: E402
from cutover_tui.plan import parse_plan  # noqa: E402


def plan_text(steps: int) -> str:
    if steps == 320:
        return (ROOT / "plans" / "erp-datacentre.toml").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "plan.toml"
        maker = [sys.executable, str(ROOT / "benchmarks" / "make_large_plan.py")]
        subprocess.run([*maker, "--steps", str(steps), "--out", str(out)], check=True)
        return out.read_text(encoding="utf-8")


def events_of(plan, now: datetime) -> list:
    """The run's events: started, readiness met, then the first half of the plan's steps
    closed in file order (a task started and completed, a checkpoint passed, a gate's
    approvers' go), so that a wide frontier of steps is open mid-run."""
    boss = plan.people_with_role("commander")[0]
    base = {"actor": boss, "at": now}
    out = [RunStarted(**base, plan_id=plan.plan.id)]
    out += [ReadinessMarked(**base, item=r.id, status="met") for r in plan.readiness]
    for step in plan.steps[: len(plan.steps) // 2]:
        if step.kind == "checkpoint":
            out.append(CheckpointPassed(**base, step=step.id, evidence="ok"))
        elif step.kind == "gate":
            for approver in step.approvers or [boss]:
                out.append(GateDecided(**base, step=step.id, approver=approver, decision="go"))
        else:
            out += [StepStarted(**base, step=step.id), StepCompleted(**base, step=step.id)]
    return [e.model_copy(update={"seq": n + 1, "key": f"k{n}"}) for n, e in enumerate(out)]


def measured(plan, events: list, boss: str, runs: int) -> tuple[float, float, dict]:
    """Median CPU seconds of the fold and of take_moves, and the moves."""
    folds, takes = [], []
    for _ in range(runs):
        began = time.process_time()
        state = fold(plan, events)
        folds.append(time.process_time() - began)
        began = time.process_time()
        moves = take_moves(state, boss, datetime.now(UTC))
        takes.append(time.process_time() - began)
    return statistics.median(folds), statistics.median(takes), moves


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="320,5000,20000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'steps':>7} {'fold s':>8} {'moves s':>8} {'ratio':>6} {'targets':>8} {'JSON kB':>8}")
    for steps in [int(n) for n in args.sizes.split(",")]:
        plan = parse_plan(plan_text(steps), name=f"{steps}.toml").plan
        now = datetime.now(UTC) - timedelta(minutes=5)
        events = events_of(plan, now)
        boss = plan.people_with_role("commander")[0]
        base, took, moves = measured(plan, events, boss, args.runs)
        kept = sum(len(s["targets"]) for a in moves.values() for s in a["shapes"].values())
        size = len(json.dumps(moves, separators=(",", ":"))) / 1000
        print(
            f"{len(plan.steps):>7} {base:8.3f} {took:8.3f} {took / base:6.1f} {kept:>8} {size:8.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

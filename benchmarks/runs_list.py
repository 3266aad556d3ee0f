"""`cutover runs` on a folder of 200 runs, beside the listing as it was before the index.

    .venv/bin/python benchmarks/runs_list.py [--runs 200] [--steps 300] [--distinct 5]

Builds `--distinct` rehearsal runs of a `--steps`-step plan (each step started and completed:
2 x steps + 1 events), then copies them until the folder holds `--runs` files (a copy is a
whole run file, chain and seal intact). Then, each the median of 3:

  cutover runs         a fresh process, the real command (index rows, chains walked, guard)
  listed(judge=True)   the same listing in this process
  fold + guard         the listing before the index: every stored plan parsed and every log
                       folded, then the guard (store.list_all_runs + trust.guard), the baseline
  meta + count         every file's meta and event count read, nothing more: the floor

The fresh process may write bytecode and runs once unmeasured first, as an install runs it
(PYTHONDONTWRITEBYTECODE would have it compile every module on every start).

Prints seconds and the ratio of each to the baseline; asserts nothing. Target (issue 14):
`cutover runs` on 200 runs under 1 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cutover_tui.engine.events import RunStarted, StepCompleted, StepStarted  # noqa: E402
from cutover_tui.journal.identity import os_login  # noqa: E402
from cutover_tui.journal.listing import listed  # noqa: E402
from cutover_tui.journal.store import Journal, list_all_runs  # noqa: E402
from cutover_tui.journal.trust import guard  # noqa: E402
from cutover_tui.plan import parse_plan  # noqa: E402


def plan_text(steps: int, start: datetime) -> str:
    head = f"""format = 1
[plan]
id = "bench"
title = "Runs listing benchmark"
timezone = "UTC"
[window]
start = {start:%Y-%m-%dT%H:%M:%S}
end = {start + timedelta(hours=12):%Y-%m-%dT%H:%M:%S}
buffer = "10%"
[people.boss]
name = "The Boss"
user = "{os_login()}"
roles = ["commander"]
"""
    body = "".join(
        f'\n[[step]]\nid = "s{i}"\ntitle = "Step {i}"\nowner = "boss"\nduration = "2m"\n'
        + (f'after = ["s{i - 1}"]\n' if i % 10 else "")
        for i in range(steps)
    )
    return head + body


def build_run(directory: Path, steps: int) -> Path:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    loaded = parse_plan(plan_text(steps, start.replace(tzinfo=None)), name="bench.toml")
    journal = Journal.create(directory, loaded, rehearsal=True, created_by=os_login())
    journal.append(RunStarted(actor="boss", at=start, plan_id="bench", key="go"))
    for i in range(steps):
        moment = start + timedelta(seconds=20 * i)
        journal.append(StepStarted(actor="boss", at=moment, step=f"s{i}", key=f"a{i}"))
        done = moment + timedelta(seconds=10)
        journal.append(StepCompleted(actor="boss", at=done, step=f"s{i}", key=f"b{i}"))
    journal.close()
    return journal.path


def folder(runs: int, steps: int, distinct: int) -> Path:
    directory = Path(tempfile.mkdtemp(prefix="cutover-runs-"))
    made = [build_run(directory, steps) for _ in range(distinct)]
    for n in range(runs - distinct):
        source = made[n % distinct]
        shutil.copyfile(source, directory / f"{source.stem}-copy{n:03d}.db")
    return directory


def before_the_index(directory: Path) -> int:
    """The listing as `cutover runs` made it before the index: fold, then guard each run."""
    distrusted = []

    def judge(journal: Journal, info) -> None:
        if info.phase != "damaged" and guard(journal, remember=False) is not None:
            distrusted.append(info.path)

    return len(list_all_runs(directory, judge))


def meta_and_count(directory: Path) -> int:
    total = 0
    for path in sorted(directory.glob("*.db")):
        db = sqlite3.connect(path)
        dict(db.execute("SELECT key, value FROM meta"))
        total += db.execute("SELECT count(*) FROM events").fetchone()[0]
        db.close()
    return total


def child(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall s, CPU s) of one fresh process, from its own rusage (os.wait4)."""
    began = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{command}: failed")
    return time.perf_counter() - began, usage.ru_utime + usage.ru_stime


def cpu(work: Callable[[], object], times: int = 3) -> float:
    """Median CPU seconds of `work` in this process (wall time counts the neighbours)."""
    samples = []
    for _ in range(times):
        began = time.process_time()
        work()
        samples.append(time.process_time() - began)
    return statistics.median(samples)


def median(work: Callable[[], object], times: int = 3) -> float:
    samples = []
    for _ in range(times):
        began = time.perf_counter()
        work()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--distinct", type=int, default=5)
    args = parser.parse_args()
    began = time.perf_counter()
    directory = folder(args.runs, args.steps, args.distinct)
    built = time.perf_counter() - began
    try:
        events = meta_and_count(directory)
        command = [sys.executable, "-m", "cutover_tui.cli", "runs", "--runs", str(directory)]
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["CUTOVER_STATE"] = str(directory / ".state")
        child(command, env)  # once unmeasured, as a user's install runs: bytecode written
        runs = [child(command, env) for _ in range(3)]
        cli_wall = statistics.median(r[0] for r in runs)
        cli_cpu = statistics.median(r[1] for r in runs)
        bare = [sys.executable, "-c", "pass"]
        python_cpu = statistics.median(child(bare, env)[1] for _ in range(3))
        indexed = cpu(lambda: listed(directory, judge=True))
        baseline = cpu(lambda: before_the_index(directory))
        floor = cpu(lambda: meta_and_count(directory))
    finally:
        shutil.rmtree(directory)
    load = os.getloadavg()[0]
    print(f"folder    {args.runs} runs ({args.distinct} built, the rest copies), {events:,} events")
    print(f"          built in {built:.1f} s; load average {load:.1f}; medians of 3, CPU seconds")
    print(
        f"cutover runs        {cli_cpu:7.3f} s  {cli_cpu / baseline:6.3f} x   "
        f"(a fresh process; wall {cli_wall:.3f} s; python -c pass: {python_cpu:.3f} s)"
    )
    print(f"listed(judge=True)  {indexed:7.3f} s  {indexed / baseline:6.3f} x   (in this process)")
    print(f"fold + guard        {baseline:7.3f} s  {1:6.3f} x   (baseline: before the index)")
    print(f"meta + count        {floor:7.3f} s  {floor / baseline:6.3f} x   (the floor)")
    print("target              cutover runs under 1 s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

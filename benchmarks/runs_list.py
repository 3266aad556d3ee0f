"""`cutover runs` on a folder of 200 runs, beside the listing as it was before the index.

    .venv/bin/python benchmarks/runs_list.py [--runs 200] [--steps 300] [--distinct 5]

Builds `--distinct` rehearsal runs of a `--steps`-step plan (each step started and completed:
2 x steps + 1 events), then copies them until the folder holds `--runs` files (a copy is a
whole run file, chain and seal intact), and waits until the folder is SETTLE_NS old (the
record keeps no file changed later than that before a listing: journal/listed_record.py).
Then, in CPU seconds:

  cutover runs cold    a fresh process, the real command, the first listing of the folder by
                       this user (no record yet: every chain walked, every guard run); the
                       median of 3, each with a state directory of its own (single samples moved
                       by up to 0.3 s from run to run on a shared machine)
  cutover runs warm    the same, the median of the next 3 (the record read, nothing walked)
  listed, no record    the listing in this process with the record off: every chain walked
                       every time (the listing before the record), median of 3
  listed cold / warm   in this process, a fresh state directory: the first, then the median
                       of the next 3
  fold + guard         the listing before the index: every stored plan parsed and every log
                       folded, then the guard (store.list_all_runs + trust.guard), the baseline
  meta + count         every file's meta and event count read, nothing more: the floor
  rehearsal search     rehearse.history.history: what opening a run (its odds' prior) and
                       `cutover status` do in this folder; it folds every rehearsal of the
                       plan (the prior needs their timings), the record does not apply
  cutover status RUN   a fresh process: opening one run of the folder as a command does
                       (guard, the rehearsal search for the prior, the odds); cold (no memo
                       of rehearsals yet), then warm (the median of the next 3)
  prior search         rehearse.prior_history.counted_summaries: the prior's rehearsals in
                       brief from this user's memo (rehearse/rehearsal_record.py); cold (a
                       fresh state directory: every rehearsal folded), then warm

Before the measured runs, the command runs once unmeasured on an empty folder, as a user's
install has run before (its bytecode written: PYTHONDONTWRITEBYTECODE would have it compile
every module on every start).

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
from cutover_tui.journal import listed_record  # noqa: E402
from cutover_tui.journal.identity import os_login  # noqa: E402
from cutover_tui.journal.listing import listed  # noqa: E402
from cutover_tui.journal.run_lookup import list_all_runs  # noqa: E402
from cutover_tui.journal.store import Journal  # noqa: E402
from cutover_tui.journal.trust import guard  # noqa: E402
from cutover_tui.plan import parse_plan  # noqa: E402
from cutover_tui.rehearse.history import history  # noqa: E402
from cutover_tui.rehearse.prior_history import counted_summaries  # noqa: E402


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


def first_listing(command: list[str], directory: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall s, CPU s) of `cutover runs` as another user's first: a state directory of its own."""
    state = tempfile.mkdtemp(prefix="cutover-bench-state-")
    try:
        return child([*command, str(directory)], {**env, "CUTOVER_STATE": state})
    finally:
        shutil.rmtree(state)


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


def settle(directory: Path) -> float:
    """Wait until no file in `directory` changed within SETTLE_NS: a folder made earlier."""
    newest = max(p.stat().st_ctime_ns for p in directory.iterdir())
    wait = (newest + listed_record.SETTLE_NS - time.time_ns()) / 1e9 + 0.05
    if wait > 0:
        time.sleep(wait)
    return max(wait, 0.0)


def in_process(directory: Path) -> tuple[float, float, float]:
    """(no record, cold, warm) CPU seconds of listed(judge=True) in this process."""
    walked_always = cpu(lambda: listed(directory, judge=True, remember=False))
    os.environ["CUTOVER_STATE"] = tempfile.mkdtemp(prefix="cutover-bench-state-")
    try:
        cold = cpu(lambda: listed(directory, judge=True), times=1)
        warm = cpu(lambda: listed(directory, judge=True))
    finally:
        shutil.rmtree(os.environ.pop("CUTOVER_STATE"))
    return walked_always, cold, warm


def prior_search(directory: Path) -> tuple[float, float]:
    """(cold, warm) CPU seconds of the prior's search in this process, a fresh state dir."""
    os.environ["CUTOVER_STATE"] = tempfile.mkdtemp(prefix="cutover-bench-state-")
    try:
        cold = cpu(lambda: counted_summaries(directory, "bench", without="none"), times=1)
        warm = cpu(lambda: counted_summaries(directory, "bench", without="none"))
    finally:
        shutil.rmtree(os.environ.pop("CUTOVER_STATE"))
    return cold, warm


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--distinct", type=int, default=5)
    args = parser.parse_args()
    began = time.perf_counter()
    directory = folder(args.runs, args.steps, args.distinct)
    built = time.perf_counter() - began
    empty = Path(tempfile.mkdtemp(prefix="cutover-runs-empty-"))
    state = Path(tempfile.mkdtemp(prefix="cutover-bench-state-"))
    try:
        waited = settle(directory)
        events = meta_and_count(directory)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["CUTOVER_STATE"] = str(state)
        command = [sys.executable, "-m", "cutover_tui.cli", "runs", "--runs"]
        child([*command, str(empty)], env)  # once unmeasured, as an install runs: bytecode
        cold = [child([*command, str(directory)], env)]  # this user's record, for warm
        cold += [first_listing(command, directory, env) for _ in range(2)]  # two more users
        cold_wall = statistics.median(r[0] for r in cold)
        cold_cpu = statistics.median(r[1] for r in cold)
        runs = [child([*command, str(directory)], env) for _ in range(3)]
        warm_wall = statistics.median(r[0] for r in runs)
        warm_cpu = statistics.median(r[1] for r in runs)
        first = min(directory.glob("*.db")).stem
        status = [sys.executable, "-m", "cutover_tui.cli", "status", first]
        status_wall, status_cpu = child([*status, "--runs", str(directory)], env)
        warm_status = [child([*status, "--runs", str(directory)], env) for _ in range(3)]
        status_warm_wall = statistics.median(r[0] for r in warm_status)
        status_warm_cpu = statistics.median(r[1] for r in warm_status)
        bare = [sys.executable, "-c", "pass"]
        python_cpu = statistics.median(child(bare, env)[1] for _ in range(3))
        walked_always, cold, warm = in_process(directory)
        baseline = cpu(lambda: before_the_index(directory))
        floor = cpu(lambda: meta_and_count(directory))
        search = cpu(lambda: history(directory, "bench", without="none"))
        prior_cold, prior_warm = prior_search(directory)
    finally:
        for path in (directory, empty, state):
            shutil.rmtree(path)
    load = os.getloadavg()[0]
    print(f"folder    {args.runs} runs ({args.distinct} built, the rest copies), {events:,} events")
    print(f"          built in {built:.1f} s, then {waited:.1f} s for it to settle; load average")
    print(f"          {load:.1f}; CPU seconds (python -c pass: {python_cpu:.3f} s)")
    print(
        f"cutover runs cold   {cold_cpu:7.3f} s  {cold_cpu / baseline:6.3f} x   "
        f"(a fresh process, the first listing, median of 3; wall {cold_wall:.3f} s)"
    )
    print(
        f"cutover runs warm   {warm_cpu:7.3f} s  {warm_cpu / baseline:6.3f} x   "
        f"(the next 3, median; wall {warm_wall:.3f} s)"
    )
    print(
        f"listed, no record   {walked_always:7.3f} s  {walked_always / baseline:6.3f} x   "
        "(in this process, every chain walked)"
    )
    print(f"listed cold         {cold:7.3f} s  {cold / baseline:6.3f} x   (in this process)")
    print(f"listed warm         {warm:7.3f} s  {warm / baseline:6.3f} x   (in this process)")
    print(f"fold + guard        {baseline:7.3f} s  {1:6.3f} x   (baseline: before the index)")
    print(f"meta + count        {floor:7.3f} s  {floor / baseline:6.3f} x   (the floor)")
    print(
        f"rehearsal search    {search:7.3f} s  {search / baseline:6.3f} x   "
        "(opening a run: every rehearsal of its plan folded)"
    )
    print(
        f"prior search cold   {prior_cold:7.3f} s  {prior_cold / baseline:6.3f} x   "
        "(the prior's rehearsals in brief, no memo yet)"
    )
    print(
        f"prior search warm   {prior_warm:7.3f} s  {prior_warm / baseline:6.3f} x   "
        "(from the memo, median of 3)"
    )
    print(
        f"cutover status RUN  {status_cpu:7.3f} s  {status_cpu / baseline:6.3f} x   "
        f"(a fresh process: opening a run, cold; wall {status_wall:.3f} s)"
    )
    print(
        f"  ... warm          {status_warm_cpu:7.3f} s  {status_warm_cpu / baseline:6.3f} x   "
        f"(the next 3, median; wall {status_warm_wall:.3f} s)"
    )
    print("target              cutover runs under 1 s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

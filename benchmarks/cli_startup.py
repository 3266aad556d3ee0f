"""CLI start-up: `cutover do` on a 320-step run beside a bare Python that loads the plan.

    .venv/bin/python benchmarks/cli_startup.py [--runs 7]

A rehearsal of plans/erp-datacentre.toml (320 steps; this OS user made its commander) is
started in a temporary runs directory. Each command then runs in a fresh process, `--runs`
times, in rounds (every command once a round); printed: the median wall and CPU seconds (the child's own rusage, os.wait4) and the
CPU ratio to the baseline, `python -c 'import tomllib; tomllib.loads(open(PLAN).read())'`,
measured in the same run. CPU travels better than wall time on a shared machine.

As a user's install runs them: the children may write bytecode (PYTHONDONTWRITEBYTECODE, set
in some shells, would have every start compile every cutover module from source: about a
third of the import time), and each command runs once unmeasured first (bytecode written,
this user's plan cache filled, journal/plan_cache.py, and the facts a plain note's fast
path needs kept, journal/do_facts.py). `cutover do note` is that fast path (no pydantic,
cli/do_fast.py); `cutover do, full path` the same note with a word (`--reason`) it leaves
to the full path, as any other action takes.

Target (issue 14): `cutover do` under 2x the baseline. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cutover_tui.engine.events import RunStarted  # noqa: E402
from cutover_tui.journal.identity import os_login  # noqa: E402
from cutover_tui.journal.store import Journal  # noqa: E402
from cutover_tui.plan import parse_plan  # noqa: E402

PLAN = ROOT / "plans" / "erp-datacentre.toml"


def started_run(runs: Path) -> tuple[str, Path]:
    """A rehearsal of the 320-step plan with this OS user as its commander."""
    text = PLAN.read_text(encoding="utf-8").replace('user = "mdelgado"', f'user = "{os_login()}"')
    plan_file = runs.parent / "erp.toml"
    plan_file.write_text(text, encoding="utf-8")
    loaded = parse_plan(text, name=str(plan_file))
    journal = Journal.create(runs, loaded, rehearsal=True, created_by=os_login())
    began = datetime.now(UTC) - timedelta(minutes=10)
    commander = loaded.plan.people_with_role("commander")[0]
    journal.append(RunStarted(actor=commander, at=began, plan_id=loaded.plan.plan.id, key="go"))
    journal.close()
    return journal.run_id, plan_file


def child(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    began = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{command[3:]}: failed: {proc.stderr.read().decode()}")
    return time.perf_counter() - began, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cutover-startup-"))
    runs = work / "runs"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"CUTOVER_RUNS": str(runs), "CUTOVER_STATE": str(work / "state")}
    try:
        run_id, plan_file = started_run(runs)
        python = [sys.executable]
        cli = [*python, "-m", "cutover_tui.cli"]
        notes = iter(range(10_000))
        rows = [
            (
                "python + tomllib",
                [*python, "-c", f"import tomllib; tomllib.loads(open({str(plan_file)!r}).read())"],
            ),
            ("python -c pass", [*python, "-c", "pass"]),
            ("cutover do note", None),  # the fast path (cli/do_fast.py)
            ("cutover do, full path", None),  # a word the fast path leaves to the full one
            ("cutover runs", [*cli, "runs"]),
            ("cutover status", [*cli, "status", run_id]),
            ("cutover validate -q", [*cli, "validate", "-q", str(plan_file)]),
        ]
        results = {}

        def note(label: str) -> list[str]:  # each note its own, so every run appends
            full = ["--reason", "full"] if "full" in label else []
            return [*cli, "do", run_id, "note", "--note", f"n{next(notes)}", *full]

        for label, command in rows:  # once unmeasured: bytecode written, the caches filled
            child(command or note(label), env)
        # In rounds, each command once a round: a neighbour's burst of load falls on all of
        # them alike, not on whichever command was being measured then.
        samples: dict[str, list[tuple[float, float]]] = {label: [] for label, _ in rows}
        for _ in range(args.runs):
            for label, command in rows:
                samples[label].append(child(command or note(label), env))
        for label, runs_of in samples.items():
            results[label] = tuple(statistics.median(s[i] for s in runs_of) for i in (0, 1))
    finally:
        shutil.rmtree(work)
    base = results["python + tomllib"][1]
    print(f"plan      {PLAN.relative_to(ROOT)} (320 steps); {args.runs} fresh processes each")
    print(f"          load average {os.getloadavg()[0]:.1f}; medians")
    print(f"{'':22} {'wall s':>8} {'CPU s':>8} {'CPU x':>7}")
    for label, (wall, cpu) in results.items():
        print(f"{label:22} {wall:8.3f} {cpu:8.3f} {cpu / base:7.1f}")
    print("target                cutover do under 2x python + tomllib (CPU x column)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

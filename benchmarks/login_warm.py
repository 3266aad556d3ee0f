"""A login's first `cutover do` with and without the login hook (deploy/profile.d/cutover.sh).

    setpriv --reuid=65534 --regid=65534 --init-groups \\
        --inh-caps=+dac_override,+dac_read_search --ambient-caps=+dac_override,+dac_read_search \\
        env HOME=/tmp/bench-home .venv/bin/python benchmarks/login_warm.py [--runs 5]

Root is never served: run it as another user (above). Each round is a new login as far as
the command server can tell: a state folder of its own, so no server of it listens yet
(a real new login differs from the last by its audit session instead, which is in the
server's fingerprint, cli/do_server_context.py). In each round, measured in fresh
processes against a bare Python that loads the 320-step plan with tomllib (the baseline
of benchmarks/cli_startup.py), CPU seconds (the child's rusage, plus a served child's as
its server reports it):

- `first estimate, no hook`: the login's first command the fast paths cannot take (an
  estimate) with no server yet: the full path in a fresh process (it then starts a server,
  stopped, unmeasured);
- `first estimate, hook ran`: `cutover warm --while PID` first (as the hook runs it at
  login, unmeasured), the benchmark waiting until its server listens (as a person takes a
  second or more to type), then the same estimate: served;
- `cutover warm (at login)`: the hook's own process (the server's start is not in it);
- `server start (background)`: the server it starts, until it listens, from
  benchmarks/cli_startup.py's `Servers.start_cost`;
- the idle server's resident memory, all of it and its own (RssAnon).

Target (issue 14): `cutover do` under 2x the baseline. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from cli_startup import Servers, child, server_pid, started_run  # noqa: E402

from cutover_tui.cli import do_server_place as place  # noqa: E402
from cutover_tui.cli.do_server_client import CPU_FILE  # noqa: E402


def login_env(work: Path, n: int, runs: Path) -> dict[str, str]:
    """The environment of round `n`'s login: its own state folder, so no server yet."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return env | {
        "CUTOVER_RUNS": str(runs),
        "CUTOVER_STATE": str(work / f"state-{n}"),
        "CUTOVER_DO_SERVER": "1",
        "CUTOVER_FACTS_REFRESH": "0",
        CPU_FILE: str(work / f"cpu-{n}"),
    }


def stop_servers(env: dict[str, str]) -> None:
    """The servers this round's login started, stopped and waited for."""
    folder = Path(env["CUTOVER_STATE"]) / place.FOLDER
    for sock in folder.glob("*.sock") if folder.is_dir() else []:
        pid = server_pid(sock)
        if pid is not None:
            pidfd = os.pidfd_open(pid)
            os.kill(pid, signal.SIGTERM)
            select.select([pidfd], [], [], 60)  # not our child: its pidfd says when it ends
            os.close(pidfd)


def listening(env: dict[str, str]) -> int:
    """The pid of the round's server once it listens (polled: a benchmark, not a test)."""
    folder = Path(env["CUTOVER_STATE"]) / place.FOLDER
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for sock in folder.glob("*.sock") if folder.is_dir() else []:
            if (pid := server_pid(sock)) is not None:
                return pid
        time.sleep(0.01)
    raise SystemExit("the login's server did not listen within 60 s")


def memory(pid: int) -> tuple[float, float]:
    """VmRSS and RssAnon of `pid`, in MB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return tuple(int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "RssAnon"))  # type: ignore[return-value]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if os.geteuid() == 0:
        raise SystemExit("root is never served: run it as another user (see the docstring)")
    work = Path(tempfile.mkdtemp(prefix="cutover-login-"))
    cli = [sys.executable, "-m", "cutover_tui.cli"]
    samples: dict[str, list[float]] = {}
    memories: list[tuple[float, float]] = []
    try:
        run_id, plan_file = started_run(work / "runs")
        base_cmd = [
            sys.executable,
            "-c",
            f"import tomllib; tomllib.loads(open({str(plan_file)!r}).read())",
        ]
        estimate = ["do", run_id, "estimate", "scm-p400-materials", "--reason", "b"]
        holder = subprocess.Popen(["sleep", "3600"])  # the login shell a hook holds for
        for n in range(args.runs + 1):  # round 0 unmeasured: bytecode and caches written
            env = login_env(work, n, work / "runs")
            rows = {"python + tomllib": child(base_cmd, env)[1]}
            rows["first estimate, no hook"] = child(
                [*cli, *estimate, "--duration", f"{20 + n}m"], env
            )[1]
            stop_servers(env)
            shutil.rmtree(env["CUTOVER_STATE"])
            rows["cutover warm (at login)"] = child(
                [*cli, "warm", "--while", str(holder.pid)], env
            )[1]
            pid = listening(env)
            memories.append(memory(pid))
            rows["first estimate, hook ran"] = child(
                [*cli, *estimate, "--duration", f"{40 + n}m"], env
            )[1]
            stop_servers(env)
            rows["server start (background)"] = Servers(
                env, Path(env["CUTOVER_STATE"])
            ).start_cost()[1]
            if n:
                for label, cpu in rows.items():
                    samples.setdefault(label, []).append(cpu)
        holder.kill()
    finally:
        shutil.rmtree(work)
    base = statistics.median(samples["python + tomllib"])
    print(f"320-step run; {args.runs} logins; load average {os.getloadavg()[0]:.1f}; medians")
    print(f"{'':30} {'CPU s':>8} {'CPU x':>7}")
    for label, cpus in samples.items():
        cpu = statistics.median(cpus)
        print(f"{label:30} {cpu:8.3f} {cpu / base:7.1f}")
    rss = statistics.median(m[0] for m in memories)
    own = statistics.median(m[1] for m in memories)
    print(f"{'idle server, resident':30} {rss:7.1f} MB, of its own (RssAnon) {own:.1f} MB")
    print("target                         cutover do under 2x python + tomllib (CPU x column)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""CLI start-up: `cutover do` on a 320-step run beside a bare Python that loads the plan.

    .venv/bin/python benchmarks/cli_startup.py [--runs 7]

A rehearsal of plans/erp-datacentre.toml (320 steps; this OS user made its commander) is
started in a temporary runs directory. Each command then runs in a fresh process, `--runs`
times, in rounds (every command once a round); printed: the median wall and CPU seconds (the child's own rusage, os.wait4) and the
CPU ratio to the baseline, `python -c 'import tomllib; tomllib.loads(open(PLAN).read())'`,
measured in the same run. CPU travels better than wall time on a shared machine. The two
`floor:` rows are what the full path cannot go below: a Python that imports pydantic's
`BaseModel` and nothing else, and one that imports the full path's modules (the engine's models
and rules) without reading a run.

As a user's install runs them: the children may write bytecode (PYTHONDONTWRITEBYTECODE, set
in some shells, would have every start compile every cutover module from source: about a
third of the import time), and each command runs once unmeasured first (bytecode written,
this user's plan cache filled, journal/plan_cache.py, and the facts a plain note's fast
path needs kept, journal/do_facts.py). `cutover do note` is that fast path (no pydantic,
cli/do_fast.py); `cutover do, full path` the same note with a word (`--reason`) it leaves
to the full path. `cutover do start` and `cutover do complete` are the step actions' fast
path (cli/do_fast_moves.py) on the next task the engine finds ready (the run's readiness
items met and its first gate passed beforehand, so tasks open up); before each command the
benchmark waits, unmeasured, until the background refresh (cli/facts_refresh.py) has kept
the engine's answers at the head, as an operator's next command a few seconds later finds
them. That refresh is measured on its own: `facts refresh (background)` is the process a
fast move starts, and `moves taken (in a fork)` the part the full path's forked child runs
(the engine already loaded), timed in this process. Neither is in the commands' figures.
`war room: fresh facts after` is how long after someone else's move (an estimate) a war room's
look (cli/facts_keeper.py, once a second) has this user's facts at the head again, so that
the next step action takes the fast path: the look, a fresh refresh process, its keep.

The command server (cli/do_server.py): `served:` rows are commands handed to a server of
the full path that listens (the client tries it before the fast paths): a plain note, a
note with `--reason`, an estimate, a start and a complete with this user's facts at the
head (what the fast path would take without a server) and with the facts removed
beforehand (as after someone else's event); their CPU is the client's own plus the served
child's (the server reports it, os.wait4 there). The rows before them run with the server
off (CUTOVER_DO_SERVER=0): the fast paths, and `cutover do, full path` as the first command
with no server runs. `server start (off the command)` is the server's own start, measured
once a round as a child of this benchmark until it listens (then stopped), and
`fingerprint: code digest` the client's stat of the package's files, timed in this
process. `facts refresh, served (bg)` is the refresh a fast move hands to a server that
has come up since (cli/do_server_refresh.py): its child's CPU as the server reports it,
beside `facts refresh (background)`, the fresh process started when no server runs.

Root is never served (cli/do_server_peer.py): as root, run it as another user for the
`served:` rows, e.g. `setpriv --reuid=65534 --regid=65534 --init-groups
--inh-caps=+dac_override,+dac_read_search --ambient-caps=+dac_override,+dac_read_search
env HOME=/tmp/h .venv/bin/python benchmarks/cli_startup.py --runs 5` (the capabilities
reach a Python under /root; the server started inherits them, so it serves).

Target (issue 14): `cutover do` under 2x the baseline. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import select
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cutover_tui.cli import do_server_place as place  # noqa: E402
from cutover_tui.cli import facts_keeper  # noqa: E402
from cutover_tui.cli.do_server_client import CPU_FILE  # noqa: E402
from cutover_tui.cli.own_python import python_command  # noqa: E402
from cutover_tui.engine.events import (  # noqa: E402
    EstimateChanged,
    GateDecided,
    ReadinessMarked,
    RunStarted,
    StepCompleted,
    StepStarted,
)
from cutover_tui.journal import do_facts  # noqa: E402
from cutover_tui.journal.do_moves import with_moves  # noqa: E402
from cutover_tui.journal.identity import os_login  # noqa: E402
from cutover_tui.journal.store import Journal  # noqa: E402
from cutover_tui.plan import parse_plan  # noqa: E402

PLAN = ROOT / "plans" / "erp-datacentre.toml"


# What the full path imports before it reads the run (cli/do_commands.py and the engine's
# actions it calls): timed alone, the rest of the full path is its work on the run.
FULL_PATH_IMPORTS = (
    "import cutover_tui.cli, cutover_tui.cli.do_commands, cutover_tui.engine.actions"
)


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


def gate_passed(runs: Path, run_id: str) -> None:
    """Every readiness item met, the kick-off done and the first gate passed (each approver's
    go recorded by the commander), so the plan's tasks open up for start and complete."""
    journal = Journal(runs / f"{run_id}.db")
    plan = journal.plan
    boss = plan.people_with_role("commander")[0]
    now = datetime.now(UTC) - timedelta(minutes=9)
    base = {"actor": boss, "at": now}
    events = [ReadinessMarked(**base, item=r.id, status="met") for r in plan.readiness]
    events += [StepStarted(**base, step="kickoff"), StepCompleted(**base, step="kickoff")]
    gate = next(s for s in plan.steps if s.kind == "gate")
    events += [GateDecided(**base, step=gate.id, approver=a, decision="go") for a in gate.approvers]
    for n, event in enumerate(events):
        journal.append(event.model_copy(update={"key": f"set{n}"}))
    journal.close()


def next_move(runs: Path, run_id: str, action: str) -> str:
    """A task the commander may `start` now (ready), or `complete` (running)."""
    journal = Journal(runs / f"{run_id}.db")
    state = journal.state()
    journal.close()
    for sid in state.order:
        step, status = state.steps[sid], state.status[sid].status
        if step.kind != "task":
            continue
        if action == "complete" and status == "running":
            return sid
        if action == "start" and status == "pending" and not state.open_preds(sid):
            return sid
    raise SystemExit(f"no task to {action}: more --runs than the plan's open tasks")


def refreshed(
    runs: Path, run_id: str, state: Path, deadline: float = 60.0, poll: float = 0.05
) -> None:
    """Wait (unmeasured) until this user's facts of the run are at its head with the moves:
    the background refresh of the command before has finished."""
    path = (runs / f"{run_id}.db").resolve()
    journal = Journal(path)
    head = journal.head[0]
    journal.close()
    os.environ["CUTOVER_STATE"] = str(state)
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        facts = do_facts.recall(run_id, path, os_login())
        if facts is not None and facts.seq == head and facts.moves is not None:
            return
        time.sleep(poll)
    raise SystemExit(f"the facts were not refreshed at event {head} within {deadline:.0f} s")


def moves_in_process(runs: Path, run_id: str) -> float:
    """CPU seconds to take the moves of the run as it stands (the forked child's work)."""
    journal = Journal(runs / f"{run_id}.db")
    try:
        facts = do_facts.take(journal, os_login(), datetime.now(UTC))
        state = journal.state()
        began = time.process_time()
        with_moves(facts, state, datetime.now(UTC))
        return time.process_time() - began
    finally:
        journal.close()


def keeper_lag(runs: Path, run_id: str, state: Path, n: int) -> float:
    """Wall seconds from a war room's look after someone else's move (an estimate, appended
    here as their command would: no refresh of this user's started) until this user's facts
    are at the head again (cli/facts_keeper.py: a fresh refresh process, no server)."""
    refreshed(runs, run_id, state)
    path = (runs / f"{run_id}.db").resolve()
    journal = Journal(path)
    other = EstimateChanged(
        actor=journal.plan.people_with_role("commander")[0],
        at=datetime.now(UTC),
        step="scm-p400-materials",
        duration_s=1200.0 + 60 * (n % 30),
        reason="someone else's move",
        key=f"other{n}",
    )
    journal.append(other)
    journal.close()
    os.environ |= {"CUTOVER_FACTS_REFRESH": "1", "CUTOVER_DO_SERVER": "0"}
    began = time.perf_counter()
    keeper = facts_keeper.Keeper(path)
    keeper.look()
    refreshed(runs, run_id, state, poll=0.01)
    lag = time.perf_counter() - began
    for pid in keeper.children:  # waited for, as the war room's next look would
        os.waitpid(pid, 0)
    return lag


def child(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    began = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{command[3:]}: failed: {proc.stderr.read().decode()}")
    return time.perf_counter() - began, usage.ru_utime + usage.ru_stime + served_cpu(env)


def served_cpu(env: dict[str, str]) -> float:
    """The served child's CPU seconds the client wrote down (cli/do_server_client.py), 0.0
    for a command not served; the file emptied for the next."""
    where = Path(env.get(CPU_FILE, "/nonexistent"))
    if not where.exists():
        return 0.0
    cpu = sum(float(line) for line in where.read_text().split())
    where.unlink()
    return cpu


FINGERPRINT = (
    "import os\nfrom cutover_tui.cli import do_server_place as p\n"
    "from cutover_tui.cli.own_python import search_path\nc = p.code_digest()\n"
    "print(p.fingerprint(dict(os.environ), search_path(), c), c)\n"
)


REFRESH = (
    "import sys, time\nfrom cutover_tui.cli.do_server_refresh import refresh_by_server\n"
    "from cutover_tui.cli.do_server_wire import read_line\n"
    "from cutover_tui.cli.facts_refresh import refresh_env\nbegan = time.perf_counter()\n"
    "handed = refresh_by_server(sys.argv[1], refresh_env())\n"
    "end = read_line(handed.makefile('rb'))\n"
    "print(time.perf_counter() - began, end['cpu'], end['status'])\n"
)


class Servers:
    """The command servers of the benchmark's state directory, started as its children (so
    os.wait4 has their CPU) and stopped at the end."""

    def __init__(self, env: dict[str, str], state: Path) -> None:
        self.env, self.folder = env, state / place.FOLDER
        done = subprocess.run(
            [sys.executable, "-c", FINGERPRINT], env=env, capture_output=True, text=True
        )
        self.print_, self.code = done.stdout.split()  # as a client of this env finds it
        self.sock = self.folder / place.socket_name(self.print_)
        self.running: subprocess.Popen | None = None

    def start(self) -> subprocess.Popen:
        argv = python_command("cutover_tui.cli.do_server", [self.print_, self.code], cwd="/")
        argv[1:1] = place.server_flags()
        quiet = subprocess.DEVNULL
        proc = subprocess.Popen(argv, env=self.env, stdin=quiet, stdout=quiet, stderr=quiet)
        while server_pid(self.sock) != proc.pid:
            if proc.poll() is not None:
                raise SystemExit("the command server did not start")
            time.sleep(0.002)
        return proc

    def ensure(self) -> None:
        """A server listening (unmeasured), as the next command of a user finds one."""
        if self.running is None or server_pid(self.sock) != self.running.pid:
            self.stop()
            self.running = self.start()

    def stop(self) -> None:
        if self.running is not None:
            self.running.send_signal(signal.SIGTERM)
            self.running.wait()
            self.running = None
        elif (pid := server_pid(self.sock)) is not None:  # one a client started
            os.kill(pid, signal.SIGTERM)
            pidfd = os.pidfd_open(pid)
            select.select([pidfd], [], [], 60)
            os.close(pidfd)

    def refresh_cost(self, run_file: str) -> tuple[float, float]:
        """Wall and CPU seconds of the facts refresh forked from the server (its child's
        CPU as the server reports it), as a fast move hands it over."""
        self.ensure()
        done = subprocess.run(
            [sys.executable, "-c", REFRESH, run_file], env=self.env, capture_output=True, text=True
        )
        wall, cpu, status = done.stdout.split()
        if status != "0":
            raise SystemExit(f"the served refresh failed: {done.stderr}")
        return float(wall), float(cpu)

    def start_cost(self) -> tuple[float, float]:
        """Wall and CPU seconds of a server's start, from its spawn until it accepts."""
        self.stop()
        began = time.perf_counter()
        proc = self.start()
        wall = time.perf_counter() - began
        proc.send_signal(signal.SIGTERM)
        _, _, usage = os.wait4(proc.pid, 0)
        return wall, usage.ru_utime + usage.ru_stime


def server_pid(sock: Path) -> int | None:
    """The pid of the server accepting on `sock` (SO_PEERCRED), None if none does."""
    try:
        folder = os.open(sock.parent, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(place.in_folder(folder, sock.name))
            ucred = client.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
            return struct.unpack("3i", ucred)[0]
    except OSError:
        return None
    finally:
        os.close(folder)


def digest_cost(rounds: int = 20) -> float:
    """Seconds the client spends on the fingerprint's stat of the package (median)."""
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        place.code_digest()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cutover-startup-"))
    runs = work / "runs"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"CUTOVER_RUNS": str(runs), "CUTOVER_STATE": str(work / "state")}
    env["CUTOVER_FACTS_REFRESH"] = "1"  # the background refresh, as a user's install runs it
    env["CUTOVER_DO_SERVER"] = "0"  # the rows before the command server's, as they were
    served_env = env | {"CUTOVER_DO_SERVER": "1", CPU_FILE: str(work / "served-cpu")}
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
            # The full path's floor: no `cutover do` that imports the engine's models (pydantic)
            # can cost less than these two (issue 14's cold command).
            ("floor: import pydantic.main", [*python, "-c", "import pydantic.main"]),
            ("floor: full path's imports", [*python, "-c", FULL_PATH_IMPORTS]),
            ("cutover do note", None),  # the fast path (cli/do_fast.py)
            ("cutover do, full path", None),  # a word the fast path leaves to the full one
            ("cutover do start", None),  # the step actions' fast path (cli/do_fast_moves.py)
            ("cutover do complete", None),
            ("facts refresh (background)", None),  # what a fast move leaves running
            ("served: note", None),  # a plain note: the server comes before the fast path
            ("served: note --reason", None),  # the full path in a command server's child
            ("served: estimate", None),
            ("served: start, stale facts", None),
            ("served: complete, stale facts", None),
            ("server start (off the command)", None),  # once, until it accepts
            ("facts refresh, served (bg)", None),  # a fast move's refresh, from the server
            ("served: start, fresh facts", None),  # what the fast path would have taken
            ("served: complete, fresh facts", None),
            ("cutover runs", [*cli, "runs"]),
            ("cutover status", [*cli, "status", run_id]),
            ("cutover validate -q", [*cli, "validate", "-q", str(plan_file)]),
        ]
        results = {}

        gate_passed(runs, run_id)
        run_file = str((runs / f"{run_id}.db").resolve())

        servers = Servers(served_env, work / "state")
        estimates = iter(range(1, 10_000))

        def measure(label: str, command: list[str] | None) -> tuple[float, float]:
            if label.startswith("server start"):
                return servers.start_cost()
            if label.startswith("facts refresh, served"):
                refreshed(runs, run_id, work / "state")  # none of the commands' still running
                return servers.refresh_cost(run_file)
            if not label.startswith("served"):
                return child(command or note(label), env)
            servers.ensure()
            if "fresh" in label:  # the refresh's answers at the head: a fast path could take it
                refreshed(runs, run_id, work / "state")
                action = label.split()[1].rstrip(",")
                command = [*cli, "do", run_id, action, next_move(runs, run_id, action)]
            elif "stale" in label:  # this user's facts gone, as after another's event
                refreshed(runs, run_id, work / "state")
                shutil.rmtree(work / "state" / do_facts.FOLDER)
                action = label.split()[1].rstrip(",")
                command = [*cli, "do", run_id, action, next_move(runs, run_id, action)]
            elif "estimate" in label:
                minutes = f"{20 + next(estimates) % 30}m"
                command = [
                    *cli,
                    "do",
                    run_id,
                    "estimate",
                    "scm-p400-materials",
                    "--duration",
                    minutes,
                ]
                command += ["--reason", "b"]
            else:
                reason = ["--reason", "s"] if "reason" in label else []
                command = [*cli, "do", run_id, "note", "--note", f"s{next(notes)}", *reason]
            measured = child(command, served_env)
            refreshed(runs, run_id, work / "state")
            return measured

        def note(label: str) -> list[str]:  # each note its own, so every run appends
            if label.startswith("facts refresh"):
                return python_command("cutover_tui.cli.facts_refresh", [run_file])
            if label in ("cutover do start", "cutover do complete"):
                refreshed(runs, run_id, work / "state")  # as the next command finds them
                action = label.split()[-1]
                return [*cli, "do", run_id, action, next_move(runs, run_id, action)]
            full = ["--reason", "full"] if "full" in label else []
            return [*cli, "do", run_id, "note", "--note", f"n{next(notes)}", *full]

        for label, command in rows:  # once unmeasured: bytecode written, the caches filled
            measure(label, command)
            if label.startswith("cutover do"):
                refreshed(runs, run_id, work / "state")
        # In rounds, each command once a round: a neighbour's burst of load falls on all of
        # them alike, not on whichever command was being measured then.
        samples: dict[str, list[tuple[float, float]]] = {label: [] for label, _ in rows}
        lags = []
        for n in range(args.runs):
            lags.append(keeper_lag(runs, run_id, work / "state", n))
            for label, command in rows:
                samples[label].append(measure(label, command))
                if label.startswith("cutover do"):  # no refresh left running meanwhile
                    refreshed(runs, run_id, work / "state")
        refreshed(runs, run_id, work / "state")
        in_fork = moves_in_process(runs, run_id)
        servers.stop()
        digest = digest_cost()
        for label, runs_of in samples.items():
            results[label] = tuple(statistics.median(s[i] for s in runs_of) for i in (0, 1))
    finally:
        shutil.rmtree(work)
    base = results["python + tomllib"][1]
    print(f"plan      {PLAN.relative_to(ROOT)} (320 steps); {args.runs} fresh processes each")
    print(f"          load average {os.getloadavg()[0]:.1f}; medians")
    print(f"{'':30} {'wall s':>8} {'CPU s':>8} {'CPU x':>7}")
    for label, (wall, cpu) in results.items():
        print(f"{label:30} {wall:8.3f} {cpu:8.3f} {cpu / base:7.1f}")
    print(f"{'moves taken (in a fork)':30} {'':8} {in_fork:8.3f} {in_fork / base:7.1f}")
    print(f"{'fingerprint: code digest':30} {digest:8.4f} {'':8} (in the client, wall)")
    lag = statistics.median(lags)
    print(f"{'war room: fresh facts after':30} {lag:8.3f} {'':8} (another's move, look to kept)")
    print("target                    cutover do under 2x python + tomllib (CPU x column)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

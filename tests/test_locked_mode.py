"""Locked mode with real OS users (issue 12): the service owns the files and is the only writer.

The users are made here (useradd) with unique names and removed afterwards; every command runs
as its user in a process of its own (`runuser -u NAME --`), the service as its account, and
the socket sits in a temporary directory those users can reach. Skipped, with the reason,
where the machine cannot make users (not root, no useradd/runuser) or has no Python the
other users can run.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .journal_support import plan_text
from .waiting import until

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ("useradd", "userdel", "groupadd", "groupdel", "runuser")
RUNUSER = shutil.which("runuser") or "runuser"


def _python_for_others() -> list[str] | None:
    """An interpreter other users may execute that imports this checkout (a venv built from
    an interpreter under /root is not one: the case issue 12 found), else None."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": _pythonpath()}
    for python in (sys.executable, f"/usr/bin/python{sys.version_info[0]}.{sys.version_info[1]}"):
        probe = subprocess.run(
            [RUNUSER, "-u", "nobody", "--", python, "-c", "import cutover_tui.locked.server"],
            env=env,
            capture_output=True,
            timeout=60,
        )
        if probe.returncode == 0:
            return [python]
    return None


def _pythonpath() -> str:
    return f"{ROOT}:{sysconfig.get_paths()['purelib']}"


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "needs root to make OS users (useradd) and run processes as them"
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return f"cannot make OS users here: no {', '.join(missing)}"
    return None


pytestmark = pytest.mark.skipif(_why_not() is not None, reason=_why_not() or "")


@dataclass
class Host:
    base: Path
    runs: Path
    socket: Path
    config: Path
    python: list[str]
    svc: str
    boss: str
    op: str
    watcher: str
    stranger: str  # on the host, in neither the group nor the plan
    group: str
    service: subprocess.Popen | None = None

    def env(self, **extra: str) -> list[str]:
        pairs = {
            "CUTOVER_CONFIG": str(self.config),
            "PYTHONPATH": _pythonpath(),
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
        } | extra
        return ["env", *(f"{k}={v}" for k, v in pairs.items())]

    def cutover(self, user: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return self.python_as(user, "-m", "cutover_tui.cli", *args, **env)

    def python_as(self, user: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [RUNUSER, "-u", user, "--", *self.env(**env), *self.python, *args],
            cwd=self.base,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def start_service(self) -> None:
        """`cutover service` as the service account (directly setuid: its pid is the server's)."""
        account = pwd.getpwnam(self.svc)
        self.service = subprocess.Popen(
            [*self.python, "-m", "cutover_tui.cli", "service"],
            user=account.pw_uid,
            group=account.pw_gid,
            extra_groups=[],
            env=dict(pair.split("=", 1) for pair in self.env()[1:]),
            cwd=self.base,
            stderr=subprocess.PIPE,
            text=True,
        )
        _wait_for(lambda: listening(self.socket) or self.service.poll() is not None, "the socket")
        assert self.service.poll() is None, self.service.stderr.read()

    def kill_service(self, sig: int = signal.SIGKILL) -> None:
        assert self.service is not None
        self.service.send_signal(sig)
        self.service.wait(timeout=30)
        self.service = None


def _wait_for(condition, what: str, timeout: float = 60.0) -> None:
    until(condition, what, timeout)


def listening(path: Path) -> bool:
    """Someone accepts on `path` (a socket file left by a killed service does not)."""
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def host() -> Iterator[Host]:
    python = _python_for_others()
    if python is None:
        pytest.skip("no Python here that other users may run (the venv's is under /root)")
    tag = uuid.uuid4().hex[:6]
    names = {role: f"cv{role[:2]}{tag}" for role in ("svc", "boss", "op", "watcher", "stranger")}
    group = f"cvg{tag}"
    base = Path(tempfile.mkdtemp(prefix="cutover-locked-", dir="/tmp"))
    made: list[str] = []
    try:
        _run("groupadd", group)
        for role, name in names.items():
            member = ["-G", group] if role in ("boss", "op") else []
            _run("useradd", "-M", "-N", "-s", "/usr/sbin/nologin", *member, name)
            made.append(name)
        base.chmod(0o755)
        runs, sockets = base / "runs", base / "sock"
        for directory, mode in ((runs, 0o2750), (sockets, 0o755)):
            directory.mkdir()
            shutil.chown(directory, names["svc"], group)
            directory.chmod(mode)
        config = base / "cutover.toml"
        socket = sockets / "cutover.sock"
        config.write_text(f'runs = "{runs}"\nmode = "locked"\nsocket = "{socket}"\n')
        text = plan_text(steps=3, commander_login=names["boss"]).replace(
            'user = "someone-else"', f'user = "{names["op"]}"'
        )
        text += f'\n[people.eye]\nname = "A Watcher"\nuser = "{names["watcher"]}"\nroles = ["watcher"]\n'
        (base / "plan.toml").write_text(text)
        (base / "plan.toml").chmod(0o644)
        host = Host(base, runs, socket, config, python, **names, group=group)
        host.start_service()
        yield host
        if host.service is not None:
            host.kill_service(signal.SIGTERM)
    finally:
        for name in made:
            subprocess.run(["userdel", name], capture_output=True, timeout=60)
        subprocess.run(["groupdel", group], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def run_id(host: Host) -> str:
    started = host.cutover(host.boss, "start", "plan.toml")
    assert started.returncode == 0, started.stderr
    return started.stdout.strip()


def events(host: Host, run_id: str) -> list[dict]:
    """The run's stored events, read on the file as the service account."""
    script = (
        "import json, sys; from cutover_tui.journal.store import Journal; "
        "from cutover_tui.journal.run_lookup import event_rows; "
        "print(json.dumps(event_rows(Journal(__import__('pathlib').Path(sys.argv[1]))), default=str))"
    )
    read = host.python_as(host.svc, "-c", script, str(host.runs / f"{run_id}.db"))
    assert read.returncode == 0, read.stderr
    return json.loads(read.stdout)


def test_an_operator_cannot_open_the_run_file_for_writing(host: Host, run_id: str) -> None:
    path = host.runs / f"{run_id}.db"
    stat = path.stat()
    assert pwd.getpwuid(stat.st_uid).pw_name == host.svc and stat.st_mode & 0o777 == 0o640
    attempt = (
        "import sys, sqlite3\n"
        "try:\n    open(sys.argv[1], 'r+b')\nexcept PermissionError:\n    print('no write')\n"
        "try:\n    open(sys.argv[1] + '.forged', 'w')\nexcept PermissionError:\n    print('no create')\n"
    )
    tried = host.python_as(host.op, "-c", attempt, str(path))
    assert tried.stdout.splitlines() == ["no write", "no create"], tried.stderr
    own = host.cutover(host.op, "do", run_id, "start", "slow")  # through the service: allowed
    assert own.returncode == 0, own.stderr
    assert own.stdout.strip().endswith("step-started slow by op")


def test_a_command_is_attributed_to_the_callers_uid_whatever_its_environment_says(
    host: Host, run_id: str
) -> None:
    # The operator dresses up as the commander: USER and LOGNAME say boss, the uid does not.
    dressed = {"USER": host.boss, "LOGNAME": host.boss}
    refused = host.cutover(host.op, "do", run_id, "start", "s0", **dressed)
    assert refused.returncode == 1
    assert "An Operator (op) [operator] may not" in refused.stderr  # its roles, said once
    assert f"(you are {host.op}: An Operator (op))" in refused.stderr
    # A hand-made request claiming the commander as actor, and its own recording time.
    forged = (
        "import json, socket, sys, uuid\nfrom datetime import UTC, datetime\n"
        "s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile('rwb')\n"
        "event = {'type': 'note-added', 'actor': 'boss', 'at': datetime.now(UTC).isoformat(),\n"
        "  'recorded_at': '2000-01-01T00:00:00Z', 'kind': 'info', 'text': 'I am the boss',\n"
        "  'key': uuid.uuid4().hex}\n"
        "f.write(json.dumps({'op': 'append', 'run': sys.argv[2], 'event': json.dumps(event)})"
        ".encode() + b'\\n'); f.flush(); print(f.readline().decode())\n"
    )
    sent = host.python_as(host.op, "-c", forged, str(host.socket), run_id, **dressed)
    reply = json.loads(sent.stdout)
    assert reply["ok"], reply
    stored = next(e for e in events(host, run_id) if e["seq"] == reply["seq"])
    assert stored["actor"] == "op" and stored["body"]["actor"] == "op"
    assert not stored["body"]["recorded_at"].startswith("2000")


def test_a_watchers_command_is_refused_and_it_follows_from_outside_the_group(
    host: Host, run_id: str
) -> None:
    made = host.cutover(host.watcher, "start", "plan.toml", "--rehearsal")
    assert made.returncode == 1
    assert f"{host.watcher} is not in the group {host.group}" in made.stderr
    refused = host.cutover(host.watcher, "do", run_id, "note", "--note", "let me in")
    assert refused.returncode == 1 and "refused" in refused.stderr
    assert "Traceback" not in refused.stderr and len(refused.stderr.splitlines()) == 1
    # Nothing of the watcher's stored (not a count: the service's conductor may append its
    # own alerts meanwhile, as the run's window nears: a flake seen at 05:10 UTC).
    stored = events(host, run_id)
    assert not [e for e in stored if "let me in" in json.dumps(e["body"])]
    assert not [e for e in stored if host.watcher in (e["actor"], e["body"].get("actor"))]
    # Outside the group it cannot read the file at all, yet follows through the service.
    unreadable = host.python_as(
        host.watcher, "-c", "open(__import__('sys').argv[1], 'rb')", str(host.runs / f"{run_id}.db")
    )
    assert "PermissionError" in unreadable.stderr
    status = host.cutover(host.watcher, "status", run_id, "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["run"] == run_id


def test_the_service_killed_and_restarted_loses_nothing_acknowledged(
    host: Host, run_id: str
) -> None:
    # An operator's client appends notes as fast as it can and prints each acknowledged key;
    # the service is SIGKILLed in the middle of it.
    writer = (
        "import sys, uuid\n"
        "from cutover_tui.engine.events import NoteAdded\n"
        "from cutover_tui.locked.client import LockedClient, LockedJournal\n"
        "from datetime import UTC, datetime\n"
        "journal = LockedJournal(LockedClient(__import__('pathlib').Path(sys.argv[1])), sys.argv[2])\n"
        "while True:\n"
        "    key = uuid.uuid4().hex\n"
        "    journal.append(NoteAdded(actor='op', at=datetime.now(UTC), text='n', key=key))\n"
        "    print(key, flush=True)\n"
    )
    account = [RUNUSER, "-u", host.op, "--", *host.env(), *host.python, "-c", writer]
    client = subprocess.Popen(
        [*account, str(host.socket), run_id], cwd=host.base, stdout=subprocess.PIPE, text=True
    )
    acknowledged = [client.stdout.readline().strip() for _ in range(30)]
    host.kill_service(signal.SIGKILL)
    rest, _ = client.communicate(timeout=60)
    acknowledged += rest.split()
    assert client.returncode != 0  # its connection died with the service
    host.start_service()
    stored = {e["key"] for e in events(host, run_id)}
    assert set(acknowledged) <= stored
    again = host.cutover(host.op, "do", run_id, "note", "--note", "after the restart")
    assert again.returncode == 0, again.stderr
    verified = host.cutover(host.svc, "verify", str(host.runs / f"{run_id}.db"))
    assert verified.returncode == 0, verified.stderr


def test_a_stranger_on_the_host_learns_nothing_through_the_socket(host: Host, run_id: str) -> None:
    status = host.cutover(host.stranger, "status", run_id)
    assert status.returncode == 1
    assert status.stderr.strip().endswith(f"no run '{run_id}' that {host.stranger} may read")
    listed = host.cutover(host.stranger, "runs")
    assert run_id not in listed.stdout
    seen = host.cutover(host.watcher, "runs")  # the watcher is in the plan: it sees the run
    assert run_id in seen.stdout

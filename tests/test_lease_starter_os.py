"""The starter's conductor gets the lease, with real OS users and real processes.

Shared-file mode, two users of one group: the operator's `cutover conduct` opens first and
holds the lease; its login did not start the run, so it runs no check (and says so once). The
commander, who started the run, opens `cutover conduct`: it takes the live lease, runs the
checkpoint's command check (which writes a file, as the commander), and the operator's
conductor follows from its next heartbeat and never takes the lease back while the
commander's lives; when the commander's leaves, the operator's conducts again.
Skipped, with the reason, where the machine cannot make users (as tests/test_locked_mode.py).
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from cutover_tui.journal.identity import os_login
from cutover_tui.journal.lease import CHECKS_MARK, LEASE_EXPIRY_S

from .checks_support import checks_plan, py_check
from .test_locked_mode import RUNUSER, _python_for_others, _pythonpath, _why_not
from .waiting import until

pytestmark = pytest.mark.skipif(_why_not() is not None, reason=_why_not() or "")


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, timeout=60)


class Room:
    """A jump host in shared-file mode: a group, a commander and an operator in it."""

    def __init__(self, base: Path, python: list[str], boss: str, op: str) -> None:
        self.base, self.python, self.boss, self.op = base, python, boss, op
        self.runs = base / "runs"
        self.config = base / "cutover.toml"
        self.marker = base / "out" / "ran"
        self.run_id = ""

    def argv(self, user: str, *args: str) -> list[str]:
        env = [
            f"CUTOVER_CONFIG={self.config}",
            f"PYTHONPATH={_pythonpath()}",
            "PATH=/usr/bin:/bin",
            "LANG=C.UTF-8",
        ]
        return [
            RUNUSER,
            "-u",
            user,
            "--",
            "env",
            *env,
            *self.python,
            "-m",
            "cutover_tui.cli",
            *args,
        ]

    def cutover(self, user: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.argv(user, *args), cwd=self.base, capture_output=True, text=True, timeout=120
        )

    def conduct(self, user: str) -> tuple[subprocess.Popen[str], int]:
        """`cutover conduct RUN` as `user`, and the pid its lease row will name (runuser's
        child): read from the line it says first, `conducting RUN as HOST:PID`."""
        proc = subprocess.Popen(
            self.argv(user, "conduct", self.run_id),
            cwd=self.base,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stderr is not None
        first = proc.stderr.readline()
        assert first.startswith("conducting "), first + proc.stderr.read()
        return proc, int(first.split(" as ", 1)[1].split()[0].rsplit(":", 1)[1])

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self.runs / self.run_id}.db?mode=ro", uri=True)

    def lease(self) -> tuple[str, int, float] | None:
        with self.db() as db:
            return db.execute("SELECT holder, pid, heartbeat FROM lease").fetchone()

    def conductor_keys(self) -> list[str]:
        with self.db() as db:
            return [k for (k,) in db.execute("SELECT key FROM events WHERE actor = 'conductor'")]


def _not_run_keys(room: Room, login: str) -> list[str]:
    """The keys of `login`'s conductor's notes that no check runs (one per tenure)."""
    return [k for k in room.conductor_keys() if k.startswith(f"checks-not-run:{login}@")]


@pytest.fixture
def room() -> Iterator[Room]:
    python = _python_for_others()
    if python is None:
        pytest.skip("no Python here that other users may run (the venv's is under /root)")
    tag = uuid.uuid4().hex[:6]
    boss, op, group = f"cvb{tag}", f"cvo{tag}", f"cvg{tag}"
    base = Path(tempfile.mkdtemp(prefix="cutover-lease-", dir="/tmp"))
    made: list[str] = []
    try:
        _run("groupadd", group)
        for name in (boss, op):
            _run("useradd", "-M", "-N", "-s", "/usr/sbin/nologin", "-G", group, name)
            made.append(name)
        base.chmod(0o755)
        room = Room(base, python, boss, op)
        room.runs.mkdir()
        shutil.chown(room.runs, "root", group)
        room.runs.chmod(0o2770)
        room.marker.parent.mkdir()
        shutil.chown(room.marker.parent, boss)
        room.config.write_text(f'runs = "{room.runs}"\nmode = "shared"\n')
        check = py_check(f"open({str(room.marker)!r}, 'w').write('ran')", python=python[0])
        text = checks_plan({"count": check}).replace('user = "someone-else"', f'user = "{op}"')
        text = text.replace(f'user = "{os_login()}"', f'user = "{boss}"')
        (base / "plan.toml").write_text(text)
        (base / "plan.toml").chmod(0o644)
        yield room
    finally:
        for name in made:
            subprocess.run(["userdel", name], capture_output=True, timeout=60)
        subprocess.run(["groupdel", group], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=60)


def test_the_starters_conductor_takes_the_lease_from_the_operators(room: Room) -> None:
    started = room.cutover(room.boss, "start", "plan.toml")
    assert started.returncode == 0, started.stderr
    room.run_id = started.stdout.strip()
    op, op_pid = room.conduct(room.op)
    boss: subprocess.Popen[str] | None = None
    try:
        until(lambda: (room.lease() or ("", 0, 0))[1] == op_pid, "the operator's conductor")
        begun = room.cutover(room.boss, "do", room.run_id, "start", "count")
        assert begun.returncode == 0, begun.stderr
        until(lambda: _not_run_keys(room, room.op), "the operator's note")
        assert not room.marker.exists() and "check:count:1" not in room.conductor_keys()
        boss, boss_pid = room.conduct(room.boss)
        until(lambda: (room.lease() or ("", 0, 0))[1] == boss_pid, "the commander takes it")
        holder, _, taken = room.lease() or ("", 0, 0.0)
        assert holder.endswith(CHECKS_MARK)
        until(
            lambda: "check:count:1" in room.conductor_keys(),
            "the commander's conductor runs the check",
        )
        assert room.marker.read_text() == "ran"
        # The log says so, once (clock/check_handover.py): the operator's note is answered.
        until(
            lambda: any(k.startswith("checks-run-again:") for k in room.conductor_keys()),
            "the note that checks run again",
        )

        # The operator's conductor lives on through several of its heartbeats past the expiry
        # and never takes the lease back (read each time the row is asked for).
        def boss_renewed_past_expiry() -> bool:
            _, pid, beat = room.lease() or ("", 0, 0.0)
            assert pid == boss_pid, "the operator's conductor took the lease back"
            return beat > taken + 2 * LEASE_EXPIRY_S

        until(boss_renewed_past_expiry, "the commander's conductor renewing its lease")
        assert op.poll() is None, "the operator's conductor stays open as a follower"
        _stop(boss)  # hands the lease back: the operator's conducts again
        until(lambda: (room.lease() or ("", 0, 0))[1] == op_pid, "the operator conducts again")
        keys = room.conductor_keys()
        assert keys.count("check:count:1") == 1
        said = _not_run_keys(room, room.op)  # once per tenure of the lease: each key once
        assert said and len(said) == len(set(said)), said
        assert len([k for k in keys if k.startswith("checks-run-again:")]) == 1, keys
    finally:
        for proc in (p for p in (op, boss) if p is not None):
            _stop(proc)

"""Bounds on what a shell may feed a run, through the real CLI on real run files: each
refusal is one line of words and an exit code, never a traceback (issue 11: recorded times;
issue 12, findings 2 and 6)."""

from __future__ import annotations

import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cutover_tui.engine.events import RunStarted
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal, chain
from cutover_tui.plan import parse_plan
from tests.journal_support import plan_text

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime.now(UTC).replace(second=0, microsecond=0)
BEGUN = NOW - timedelta(hours=8)  # the run began eight hours ago; its window too


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def cutover(*args: str, runs: Path, **popen) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "CUTOVER_RUNS": str(runs)},
        **popen,
    )


def one_line(result: subprocess.CompletedProcess[str], code: int, most: int = 1) -> str:
    """The refusal: exit `code`, no traceback, one line on stderr (`most` lines where the
    trust warning comes first); the last returned for its words."""
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert 1 <= len(lines) <= most, result.stderr
    return lines[-1]


@pytest.fixture
def run(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A live run of a 3-step plan that began eight hours ago, in a real run file."""
    runs = tmp_path / "runs"
    loaded = parse_plan(plan_text(steps=3, window_start=BEGUN), name="jt.toml")
    journal = Journal.create(runs, loaded, rehearsal=False, created_by=os_login())
    journal.append(RunStarted(actor="boss", at=BEGUN, plan_id="jt", key="go"))
    journal.close()
    yield journal.run_id, runs


# -- issue 11: recorded times within the run's life --------------------------------------------


def test_a_completion_five_hours_before_the_steps_start_is_refused(run) -> None:
    run_id, runs = run
    assert (
        cutover(
            "do", run_id, "start", "s0", "--at", iso(NOW - timedelta(hours=1)), runs=runs
        ).returncode
        == 0
    )
    early = cutover(
        "do", run_id, "complete", "s0", "--at", iso(NOW - timedelta(hours=6)), runs=runs
    )
    line = one_line(early, 1)
    assert "The Boss (boss) dated the completion of 's0'" in line
    assert "before it started at" in line


def test_a_start_eleven_days_before_the_run_is_refused(run) -> None:
    run_id, runs = run
    early = cutover("do", run_id, "start", "s0", "--at", iso(BEGUN - timedelta(days=11)), runs=runs)
    line = one_line(early, 1)
    assert "The Boss (boss) dated the start" in line and "before the run started at" in line
    assert f"{BEGUN - timedelta(days=11):%Y-%m-%d}" in line  # 11 days off: said with its date


def test_a_start_in_the_future_is_refused(run) -> None:
    run_id, runs = run
    ahead = cutover(
        "do", run_id, "start", "s0", "--at", iso(NOW + timedelta(minutes=30)), runs=runs
    )
    assert "later than now" in one_line(ahead, 1)
    # Inside the bounds a late tick-off is as before: recorded, and said to be late.
    late = cutover(
        "do", run_id, "start", "s0", "--at", iso(BEGUN + timedelta(minutes=5)), runs=runs
    )
    assert late.returncode == 0 and "recorded" in late.stdout


# -- issue 12 finding 2: times and durations past the calendar or the format -------------------


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00", "9999-12-31T23:59:59-12:00", "9999-12-31T23:59"]
)
def test_an_at_at_the_ends_of_the_calendar_is_one_line(run, moment: str) -> None:
    run_id, runs = run
    line = one_line(cutover("do", run_id, "start", "s0", "--at", moment, runs=runs), 2)
    assert line.startswith(f"cutover do: '{moment}' is ")


def test_status_at_the_end_of_the_calendar_is_one_line(run) -> None:
    run_id, runs = run
    line = one_line(cutover("status", run_id, "--at", "9999-12-31T23:59", runs=runs), 2)
    assert "within a year" in line


def test_a_300_day_estimate_is_refused_naming_the_limit(run) -> None:
    run_id, runs = run
    change = cutover(
        "do", run_id, "estimate", "s1", "--duration", "300d", "--reason", "x", runs=runs
    )
    assert "the most a step may take (7 days, or the window if longer)" in one_line(change, 1)


@pytest.mark.parametrize("speed", ["1e-300", "0", "-1", "inf", "nan", "1e300"])
def test_conduct_at_a_speed_no_clock_can_keep_is_one_line(run, speed: str) -> None:
    run_id, runs = run
    line = one_line(cutover("conduct", run_id, "--speed", speed, runs=runs), 2)
    assert line == "cutover conduct: --speed must be a positive number from 0.001 to 1,000,000"


def test_a_note_past_the_limit_is_refused_naming_it(run) -> None:
    run_id, runs = run
    line = one_line(cutover("do", run_id, "note", "--note", "n" * 5000, runs=runs), 1)
    assert "the note is 5,000 characters long; 4,000 is the limit" in line


# -- issue 12 finding 6: what comes up from below a command ------------------------------------


def _append_raw(path: Path, body: str) -> None:
    """A row written straight into the SQLite file, chained properly: only its body is bad."""
    db = sqlite3.connect(path)
    prev = db.execute("SELECT hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()[0]
    db.execute(
        "INSERT INTO events (key, type, actor, body, prev, hash) VALUES (?, ?, ?, ?, ?, ?)",
        ("bad", "step-started", "boss", body, prev, chain(prev, body)),
    )
    db.commit()
    db.close()


@pytest.mark.parametrize(
    "command",
    [("status",), ("do", "start", "s0"), ("follow",)],
    ids=["status", "do", "follow"],
)
def test_a_bad_event_body_in_the_journal_is_one_line(run, command: tuple[str, ...]) -> None:
    run_id, runs = run
    _append_raw(
        runs / f"{run_id}.db",
        '{"actor":"boss","at":"not a time","key":"bad","type":"step-started","step":"s0"}',
    )
    result = cutover(command[0], run_id, *command[1:], runs=runs)
    # `status` says the run is not trusted, then that it cannot show it: two lines.
    line = one_line(result, 1, most=2 if command[0] == "status" else 1)
    assert line.startswith(f"cutover {command[0]}: {run_id}: ")
    assert "https://" not in result.stderr  # pydantic's own text is several lines and a URL


def test_a_damaged_page_is_one_line_in_follow_and_status(run) -> None:
    run_id, runs = run
    path = runs / f"{run_id}.db"
    page = sqlite3.connect(path).execute("PRAGMA page_size").fetchone()[0]
    with path.open("r+b") as handle:  # every page after the schema's, overwritten
        size = handle.seek(0, os.SEEK_END)
        handle.seek(page)
        handle.write(b"\xa5" * (size - page))
    for command in ("follow", "status"):
        line = one_line(
            cutover(command, run_id, runs=runs), 1, most=2 if command == "status" else 1
        )
        assert line.startswith("cutover") and run_id in line
        assert "malformed" in line or "not a database" in line


# -- a user who may not read the runs --------------------------------------------------------


def _why_no_other_user() -> str | None:
    if os.geteuid() != 0:
        return "needs root to make an OS user (useradd) and run the CLI as it"
    if shutil.which("useradd") is None or shutil.which("userdel") is None:
        return "no useradd/userdel here"
    return None


@pytest.fixture
def outsider() -> Iterator[pwd.struct_passwd]:
    why = _why_no_other_user()
    if why:
        pytest.skip(why)
    name = f"cvx{uuid.uuid4().hex[:6]}"
    subprocess.run(["useradd", "-M", "-N", "-s", "/usr/sbin/nologin", name], check=True, timeout=60)
    try:
        yield pwd.getpwnam(name)
    finally:
        subprocess.run(["userdel", name], capture_output=True, timeout=60)


def as_user(user: pwd.struct_passwd, *args: str, runs: Path) -> subprocess.CompletedProcess[str]:
    """The CLI run as `user` (setuid in the child), by an interpreter others may execute:
    the venv's is under /root, so the system's with this checkout and the venv's packages."""
    purelib = sysconfig.get_paths()["purelib"]
    return subprocess.run(
        [
            f"/usr/bin/python{sys.version_info[0]}.{sys.version_info[1]}",
            "-m",
            "cutover_tui.cli",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
        stdin=subprocess.DEVNULL,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": f"{ROOT}:{purelib}",
            "CUTOVER_RUNS": str(runs),
            "LANG": "C.UTF-8",
        },
        user=user.pw_uid,
        group=user.pw_gid,
        extra_groups=[],
    )


def can_run_as(user: pwd.struct_passwd, runs: Path) -> None:
    """Skip, saying why, where this checkout cannot be run as `user`."""
    try:
        probe = as_user(user, "--help", runs=runs)
    except OSError as exc:
        pytest.skip(f"no Python here that another user may run: {exc}")
    if probe.returncode != 0:
        pytest.skip(f"this checkout cannot be run as another user: {probe.stderr.strip()[-200:]}")


def test_a_user_who_cannot_read_the_runs_gets_one_line(run, outsider, tmp_path: Path) -> None:
    run_id, runs = run
    can_run_as(outsider, runs)
    tmp_path.chmod(0o755)
    runs.chmod(0o000)  # the run's directory, closed to everyone but root
    try:
        for command in (("status", run_id), ("do", run_id, "start", "s0"), ("follow", run_id)):
            line = one_line(as_user(outsider, *command, runs=runs), 1)
            assert line.startswith(f"cutover {command[0]}: {run_id}: permission denied"), line
    finally:
        runs.chmod(0o2770)

"""`cutover start | runs | do | status | verify` end to end, as the OS user running the tests."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path

from cutover_tui.journal.identity import os_login
from tests.journal_support import plan_text
from tests.waiting import until

ROOT = Path(__file__).resolve().parents[1]


def cutover(*args: str, runs: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "CUTOVER_RUNS": str(runs)},
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


# The run is started for real, now, so its window is tomorrow night: `status --at` a time
# in the window then comes after the run began, whatever day the tests run on.
WINDOW = datetime.combine(datetime.now(UTC).date() + timedelta(days=1), dt_time(22, 0), UTC)


def when(minutes: int) -> str:
    """A moment `minutes` into the window, as `--at` takes it and the JSON prints it."""
    return (WINDOW + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


# A run begun last night at 22:00 (a real run file, its RunStarted dated then): a late
# tick-off at a time in its window is inside the run's life. Times before the run began, or
# ahead of now, are refused (engine/times.py; tests/test_cli_bounds.py).
LAST_NIGHT = datetime.combine(datetime.now(UTC).date() - timedelta(days=1), dt_time(22, 0), UTC)


def last_night(minutes: int) -> str:
    return (LAST_NIGHT + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


def begun_last_night(tmp_path: Path, text: str | None = None) -> tuple[str, Path]:
    """`text` (a plan of id "jt" whose commander "boss" is this user; the journal tests' plan
    of three steps if None) begun last night at 22:00."""
    from cutover_tui.engine.events import RunStarted
    from cutover_tui.journal.store import Journal
    from cutover_tui.plan import parse_plan

    runs = tmp_path / "runs"
    text = text if text is not None else plan_text(steps=3, window_start=LAST_NIGHT)
    loaded = parse_plan(text, name="jt.toml")
    journal = Journal.create(runs, loaded, rehearsal=False, created_by=os_login())
    journal.append(RunStarted(actor="boss", at=LAST_NIGHT, plan_id="jt", key="go"))
    journal.close()
    return journal.run_id, runs


def started(tmp_path: Path) -> tuple[str, Path]:
    plan = tmp_path / "jt.toml"
    plan.write_text(plan_text(steps=3, window_start=WINDOW))
    runs = tmp_path / "runs"
    result = cutover("start", str(plan), runs=runs)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip(), runs


def test_start_do_status_verify(tmp_path: Path) -> None:
    run, runs = begun_last_night(tmp_path)
    when = last_night
    assert cutover("do", run, "start", "s0", "--at", when(0), runs=runs).returncode == 0
    done = cutover("do", run, "complete", "s0", "--at", when(12), runs=runs)
    assert done.returncode == 0 and "recorded" in done.stdout  # a late tick-off says so
    # Both of its times on the plan's clock (UTC here), as the screens say them, not "...Z";
    # the recording dated when it is over a day after the run began (engine/times.stamp).
    recorded = r"recorded (\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d$"
    assert re.search(rf", at 22:12, {recorded}", done.stdout.strip()), done.stdout
    again = cutover("do", run, "complete", "s0", runs=runs)
    assert again.returncode == 1
    assert "already completed by The Boss (boss) at 22:12" in again.stderr
    assert f"you are {os_login()}" in again.stderr

    status = cutover("status", run, "--at", when(30), "--json", runs=runs)
    report = json.loads(status.stdout)
    s0 = next(s for s in report["steps"] if s["id"] == "s0")
    assert s0["status"] == "done" and s0["finish"].startswith(when(12))
    assert report["level"] in ("on-track", "at-risk", "late")
    assert report["last_safe_rollback_start"].startswith(when(220))

    text = cutover("status", run, "--at", when(30), runs=runs).stdout
    assert "last safe rollback start 01:40" in text and "s0" in text

    verified = cutover("verify", run, runs=runs)
    assert verified.returncode == 0 and "chain intact" in verified.stdout
    assert verified.stdout.split("head ")[1].split()[0].isalnum()  # then how to --expect it

    listed = cutover("runs", runs=runs).stdout
    assert run in listed and "running" in listed


def test_do_without_what_it_needs_says_so(tmp_path: Path) -> None:
    run, runs = started(tmp_path)
    result = cutover("do", run, "fail", "s0", runs=runs)
    assert result.returncode == 2 and "fail needs --reason" in result.stderr


def test_unknown_run_is_named_with_a_hint(tmp_path: Path) -> None:
    run, runs = started(tmp_path)
    result = cutover("status", run[:-1] + "x", runs=runs)
    assert result.returncode == 1 and "did you mean" in result.stderr


def test_a_live_run_is_started_only_by_a_named_commander(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    result = cutover("start", "plans/online-store.toml", runs=runs)
    assert result.returncode == 1
    assert "only the commander (Alice Ng (alice)) may" in result.stderr
    assert not list(runs.glob("*.db")) if runs.exists() else True  # nothing was created
    rehearsal = cutover("start", "plans/online-store.toml", "--rehearsal", runs=runs)
    assert rehearsal.returncode == 0  # the rehearsal team runs it, commanded by its starter
    run = rehearsal.stdout.strip()
    assert "rehearsal" in run
    first = "announce-freeze"
    assert cutover("do", run, "start", first, runs=runs).returncode == 0


def test_a_broken_plan_is_reported_not_started(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('format = 1\n[plan]\nid = "x"\n')
    result = cutover("start", str(bad), runs=tmp_path / "runs")
    assert result.returncode == 1 and "bad.toml" in result.stderr


def test_hh_mm_means_the_nearest_such_time() -> None:
    from datetime import datetime

    from cutover_tui.engine.when import moment_near as parse_when
    from cutover_tui.plan import load_plan

    plan = load_plan(ROOT / "plans" / "online-store.toml").plan  # Europe/London
    now = datetime.fromisoformat("2026-11-28T01:30:00+00:00")
    assert parse_when("23:40", plan, now).isoformat() == "2026-11-27T23:40:00+00:00"
    assert parse_when("02:10", plan, now).isoformat() == "2026-11-28T02:10:00+00:00"
    assert parse_when("2026-11-27T22:05", plan, now).isoformat() == "2026-11-27T22:05:00+00:00"


def test_a_command_without_the_role_is_refused_and_nothing_written(tmp_path: Path) -> None:
    # Here the current login is the operator "op"; the commander is someone else, who
    # started the run (through the library, as their own process would).
    from cutover_tui.journal.store import Journal
    from cutover_tui.plan import parse_plan
    from tests.journal_support import at

    text = plan_text(steps=2, commander_login="somebody-else").replace(
        'user = "someone-else"', f'user = "{os_login()}"'
    )
    runs = tmp_path / "runs"
    journal = Journal.create(runs, parse_plan(text), rehearsal=False, created_by="somebody-else")
    from cutover_tui.engine.events import RunStarted

    journal.append(RunStarted(actor="boss", at=at(0), plan_id="jt", key="go"))
    refused = cutover("do", journal.run_id, "start", "s0", runs=runs)
    assert refused.returncode == 1
    assert "An Operator (op) [operator] may not start 's0'" in refused.stderr
    assert "only the commander (The Boss (boss)) or its owner, The Boss (boss)" in refused.stderr
    assert f"you are {os_login()}" in refused.stderr
    assert Journal(journal.path).verify()[2] == 1  # nothing was written
    own = cutover("do", journal.run_id, "start", "slow", runs=runs)  # its own step
    assert own.returncode == 0, own.stderr


def test_do_on_a_fast_rehearsal_records_the_rehearsals_own_time(tmp_path: Path) -> None:
    # A simulation runs its own clock (600x from the window's start): a command typed into
    # it from a shell happens at simulated time, not at today's date.
    from datetime import UTC, datetime, timedelta

    from cutover_tui.engine.events import RunStarted
    from cutover_tui.journal.store import Journal
    from cutover_tui.plan import parse_plan

    runs = tmp_path / "runs"
    journal = Journal.create(
        runs, parse_plan(plan_text(steps=2)), rehearsal=True, created_by=os_login(), speed=600
    )
    real_start = datetime.now(UTC)
    journal.append(
        RunStarted(
            actor="boss", at=journal.plan.window.start, plan_id="jt", mode="rehearsal", key="go"
        ),
        now=lambda: real_start,
    )
    result = cutover("do", journal.run_id, "note", "--note", "typed in", runs=runs)
    assert result.returncode == 0, result.stderr
    note = Journal(journal.path).events()[-1]
    start = journal.plan.window.start
    assert start <= note.at <= start + timedelta(hours=3)  # minutes of real time at 600x


def test_status_at_an_earlier_time_shows_the_run_as_it_stood(tmp_path: Path) -> None:
    run, runs = begun_last_night(tmp_path)
    when = last_night
    assert cutover("do", run, "start", "s0", "--at", when(0), runs=runs).returncode == 0
    assert cutover("do", run, "complete", "s0", "--at", when(12), runs=runs).returncode == 0
    then = json.loads(cutover("status", run, "--at", when(5), "--json", runs=runs).stdout)
    s0 = next(s for s in then["steps"] if s["id"] == "s0")
    assert s0["status"] == "running"  # its completion had not happened by 22:05
    assert then["as_of"].startswith(when(5))
    later = json.loads(cutover("status", run, "--at", when(30), "--json", runs=runs).stdout)
    assert next(s for s in later["steps"] if s["id"] == "s0")["status"] == "done"


def test_runs_lists_each_run_with_where_it_stands(tmp_path: Path) -> None:
    run, runs = started(tmp_path)
    assert cutover("do", run, "skip", "s0", "--reason", "not needed", runs=runs).returncode == 0
    listed = cutover("runs", runs=runs).stdout
    line = next(line for line in listed.splitlines() if line.startswith(run))
    assert "live" in line and "running, 1/5 steps closed" in line and os_login() in line


def test_headless_conductor_records_what_came_due_and_stops_when_the_run_ends(
    tmp_path: Path,
) -> None:
    # A step started (late tick-off) 20 minutes before the real now: its 10m budget has run
    # out. `cutover conduct` records that once, and leaves when the run ends.
    from datetime import UTC, datetime, timedelta

    from cutover_tui.journal.run_lookup import open_run

    run, runs = begun_last_night(tmp_path)
    begun = (datetime.now(UTC) - timedelta(minutes=20)).isoformat(timespec="seconds")
    assert cutover("do", run, "start", "s0", "--at", begun, runs=runs).returncode == 0
    conductor = subprocess.Popen(
        [sys.executable, "-m", "cutover_tui.cli", "conduct", run],
        cwd=ROOT,
        env={**os.environ, "CUTOVER_RUNS": str(runs)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        journal = open_run(run, runs)
        until(
            lambda: any(e.type == "budget-exceeded" for e in journal.events()),
            "the conductor's budget-exceeded event",
        )
        over = [e for e in journal.events() if e.type == "budget-exceeded"]
        assert [(e.step, e.key) for e in over] == [("s0", "budget:s0:1")]
        ended = cutover("do", run, "end", "--outcome", "aborted", "--reason", "test", runs=runs)
        assert ended.returncode == 0, ended.stderr
        _, err = conductor.communicate(timeout=30)  # it notices the end and leaves by itself
    finally:
        if conductor.poll() is None:
            conductor.kill()
            conductor.wait()
    assert conductor.returncode == 0, err
    assert "Traceback" not in err and "budget:s0:1" in err
    assert [e.key for e in open_run(run, runs).events() if e.type == "budget-exceeded"] == [
        "budget:s0:1"
    ]
    released = open_run(run, runs).db.execute("SELECT count(*) FROM lease").fetchone()
    assert released == (0,)  # the lease handed back on the way out, not left to expire
    again = cutover("conduct", run, runs=runs)
    assert again.returncode == 0 and "has ended" in again.stderr


def test_conduct_refuses_a_nonsense_speed(tmp_path: Path) -> None:
    run, runs = started(tmp_path)
    for speed in ("0", "-3", "nan", "inf"):
        result = cutover("conduct", run, "--speed", speed, runs=runs)
        assert result.returncode == 2 and "--speed must be a positive number" in result.stderr


def test_every_action_from_a_shell(tmp_path: Path, capsys, monkeypatch) -> None:
    # A rehearsal of the example plan (its starter commands it), driven through every
    # `cutover do` action. In this process, for speed: the same parser and handlers.
    from cutover_tui.cli import main
    from cutover_tui.journal.run_lookup import open_run

    runs = tmp_path / "runs"
    monkeypatch.setenv("CUTOVER_RUNS", str(runs))
    monkeypatch.chdir(ROOT)

    def do(*args: str, code: int = 0) -> str:
        capsys.readouterr()
        result = main(list(args))
        out = capsys.readouterr()
        assert result == code, out.err
        return out.out + out.err

    run = do("start", "plans/online-store.toml", "--rehearsal").splitlines()[0]
    tell = ("--template", "status-update", "--to", "it-leadership", "--subject", "Freeze on")
    do("do", run, "comms", "announce-freeze", *tell, "--note", "The freeze starts now")
    do("do", run, "start", "enable-maintenance-page")
    do("do", run, "suspend", "enable-maintenance-page", "--reason", "CDN console down")
    do("do", run, "resume", "enable-maintenance-page")
    do("do", run, "complete", "enable-maintenance-page")
    do("do", run, "skip", "suspend-legacy-jobs", "--reason", "no jobs tonight")
    do("do", run, "note", "--note", "bridge call moved", "--kind", "decision")
    do("do", run, "estimate", "drain-order-queue", "--duration", "15m", "--reason", "busy")
    add = ("--title", "Warm the cache", "--owner", "ops", "--duration", "5m", "--reason", "new")
    do("do", run, "add-step", "warm-cdn", *add, "--after", "enable-maintenance-page")
    do("do", run, "depend", "warm-cdn", "--after", "drain-order-queue", "--reason", "order")
    do("do", run, "start", "freeze-legacy")
    do("do", run, "fail", "freeze-legacy", "--reason", "lock timeout")
    do("do", run, "start", "freeze-legacy")  # the retry
    do("do", run, "complete", "freeze-legacy")
    do("do", run, "start", "drain-order-queue")
    do("do", run, "complete", "drain-order-queue")
    do("do", run, "skip", "snapshot-db", "--reason", "staging has no data")
    do("do", run, "skip", "export-media", "--reason", "staging has no media")
    do("do", run, "met", "restore-rehearsed")
    do("do", run, "waived", "dns-ttl-lowered", "--note", "TTL already 60s")
    do("do", run, "pass", "backup-verified", "--evidence", "RMAN COMPLETE")
    risk = ("--risk", "media export unverified")
    do("do", run, "go", "go-no-go-migration", "--approver", "alice", code=1)  # items open
    do("do", run, "conditional-go", "go-no-go-migration", "--approver", "sponsor", *risk)
    for item in ("rollback-rehearsed", "order-rekey-procedure", "change-approved"):
        do("do", run, "met", item)
    do("do", run, "go", "go-no-go-migration", "--approver", "alice")
    do("do", run, "no-go", "go-no-go-migration", "--reason", "x", code=1)  # decided already
    do("do", run, "fail-check", "backup-verified", "--evidence", "again", code=1)
    do("do", run, "rollback", "--reason", "rehearsing the way back")
    do("do", run, "end", "--outcome", "rolled-back", "--reason", "rehearsal over")
    events = open_run(run, runs).events()
    types = {e.type for e in events}
    assert types >= {
        "run-started",
        "comms-sent",
        "step-started",
        "step-suspended",
        "step-resumed",
        "step-completed",
        "step-skipped",
        "note-added",
        "estimate-changed",
        "step-added",
        "dependency-changed",
        "step-failed",
        "readiness-marked",
        "checkpoint-passed",
        "gate-decided",
        "rollback-invoked",
        "run-ended",
    }
    decisions = [(e.approver, e.decision) for e in events if e.type == "gate-decided"]
    assert decisions == [("sponsor", "conditional-go"), ("alice", "go")]
    assert do("verify", run).count("chain intact") == 1

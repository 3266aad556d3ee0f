"""The conductor: derived events written once, by the lease holder, caught up after a takeover."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time
from datetime import timedelta
from pathlib import Path

from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import AcceleratedClock, FixedClock
from cutover_tui.engine.events import StepStarted
from cutover_tui.journal.store import Journal, event_rows
from tests.journal_support import at, new_run

CTX = multiprocessing.get_context("spawn")
DERIVED = {"budget-exceeded", "trigger-fired", "window-alert", "clock-jumped"}


def derived(journal: Journal) -> list[tuple[str, str]]:
    return [
        (r["type"], r["key"]) for r in event_rows(Journal(journal.path)) if r["type"] in DERIVED
    ]


def started_slow(tmp_path: Path) -> Journal:
    journal = new_run(tmp_path)
    journal.append(StepStarted(actor="op", at=at(0), step="slow", key="slow-start"))
    return journal


def test_budget_and_trigger_written_once_when_due(tmp_path: Path) -> None:
    journal = started_slow(tmp_path)
    clock = FixedClock(at(10))
    conductor = Conductor(Journal(journal.path), clock, holder="A")
    assert conductor.tick() == []
    clock.set(at(16))  # 15m budget
    assert [e.type for e in conductor.tick()] == ["budget-exceeded"]
    assert conductor.tick() == []
    clock.set(at(31))  # running over 30m: the rollback trigger
    written = conductor.tick()
    assert [(e.type, e.at) for e in written] == [("trigger-fired", at(30))]
    assert written[0].action == "rollback"
    assert derived(journal) == [
        ("budget-exceeded", "budget:slow:1"),
        ("trigger-fired", "trigger:slow-stuck"),
    ]


def test_only_the_lease_holder_writes_and_a_successor_catches_up(tmp_path: Path) -> None:
    journal = started_slow(tmp_path)
    wall = [1000.0]
    a = Conductor(Journal(journal.path), FixedClock(at(10)), holder="A", wall=lambda: wall[0])
    b_clock = FixedClock(at(10))
    b = Conductor(Journal(journal.path), b_clock, holder="B", wall=lambda: wall[0])
    assert a.tick() == [] and a.holding
    b_clock.set(at(40))  # B's view: budget and trigger are due
    assert b.tick() == [] and not b.holding  # A holds the lease
    wall[0] += 10  # A has gone silent for 10 s: its lease expired
    written = b.tick()
    assert b.holding
    assert {e.type for e in written} == {"budget-exceeded", "trigger-fired"}
    assert not a.tick() and not a.holding  # A comes back: it lost the lease


def test_last_safe_rollback_point_and_deadline_alerts(tmp_path: Path) -> None:
    journal = new_run(tmp_path)
    clock = FixedClock(at(225))  # rollback takes 20m: last safe start 01:40 = +220m
    conductor = Conductor(Journal(journal.path), clock, holder="A")
    kinds = [(e.type, getattr(e, "alert", None)) for e in conductor.tick()]
    assert ("window-alert", "rollback-point") in kinds
    clock.set(at(241))
    kinds = [(e.type, getattr(e, "alert", None)) for e in conductor.tick()]
    assert ("window-alert", "deadline") in kinds


def test_a_clock_jump_is_recorded(tmp_path: Path) -> None:
    journal = new_run(tmp_path)
    clock = FixedClock(at(5))
    conductor = Conductor(Journal(journal.path), clock, holder="A")
    conductor.tick()
    clock.moment = clock.moment + timedelta(minutes=3)  # the wall clock alone moves
    jumped = [e for e in conductor.tick() if e.type == "clock-jumped"]
    assert len(jumped) == 1 and round(jumped[0].seconds) == 180


def _conduct(path: str, minutes: float, expiry: float | None, stop_after: float) -> None:
    kwargs = {} if expiry is None else {"expiry_s": expiry}
    conductor = Conductor(Journal(Path(path)), FixedClock(at(minutes)), **kwargs)
    end = time.monotonic() + stop_after
    while time.monotonic() < end:
        conductor.tick()
        time.sleep(0.02 if expiry else 1.0)  # allowed: a real process's heartbeat


def test_competing_conductor_processes_write_each_event_once(tmp_path: Path) -> None:
    journal = started_slow(tmp_path)
    procs = [CTX.Process(target=_conduct, args=(str(journal.path), 40, 0.5, 1.5)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert sorted(derived(journal)) == [
        ("budget-exceeded", "budget:slow:1"),
        ("trigger-fired", "trigger:slow-stuck"),
    ]


def test_a_killed_conductor_is_replaced_within_5_seconds_and_writes_once(tmp_path: Path) -> None:
    journal = started_slow(tmp_path)
    # The first sees nothing due (its clock says +10m); the second would write at +40m but
    # cannot while the first holds the lease. Both run the real heartbeat and lease expiry.
    first = CTX.Process(target=_conduct, args=(str(journal.path), 10, None, 120))
    first.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        row = Journal(journal.path).db.execute("SELECT pid FROM lease").fetchone()
        if row and row[0] == first.pid:
            break
        time.sleep(0.05)  # allowed: polling for a real process to take the lease
    second = CTX.Process(target=_conduct, args=(str(journal.path), 40, None, 120))
    second.start()
    time.sleep(1.5)  # allowed: real heartbeats, to show the second holds back while the first lives
    assert derived(journal) == []
    os.kill(first.pid, signal.SIGKILL)
    killed = time.monotonic()
    first.join()
    while not derived(journal) and time.monotonic() - killed < 30:
        time.sleep(0.05)  # allowed: polling for the successor's first write
    took = time.monotonic() - killed
    time.sleep(1.5)  # allowed: real heartbeats; nothing may be written twice
    os.kill(second.pid, signal.SIGKILL)
    second.join()
    assert took < 5.0
    assert sorted(derived(journal)) == [
        ("budget-exceeded", "budget:slow:1"),
        ("trigger-fired", "trigger:slow-stuck"),
    ]


async def test_apscheduler_date_job_fires_at_the_budget_end(tmp_path: Path) -> None:
    journal = new_run(tmp_path)
    journal.append(StepStarted(actor="boss", at=at(0), step="s0", key="s0"))
    clock = AcceleratedClock(at(0), factor=1200)  # 10 simulated minutes in 0.5 s
    conductor = Conductor(Journal(journal.path), clock, holder="A")
    await conductor.start()
    try:
        jobs = dict(conductor.jobs())
        assert f"due:{at(10).isoformat()}" in jobs  # s0's budget end, planned as a date job
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not derived(journal):
            await asyncio.sleep(0.05)
        assert ("budget-exceeded", "budget:s0:1") in derived(journal)
    finally:
        conductor.stop()


def test_the_window_warning_is_raised_once_when_the_buffer_falls_under_it(tmp_path: Path) -> None:
    # Nothing started: at 01:10 every step still projects from now, the longest ("slow",
    # 15m) to 01:25: 35m before the 02:00 deadline, more than the 30m warning. At 01:16 the
    # projection is 01:31, 29m before it: the warning is due, once.
    from cutover_tui.clock.conductor import next_due
    from cutover_tui.engine.schedule import schedule

    journal = new_run(tmp_path)
    clock = FixedClock(at(190))
    conductor = Conductor.open(journal.path, clock, holder="A")
    assert conductor.tick() == []
    state = conductor.journal.state()
    assert at(195) in next_due(state, schedule(state, at(190)), at(190))  # 35m - 30m from now
    clock.set(at(196))
    (warning,) = conductor.tick()
    assert (warning.type, warning.alert, warning.at) == ("window-alert", "breach-warning", at(196))
    assert "01:31 leaves 29m before the deadline 02:00 (the window warning is 30m)" in warning.text
    clock.set(at(200))
    assert conductor.tick() == []


def test_a_database_it_cannot_write_is_said_not_raised(tmp_path: Path) -> None:
    # A follower outside the run's group opens it read-only: its conductor never holds the
    # lease, says why, and the war room's loop carries on.
    import sqlite3

    journal = started_slow(tmp_path)
    reader = Journal(journal.path)
    reader.db = sqlite3.connect(f"file:{journal.path}?mode=ro", uri=True, isolation_level=None)
    conductor = Conductor(reader, FixedClock(at(40)), holder="A")
    assert conductor.tick() == []
    assert not conductor.holding and "readonly" in (conductor.problem or "").replace(" ", "")
    conductor.stop()
    assert derived(journal) == []

"""The conductor: derived events written once, by the lease holder, caught up after a takeover."""

from __future__ import annotations

import multiprocessing
import os
import signal
from datetime import timedelta
from pathlib import Path

from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import AcceleratedClock, FixedClock
from cutover_tui.engine.events import StepStarted
from cutover_tui.journal.backend import open_at
from cutover_tui.journal.lease import HEARTBEAT_S, LEASE_EXPIRY_S
from cutover_tui.journal.run_lookup import event_rows
from cutover_tui.journal.store import Journal
from tests.journal_support import at, new_run
from tests.waiting import until, until_async

CTX = multiprocessing.get_context("spawn")
DERIVED = {"budget-exceeded", "trigger-fired", "window-alert", "clock-jumped"}


def derived(journal: Journal) -> list[tuple[str, str]]:
    return [
        (r["type"], r["key"]) for r in event_rows(open_at(journal.locator)) if r["type"] in DERIVED
    ]


def started_slow(tmp_path: Path | str) -> Journal:
    journal = new_run(tmp_path)
    journal.append(StepStarted(actor="op", at=at(0), step="slow", key="slow-start"))
    return journal


def test_budget_and_trigger_written_once_when_due(where: Path | str) -> None:
    journal = started_slow(where)
    clock = FixedClock(at(10))
    conductor = Conductor(open_at(journal.locator), clock, holder="A")
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


def test_only_the_lease_holder_writes_and_a_successor_catches_up(where: Path | str) -> None:
    journal = started_slow(where)
    wall = [1000.0]
    a = Conductor(open_at(journal.locator), FixedClock(at(10)), holder="A", wall=lambda: wall[0])
    b_clock = FixedClock(at(10))
    b = Conductor(open_at(journal.locator), b_clock, holder="B", wall=lambda: wall[0])
    assert a.tick() == [] and a.holding
    b_clock.set(at(40))  # B's view: budget and trigger are due
    assert b.tick() == [] and not b.holding  # A holds the lease
    wall[0] += 10  # A has gone silent for 10 s: its lease expired
    written = b.tick()
    assert b.holding
    assert {e.type for e in written} == {"budget-exceeded", "trigger-fired"}
    assert not a.tick() and not a.holding  # A comes back: it lost the lease


def test_a_silent_holder_is_replaced_on_the_first_heartbeat_after_its_lease_expires(
    where: Path | str,
) -> None:
    """The takeover promise (a dead conductor is replaced within 5 s) as lease arithmetic on an
    injected wall clock: a timing assertion on a real process would depend on the machine's load."""
    journal = started_slow(where)
    wall = [1000.0]
    a = Conductor(open_at(journal.locator), FixedClock(at(10)), holder="A", wall=lambda: wall[0])
    b = Conductor(open_at(journal.locator), FixedClock(at(40)), holder="B", wall=lambda: wall[0])
    assert a.tick() == [] and a.holding  # A's last heartbeat, then A dies
    wall[0] += LEASE_EXPIRY_S  # not yet expired: B holds back
    assert b.tick() == [] and not b.holding
    wall[0] += HEARTBEAT_S  # B's next heartbeat: the lease has expired, B writes
    assert {e.type for e in b.tick()} == {"budget-exceeded", "trigger-fired"} and b.holding
    assert LEASE_EXPIRY_S + HEARTBEAT_S <= 5.0


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


def _conduct(path: str, minutes: float, expiry: float | None, stop, ticks) -> None:
    """A conductor process: it ticks at its heartbeat until told to stop, counting its ticks."""
    kwargs = {} if expiry is None else {"expiry_s": expiry}
    conductor = Conductor(open_at(path), FixedClock(at(minutes)), **kwargs)
    heartbeat = 0.02 if expiry else 1.0  # a short lease gets a quick heartbeat
    while True:
        conductor.tick()
        with ticks.get_lock():
            ticks.value += 1
        if stop.wait(heartbeat):  # the wait for the next heartbeat ends at once on stop
            return


def _conductors(journal: Journal, *specs: tuple[float, float | None]):
    """Start one conductor process per (clock minutes, lease expiry); with their stop and tick
    counters, so a test waits on what they did, not on how long they ran."""
    stop = CTX.Event()
    procs, ticks = [], []
    for minutes, expiry in specs:
        counter = CTX.Value("i", 0)
        proc = CTX.Process(target=_conduct, args=(journal.locator, minutes, expiry, stop, counter))
        proc.start()
        procs.append(proc)
        ticks.append(counter)
    return stop, procs, ticks


def test_competing_conductor_processes_write_each_event_once(where: Path | str) -> None:
    journal = started_slow(where)
    stop, procs, ticks = _conductors(journal, *[(40, 0.5)] * 3)
    until(lambda: len(derived(journal)) == 2, "the derived events written")
    # Every process has gone on ticking since (each tried to write again): still once each.
    after = [t.value for t in ticks]
    until(lambda: all(t.value >= n + 5 for t, n in zip(ticks, after, strict=True)), "more ticks")
    stop.set()
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert sorted(derived(journal)) == [
        ("budget-exceeded", "budget:slow:1"),
        ("trigger-fired", "trigger:slow-stuck"),
    ]


def test_a_killed_conductor_process_is_replaced_and_its_successor_writes_once(
    where: Path | str,
) -> None:
    journal = started_slow(where)
    # The first sees nothing due (its clock says +10m); the second would write at +40m but
    # cannot while the first holds the lease. Both run the real heartbeat and lease expiry.
    # Each stop Event is kept referenced: a child unpickles its semaphore after start(), and one
    # collected in the parent by then is gone (FileNotFoundError in the child).
    _first_stop, (first,), _ = _conductors(journal, (10, None))

    def lease_pid() -> int | None:
        row = open_at(journal.locator).db.execute("SELECT pid FROM lease").fetchone()
        return row[0] if row else None

    until(lambda: lease_pid() == first.pid, "the first conductor takes the lease")
    _second_stop, (second,), (second_ticks,) = _conductors(journal, (40, None))
    # The second has tried twice (two heartbeats) while the first lives: it held back.
    until(lambda: second_ticks.value >= 2, "the second conductor's heartbeats")
    assert derived(journal) == []
    os.kill(first.pid, signal.SIGKILL)
    first.join()
    until(lambda: derived(journal), "the successor's first write")
    # Two more heartbeats of the successor: nothing may be written twice.
    ticked = second_ticks.value
    until(lambda: second_ticks.value >= ticked + 2, "the successor's next heartbeats")
    os.kill(second.pid, signal.SIGKILL)
    second.join()
    # No stop.set(): both were SIGKILLed inside stop.wait(), and a multiprocessing Event whose
    # waiter died never hears back from it, so setting it would block this test for good.
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
        await until_async(lambda: derived(journal), "the date job's write", timeout=10)
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

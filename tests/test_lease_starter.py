"""The starter's conductor gets the lease: a conductor that runs the run's checks takes a live
lease from one that runs none, never the other way round, and derived events stay written once.

Found using the war room as different OS users: the operator's war room opened first, held
the lease all night, and ran no check or probe (only the starter's login may). The decision
is `journal.lease.decide`; these tests ask it directly (a table and a property over a real
SQLite file) and through two conductors on one run (tests/test_lease_starter_os.py does it
with real OS users and processes).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cutover_tui.clock.check_claim import SAY_AFTER_S
from cutover_tui.clock.conductor import Conductor, derived_events
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.schedule import schedule
from cutover_tui.journal.backend import open_at
from cutover_tui.journal.lease import (
    CHECKS_MARK,
    LEASE_EXPIRY_S,
    acquire_or_renew,
    decide,
    holder_id,
    lease_status,
    release,
)
from cutover_tui.journal.run_lookup import event_rows
from cutover_tui.journal.store import Journal
from tests.checks_support import checks_plan, new_checks_run, py_check, start
from tests.journal_support import at, new_run

EXPIRY = LEASE_EXPIRY_S
LIVE, EXPIRED = 1000.0 - 1.0, 1000.0 - EXPIRY - 1.0  # heartbeats seen at now = 1000

# (the row: holder text and heartbeat, or None) x (the asker runs checks) -> what it does
TABLE = [
    (None, False, "insert"),
    (None, True, "insert"),
    (("me", LIVE), False, "renew"),
    (("me" + CHECKS_MARK, LIVE), False, "renew"),  # its mark follows what it runs now
    (("me", EXPIRED), True, "renew"),
    (("op", LIVE), False, "wait"),  # first come, first served between non-starters
    (("op", LIVE), True, "take"),  # the starter's conductor takes it from the operator's
    (("boss" + CHECKS_MARK, LIVE), False, "wait"),  # a non-starter never takes it back
    (("boss" + CHECKS_MARK, LIVE), True, "wait"),  # two starters: first wins
    (("op", EXPIRED), False, "take"),
    (("boss" + CHECKS_MARK, EXPIRED), False, "take"),  # the starter gone: anyone conducts
    (("boss" + CHECKS_MARK, EXPIRED), True, "take"),
]


@pytest.mark.parametrize(("row", "runs_checks", "expected"), TABLE)
def test_who_holds_and_who_asks(
    tmp_path: Path, row: tuple[str, float] | None, runs_checks: bool, expected: str
) -> None:
    assert decide(row, "me", runs_checks, 1000.0, EXPIRY) == expected
    journal = new_run(tmp_path, steps=1)  # and on a real run file, in its write transaction
    if row is not None:
        journal.db.execute(
            "INSERT INTO lease VALUES (1, ?, 1, 'h', ?, ?)", (row[0], row[1], row[1])
        )
        journal.db.commit()
    held = acquire_or_renew(journal, "me", 1000.0, EXPIRY, runs_checks=runs_checks)
    holder = journal.db.execute("SELECT holder FROM lease").fetchone()[0]
    assert held == (expected != "wait")
    mine = "me" + CHECKS_MARK if runs_checks else "me"
    assert holder == (mine if held else row[0])  # type: ignore[index]


ASKS = st.lists(
    st.tuples(st.sampled_from(["boss", "boss2", "op", "op2"]), st.floats(0, 2 * EXPIRY)),
    max_size=30,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(asks=ASKS)
def test_a_live_starter_is_never_displaced_and_no_two_hold(tmp_path: Path, asks: list) -> None:
    """Starters (`boss*`: they run checks) and non-starters ask in any order, time moving on;
    whoever the row names is the only one told it holds, and a holder that runs checks loses
    the lease only by falling silent past the expiry."""
    journal = Journal(_run_file(tmp_path))
    journal.db.execute("DELETE FROM lease")
    journal.db.commit()
    now = 1000.0
    for who, gap in asks:
        now += gap
        before = journal.db.execute("SELECT holder, heartbeat FROM lease").fetchone()
        held = acquire_or_renew(journal, who, now, EXPIRY, runs_checks=who.startswith("boss"))
        after = journal.db.execute("SELECT holder FROM lease").fetchone()
        assert held == (after is not None and after[0].removesuffix(CHECKS_MARK) == who)
        if before is not None and before[0].endswith(CHECKS_MARK) and now - before[1] <= EXPIRY:
            assert after[0] == before[0]  # renewed by its holder, or left alone
    journal.close()


_FILES: dict[Path, Path] = {}


def _run_file(tmp_path: Path) -> Path:
    """One run file per test (hypothesis calls the test body many times in one tmp_path)."""
    if tmp_path not in _FILES:
        _FILES[tmp_path] = new_run(tmp_path, steps=1).path
    return _FILES[tmp_path]


def test_release_and_the_status_line_read_a_marked_holder(tmp_path: Path) -> None:
    journal = new_run(tmp_path, steps=1)
    assert acquire_or_renew(journal, holder_id(), 1000.0, runs_checks=True)
    assert lease_status(journal, 1000.0) == "ok: this process"  # the mark is not a stranger
    release(journal, holder_id())
    assert journal.db.execute("SELECT count(*) FROM lease").fetchone() == (0,)


def _not_the_starter(conductor: Conductor) -> Conductor:
    """A conductor of this process made to judge as a non-starter does (both logins cannot
    share one process; tests/test_lease_starter_os.py runs the real two)."""
    conductor.claim.judged, conductor.claim.refused = True, "this process is op"
    return conductor


def _checks_run(tmp_path: Path, marker: Path) -> Path:
    plan = checks_plan({"count": py_check(f"open({str(marker)!r}, 'w').write('ran')")})
    journal = new_checks_run(tmp_path, plan)  # started by boss: this process's login
    start(journal, "count")  # a 10-minute checkpoint from minute 1
    journal.close()
    return journal.path


def _keys(path: Path) -> list[str]:
    return [r["key"] for r in event_rows(Journal(path)) if r["actor"] == "conductor"]


def test_the_starters_conductor_takes_the_lease_and_runs_the_check(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = _checks_run(tmp_path, marker)
    wall = [1000.0]
    op = _not_the_starter(Conductor(Journal(path), FixedClock(at(2)), "op", wall=lambda: wall[0]))
    op.tick()
    wall[0] += SAY_AFTER_S  # no starter's conductor came: it says no check runs
    op.tick()
    assert op.holding and not marker.exists()
    assert _keys(path) == [f"checks-not-run:{_login()}@1000.000000"]  # its tenure's
    boss = Conductor(Journal(path), FixedClock(at(2)), "boss", wall=lambda: wall[0])
    wall[0] += 0.5  # the operator's heartbeat is live
    # The log says checks run again (tests/test_lease_handover_note.py), then the check's result.
    assert [e.type for e in boss.tick()] == ["note-added", "checkpoint-passed"]
    assert boss.holding and marker.read_text() == "ran"
    for _ in range(5):  # the operator's next heartbeats: it follows, and never takes it back
        wall[0] += 1.0
        assert op.tick() == [] and not op.holding
        boss.tick()
    holder = Journal(path).db.execute("SELECT holder FROM lease").fetchone()[0]
    assert holder == "boss" + CHECKS_MARK
    boss.stop()  # the starter leaves: the operator conducts again at once
    op.tick()
    assert op.holding


def test_a_hand_over_writes_each_derived_event_once(tmp_path: Path) -> None:
    """The operator's conductor worked out the budget overrun and the starter's took the
    lease before it wrote it: the idempotency keys keep one of each."""
    path = _checks_run(tmp_path, tmp_path / "ran")
    wall = [1000.0]
    op = _not_the_starter(Conductor(Journal(path), FixedClock(at(5)), "op", wall=lambda: wall[0]))
    op.tick()
    late = at(12)  # the checkpoint's 10-minute budget has passed
    op.clock.set(late)
    state = op.journal.state()
    pending = derived_events(state, schedule(state, late), late)  # worked out, not yet written
    assert [e.key for e in pending] == ["budget:count:1"]
    boss = Conductor(Journal(path), FixedClock(late), "boss", wall=lambda: wall[0])
    took = {e.key: e.seq for e in boss.tick()}
    assert took.keys() >= {"budget:count:1", "check:count:1"}
    again = op._write(pending)  # its write after the hand-over: the key finds the stored one
    assert [e.seq for e in again] == [took["budget:count:1"]]
    assert op.tick() == [] and boss.tick() == []
    keys = _keys(path)
    assert sorted(keys) == sorted(set(keys)), keys
    assert keys.count("budget:count:1") == 1 and keys.count("check:count:1") == 1


def test_an_old_run_file_with_an_unmarked_holder_still_works(tmp_path: Path) -> None:
    """A holder written before the mark (an older cutover) is one that runs no checks."""
    journal = new_run(tmp_path, steps=1)
    journal.db.execute("INSERT INTO lease VALUES (1, 'old:42', 42, 'old', 999.0, 999.0)")
    journal.db.commit()
    assert not acquire_or_renew(journal, "op", 1000.0)
    assert "pid 42" in lease_status(journal, 1000.0)
    assert acquire_or_renew(journal, "boss", 1000.0, runs_checks=True)
    row = sqlite3.connect(journal.path).execute("SELECT holder, pid FROM lease").fetchone()
    assert row[0] == "boss" + CHECKS_MARK


def _login() -> str:
    from cutover_tui.journal.identity import os_login

    return os_login()


def test_the_starters_cutover_check_runs_while_an_operators_conductor_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`cutover check RUN STEP` by the starter conducts for the moment: it takes the lease
    from the operator's conductor (alive, runs no checks), runs the check, and hands the
    lease back; it waited for a result that conductor would never record."""
    from cutover_tui.cli import main

    marker = tmp_path / "ran"
    path = _checks_run(tmp_path, marker)
    journal = Journal(path)
    far = time.time() + 3600  # the operator's heartbeat: live for the whole test
    journal.db.execute("INSERT INTO lease VALUES (1, 'op-room:1', 1, 'op-room', ?, ?)", (far, far))
    journal.db.commit()
    run_id = journal.meta["run_id"]
    assert main(["check", run_id, "count", "--runs", str(path.parent)]) == 0, capsys.readouterr()
    assert marker.read_text() == "ran"
    assert journal.db.execute("SELECT count(*) FROM lease").fetchone() == (0,)  # handed back


def test_the_take_over_on_either_backend(where: Path | str) -> None:
    """The same SQL on SQLite and PostgreSQL (its own lease table, unchanged): the mark is in
    the holder text, so neither schema grows a column."""
    journal = new_run(where, steps=1)
    op, boss = open_at(journal.locator), open_at(journal.locator)
    assert acquire_or_renew(op, "op", 1000.0)
    assert not acquire_or_renew(boss, "op2", 1000.5)  # a second non-starter waits
    assert acquire_or_renew(boss, "boss", 1000.5, runs_checks=True)
    assert not acquire_or_renew(op, "op", 1001.0)  # the operator's next renewal: gone
    assert acquire_or_renew(boss, "boss", 1001.5, runs_checks=True)
    release(boss, "boss")
    assert acquire_or_renew(op, "op", 1002.0)


def test_nothing_is_said_when_the_starters_conductor_takes_over_at_the_start(
    tmp_path: Path,
) -> None:
    """Operators' war rooms open first; the run starts; the operator's conductor judges it
    runs no checks, but the starter's (open too) takes the lease on its next heartbeat: the
    log must not say, every night, that no check runs."""
    path = _checks_run(tmp_path, tmp_path / "ran")
    wall = [1000.0]
    op = _not_the_starter(Conductor(Journal(path), FixedClock(at(2)), "op", wall=lambda: wall[0]))
    boss = Conductor(Journal(path), FixedClock(at(2)), "boss", wall=lambda: wall[0])
    op.tick()
    assert op.holding
    for _ in range(10):  # heartbeats, well past SAY_AFTER_S
        wall[0] += 1.0
        boss.tick()
        op.tick()
    assert boss.holding and not op.holding
    assert _keys(path) == ["check:count:1"]

"""A war room watching a run while the host's wall clock jumps: it says no ROLL BACK on the
jump alone, not even before the conductor has recorded it, and its time does not stand still
when nobody records it (Pilot, a real SQLite file, a clock whose wall time alone moves)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import JUMP_TOLERANCE, FixedClock
from cutover_tui.engine.events import ClockJumped, StepStarted
from cutover_tui.journal.run import JournalRun
from cutover_tui.journal.store import Journal
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.jump_hold import HOLD_S, JumpHold
from cutover_tui.tui.widgets.comms import CommsLog
from tests.journal_support import at, new_run
from tests.warroom_support import notices, settle


def watching(tmp_path: Path) -> tuple[FixedClock, Conductor, WarRoomApp]:
    """`slow` (roll back if it runs over 30m) started at 22:00; at 22:10 a conductor in
    another process (`cutover conduct`) and a war room that only watches, ticked by hand."""
    journal = new_run(tmp_path)
    journal.append(StepStarted(actor="op", at=at(0), step="slow", key="slow-start"))
    clock = FixedClock(at(10))
    conductor = Conductor(journal.reopen(), clock, holder="elsewhere")
    conductor.tick()
    source = JournalRun(Journal(journal.path), "boss", now=clock.now, monotonic=clock.monotonic)
    return clock, conductor, WarRoomApp(source, clock, tick_seconds=3600, poll_seconds=3600)


def rollback_said(app: WarRoomApp) -> list[str]:
    return [n for n in notices(app) if "rollback" in n.lower()]


async def test_a_war_room_that_sees_the_jump_first_says_no_roll_back(tmp_path: Path) -> None:
    clock, conductor, app = watching(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: app.frame is not None)
        clock.moment += timedelta(minutes=25)  # the wall clock alone moves: 22:35
        app.tick()  # the war room looks before the conductor's heartbeat
        assert app.frame.verdict.stage == "on-track" and not app.frame.sched.fired
        conductor.tick()  # the conductor records the jump; the war room reads it
        app.poll_journal()
        assert app.frame.verdict.stage == "on-track" and app.frame.now == at(35)
        log = app.query_one(CommsLog)
        jumped = "host clock jumped +25m: running steps count only"
        await settle(pilot, lambda: any(jumped in s for s in log.plain_lines()))  # drawn
        assert rollback_said(app) == []


async def test_a_jump_nobody_records_holds_the_war_room_for_seconds_only(tmp_path: Path) -> None:
    clock, _, app = watching(tmp_path)  # the conductor died: nothing records the jump
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: app.frame is not None)
        clock.moment += timedelta(minutes=25)
        app.tick()
        assert app.frame.verdict.stage == "on-track"
        clock.advance(timedelta(seconds=HOLD_S))  # no record came: the wall clock it is
        app.tick()
        assert app.frame.now == at(35) + timedelta(seconds=HOLD_S)
        assert app.frame.verdict.stage == "roll-back"  # what a room with no conductor saw before


MOVES = st.lists(
    st.tuples(st.sampled_from(["jump", "pass"]), st.integers(-3600, 3600)), max_size=12
)


@settings(max_examples=200, deadline=None)
@given(moves=MOVES)
def test_the_held_moment_keeps_time_passing_and_leaves_out_only_jumps(moves: list) -> None:
    """Wall-only moves over the tolerance are left out until a clock-jumped event arrives;
    time passing (and a move within the tolerance) counts, whatever the order."""
    clock = FixedClock(at(10))
    held = JumpHold(clock)
    expected, passed = at(10), 0.0
    for kind, seconds in moves:
        if kind == "pass":
            seconds = abs(seconds) % int(HOLD_S)  # within one hold: the jumps stay left out
            if passed + seconds >= HOLD_S:
                break
            passed += seconds
            clock.advance(timedelta(seconds=seconds))
            expected += timedelta(seconds=seconds)
        else:
            clock.moment += timedelta(seconds=seconds)
            if abs(seconds) <= JUMP_TOLERANCE.total_seconds():
                expected += timedelta(seconds=seconds)
        assert held.moment() == expected
    record = ClockJumped(actor="conductor", at=clock.now(), seconds=0.0, key="jump")
    assert held.moment([record]) == clock.now()

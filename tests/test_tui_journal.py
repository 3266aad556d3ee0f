"""Two war rooms on one run file: what one does, the other shows, alerts included."""

from __future__ import annotations

from pathlib import Path

from cutover_tui.clocks import FixedClock
from cutover_tui.journal.run import JournalRun
from cutover_tui.journal.store import Journal
from cutover_tui.tui.app import WarRoomApp
from tests.journal_support import at, new_run
from tests.warroom_support import settle

SIZE = (160, 48)


def app_on(path: Path, actor: str, clock: FixedClock, read_only: bool = False) -> WarRoomApp:
    source = JournalRun(Journal(path), actor, now=clock.now, read_only=read_only)
    return WarRoomApp(source, clock, poll_seconds=0.05)


async def test_an_action_in_one_war_room_appears_in_the_other(tmp_path: Path) -> None:
    journal = new_run(tmp_path)
    clock = FixedClock(at(1))
    commander = app_on(journal.path, "boss", clock)
    follower = app_on(journal.path, "op", clock, read_only=True)
    async with commander.run_test(size=SIZE) as pilot_a, follower.run_test(size=SIZE) as pilot_b:
        commander.action_start("s0")
        await pilot_a.pause()
        # The follower polls every 0.05 s: wait for it, however long a loaded machine takes.
        await settle(pilot_b, lambda: follower.state.status["s0"].status == "running")
        assert "s0" in follower.frame.sched.running


async def test_an_alert_reaches_a_follower_without_the_commander(tmp_path: Path) -> None:
    journal = new_run(tmp_path)
    clock = FixedClock(at(1))
    commander = app_on(journal.path, "boss", clock)
    follower = app_on(journal.path, "op", clock, read_only=True)
    async with commander.run_test(size=SIZE) as pilot_a, follower.run_test(size=SIZE) as pilot_b:
        commander.action_start("s0")
        await pilot_a.pause()
        clock.set(at(12))  # s0 has a 10m budget
        follower.refresh_run()
        await settle(
            pilot_b,
            lambda: any("past its 10m budget" in n.message for n in follower._notifications),
        )


async def test_a_follower_is_refused_commands_with_a_reason(tmp_path: Path) -> None:
    journal = new_run(tmp_path)
    follower = app_on(journal.path, "boss", FixedClock(at(1)), read_only=True)
    async with follower.run_test(size=SIZE) as pilot:
        follower.action_start("s0")
        await pilot.pause()
        assert any("read-only" in n.message for n in follower._notifications)
        assert follower.state.status["s0"].status == "pending"

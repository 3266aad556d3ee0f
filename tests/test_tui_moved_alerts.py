"""A war room on a run file whose run moved raises no alert from the file's stale state.

Review (2026-12-02): once the run moved (`cutover migrate`), the status bar hid the file's
figures as stale and said where the run went, but the room kept scheduling the file's last
state against its moving clock: "Window breach likely: the plan finishes at 02:07 ... after the
02:00 deadline" and the like, toasts about a night that went on in PostgreSQL. The mark is written
here with the function migrate uses (tests/test_moved_readers.py does the same)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import StepStarted
from cutover_tui.journal import moved
from cutover_tui.journal.run import JournalRun
from cutover_tui.journal.store import Journal
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.widgets.status import StatusBar
from tests.journal_support import at, new_run
from tests.warroom_support import notices, settle


async def test_a_moved_files_stale_state_raises_no_alerts(tmp_path) -> None:
    journal = new_run(tmp_path, steps=4)
    journal.append(StepStarted(actor="boss", at=at(1), step="s0", key="a"))  # a 10m budget
    clock = FixedClock(at(2))
    app = WarRoomApp(JournalRun(Journal(journal.path), "boss", now=clock.now), clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: app.frame is not None)
        db = sqlite3.connect(journal.path)
        with db:
            moved.mark(db, "postgresql://h/db", "2026-12-02 21:00Z", "ops")
        db.close()
        await settle(pilot, lambda: "MOVED to postgresql://h/db" in app.query_one(StatusBar).plain)
        before = list(notices(app))
        clock.advance(timedelta(hours=3, minutes=50))  # past s0's budget, the trigger, the window
        app.refresh_run([])
        assert app.frame is not None and app.frame.sched.steps["s0"].overrun  # stale, late
        app.notify("sentinel")  # toasts land in order: any alert raised above is in before it
        await settle(pilot, lambda: "sentinel" in notices(app))
        assert notices(app) == [*before, "sentinel"]

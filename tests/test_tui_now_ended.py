"""An ended run's Now pane measures a step it left running to the run's end, not to today.

Regression: `cutover follow` on a rehearsal aborted eleven days before, with steps left
running, read "elapsed 11d23h19m of 30m ... +11d22h49m" under a clock that said "(stopped)".
A real run file, the war room under Pilot.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import OptionList

from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import RunEnded, StepCompleted, StepStarted
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.run import JournalRun
from cutover_tui.journal.store import Journal
from cutover_tui.plan import load_plan
from cutover_tui.tui.app import WarRoomApp
from tests.warroom_support import PLAN_PATH, at, settle, started


def aborted_run(directory: Path) -> Journal:
    """backup (30m) started at 22:14 and left running when the run was aborted at 22:20."""
    journal = Journal.create(directory, load_plan(PLAN_PATH), rehearsal=True, created_by=os_login())
    script = started(
        StepStarted(actor="dba", at=at(0), step="freeze", key="f1"),
        StepCompleted(actor="dba", at=at(14), step="freeze", key="f2"),
        StepStarted(actor="dba", at=at(14), step="backup", key="b1"),
        RunEnded(actor="alice", at=at(20), outcome="aborted", reason="drill over", key="end"),
    )
    for event in script:
        journal.append(event, now=lambda e=event: e.at)
    return journal


async def test_a_step_left_running_is_timed_to_the_end(tmp_path: Path) -> None:
    journal = aborted_run(tmp_path)
    clock = FixedClock(at(20) + timedelta(days=11))  # opened eleven days later
    source = JournalRun(Journal(journal.path), "alice", now=clock.now, read_only=True)
    app = WarRoomApp(source, clock, poll_seconds=0.05)
    async with app.run_test(size=(160, 48)) as pilot:

        def backup_line() -> str:
            listed = app.query_one("#now-list", OptionList)
            texts = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
            return next((t for t in texts if "backup" in t), "")

        await settle(pilot, backup_line)
        assert "elapsed 6m of 30m" in backup_line(), backup_line()
        assert "11d" not in backup_line()

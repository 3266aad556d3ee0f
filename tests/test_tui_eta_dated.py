"""The war room dates a suspension's ETA that is not on the run's night, as every refusal and
echo of a time does (engine/times.stamp).

Found in review (2026-12-02): the suspend form now takes the dated ETA its own refusal suggests
("01:30 has passed ...: write it with its date (2026-11-28T01:30)"), and then the Now pane said
"resumes ~01:30" and the comms log "(ETA 01:30)": the very time the refusal had said passed an
hour ago. A real run file, the war room under Pilot.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList

from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import StepStarted, StepSuspended
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.run import JournalRun
from cutover_tui.journal.store import Journal
from cutover_tui.plan import load_plan
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.widgets.comms import CommsLog
from tests.warroom_support import PLAN_PATH, at, settle, started


async def test_an_eta_off_the_runs_night_is_dated_in_the_now_pane_and_the_log(
    tmp_path: Path,
) -> None:
    eta = at(24 * 60 + 210)  # 01:30 the night after: the run began at 22:00
    journal = Journal.create(tmp_path, load_plan(PLAN_PATH), rehearsal=True, created_by=os_login())
    for event in started(
        StepStarted(actor="dba", at=at(0), step="freeze", key="f1"),
        StepSuspended(actor="dba", at=at(280), step="freeze", reason="vendor", eta=eta, key="s"),
    ):
        journal.append(event, now=lambda e=event: e.at)
    clock = FixedClock(at(281))  # 02:41: 01:30 tonight passed an hour ago
    app = WarRoomApp(JournalRun(Journal(journal.path), "alice", now=clock.now), clock)
    day = f"{eta.astimezone(load_plan(PLAN_PATH).plan.zone):%Y-%m-%d} 01:30"
    async with app.run_test(size=(160, 48)) as pilot:

        def freeze_line() -> str:
            listed = app.query_one("#now-list", OptionList)
            texts = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
            return next((t for t in texts if "freeze" in t and "resumes" in t), "")

        await settle(pilot, freeze_line)
        assert f"resumes ~{day}" in freeze_line(), freeze_line()
        log = app.query_one(CommsLog).plain_lines()
        assert any(f"(ETA {day})" in line for line in log), log

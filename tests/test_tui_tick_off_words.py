"""The war room's `w` says how a step without a timing was recorded: a step started and
completed at one moment (the same `--at` twice) was not "ticked off seconds after starting".

Regression (close note 13): the Pace line of `w` said "(1 more ticked off seconds after
starting: no timings)" for freeze, started and completed at 22:00 with `cutover do --at`.
A rehearsal run file made with the real CLI (its main), the war room on it with Pilot.
"""

from __future__ import annotations

from pathlib import Path

from cutover_tui.clocks import FixedClock
from cutover_tui.journal.run import JournalRun
from cutover_tui.journal.run_lookup import open_run
from cutover_tui.journal.store import Journal
from cutover_tui.tui.app import WarRoomApp
from tests.test_cli_run import LAST_NIGHT
from tests.test_status_no_go import rehearsal_by_cli
from tests.warroom_support import settle

SIZE = (160, 48)


def shown(app: WarRoomApp) -> str:
    return "\n".join(str(part.render()) for part in app.screen.query(".live-part"))


async def test_w_says_a_step_done_at_one_moment_was_ticked_off_at_one_moment(
    tmp_path: Path,
) -> None:
    run, runs = rehearsal_by_cli(tmp_path, [("start", "freeze", 0), ("complete", "freeze", 0)])
    path = open_run(run, runs).path
    clock = FixedClock(LAST_NIGHT.replace(minute=5))
    app = WarRoomApp(JournalRun(Journal(path), "alice", now=clock.now), clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: app.frame is not None and app.frame.foresight is not None)
        await pilot.press("w")
        await settle(pilot, lambda: "Pace" in shown(app))
        text = shown(app)
        assert "seconds after starting" not in text, text
        said = "(1 more ticked off, started and completed at one moment: no timings)"
        assert said in text, text

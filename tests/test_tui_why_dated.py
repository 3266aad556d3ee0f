"""`w` says the finish the status line says, and when it was worked out.

Found in review (2026-12-03): a rehearsal with nothing started, at 80x24, read "likely 11:21"
on the status line and "likely 11:22" in `w` opened six seconds later. Both read the one
frame (a recompute in between moved both), but `w` covers the status line at that size and
gave no time for its figure, so it read as a second voice. `w` dates the odds now.
"""

from __future__ import annotations

import re
from datetime import timedelta

from textual.widgets import Static

from cutover_tui.engine.events import RunStarted
from tests.warroom_support import at, settle, war_room


def status_likely(app) -> str:
    return re.search(r"likely (\d\d:\d\d)", app.query_one("StatusBar").plain).group(1)


def why_finish(app) -> str:
    said = [str(s.render()) for s in app.screen.query(Static)]
    return next((line for line in said if line.startswith("Finish")), "")


async def test_w_gives_the_status_lines_finish_with_the_moment_it_was_worked_out() -> None:
    begun = RunStarted(actor="alice", at=at(10), plan_id="warroom", key="s", mode="rehearsal")
    app = war_room("alice", [begun], at(20) + timedelta(seconds=20))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(
            pilot, lambda: app.frame is not None and "likely" in app.query_one("StatusBar").plain
        )
        await pilot.press("w")
        await settle(pilot, lambda: why_finish(app))
        assert f"likely {status_likely(app)} " in why_finish(app), why_finish(app)
        assert "worked out at 22:20:20" in why_finish(app), why_finish(app)
        # The clock moves past a recompute with `w` open: nothing started, the finish moves,
        # and both say the new figure, dated anew.
        app.clock.set(at(20) + timedelta(seconds=34))
        app.tick()
        await settle(pilot, lambda: "worked out at 22:20:34" in why_finish(app))
        assert f"likely {status_likely(app)} " in why_finish(app), why_finish(app)

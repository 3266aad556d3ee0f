"""The Now pane measures a suspended step as the schedule does: to its suspension.

Found in review (2026-12-03): the pane counted the current suspension as time run. Freeze
(15m) suspended five minutes in and looked at 35 minutes later read "elapsed 40m of 15m
+25m" in red, while the schedule (and the forecast) stopped its clock at the suspension and
had it finish ten minutes after it resumes.
"""

from __future__ import annotations

from textual.widgets import OptionList

from cutover_tui.engine.events import StepStarted, StepSuspended
from tests.warroom_support import at, settle, started, war_room


def row_of(app, step: str) -> str:
    listed = app.query_one("#now-list", OptionList)
    rows = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
    return next((row for row in rows if f" {step}" in row), "")


async def test_a_suspended_step_has_run_only_until_its_suspension() -> None:
    events = started(
        StepStarted(actor="dba", at=at(0), step="freeze"),
        StepSuspended(actor="dba", at=at(5), step="freeze", reason="vendor call"),
    )
    app = war_room("alice", events, at(40))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: row_of(app, "freeze"))
        row = row_of(app, "freeze")
        assert "elapsed 5m of 15m" in row, row
        assert "+25m" not in row, row
        # The pane's end is the schedule's: ten minutes left once it resumes (now, 22:40).
        assert "ends 22:50" in row, row
        assert "suspended since 22:05: vendor call" in row, row


async def test_a_step_suspended_over_budget_says_one_figure_in_the_pane_and_in_w() -> None:
    events = started(
        StepStarted(actor="dba", at=at(0), step="freeze"),
        StepSuspended(actor="dba", at=at(20), step="freeze", reason="vendor call"),
    )
    app = war_room("alice", events, at(60))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: row_of(app, "freeze"))
        assert "elapsed 20m of 15m" in row_of(app, "freeze"), row_of(app, "freeze")
        # `w`'s overrun rule measures it as the pane does, not to now (1h).
        said = [r.text for r in app.frame.verdict.rules if r.name == "overrun"]
        assert said and "freeze has run 20m against its 15m budget" in said[0], said

"""The timeline's vertical lines and legend tell the status line's truth: rolling back, the
RTO's restore-by and no rollback point; ended, what happened and no deadline still to come."""

from __future__ import annotations

import pytest
from textual.content import Content

from cutover_tui.engine.events import (
    RollbackInvoked,
    RunEnded,
    StepCompleted,
    StepStarted,
)
from cutover_tui.tui.widgets.status import StatusBar
from cutover_tui.tui.widgets.timeline import Timeline
from tests.warroom_support import at, settle, started, through_load, war_room


def _legend(app) -> str:
    return Content.from_markup(str(app.query_one(Timeline).border_title)).plain


def _moments(app) -> list:
    """Where the chart draws its vertical lines."""
    from cutover_tui.tui.widgets.timeline import _lines

    return [line.moment for line in _lines(app.frame)]


def _rolling_back() -> list:
    """The load stuck: rollback invoked at 23:00; the RTO (45m) makes it restore by 23:45."""
    return [*through_load(), RollbackInvoked(actor="alice", at=at(60), reason="stuck", key="rb")]


@pytest.mark.parametrize("size", [(160, 48), (80, 24)], ids=["160x48", "80x24"])
async def test_rolling_back_the_timeline_shows_the_restore_by_the_status_line_shows(
    size: tuple[int, int],
) -> None:
    # Regression (user pass): the status line said RESTORE BY 23:45 while the legend and
    # the lines still said "rollback by 00:45 ┃ deadline 02:00"; the RTO was drawn nowhere.
    app = war_room("alice", _rolling_back(), at(70))
    async with app.run_test(size=size) as pilot:
        await settle(pilot, lambda: "┃" in _legend(app))
        due = app.frame.sched.rollback_deadline
        assert due is not None and app.frame.clock(due) == "23:45"
        assert "RESTORE BY 23:45" in app.query_one(StatusBar).plain
        legend = _legend(app)
        assert "┃ now" in legend and "┃ restore by 23:45" in legend, legend
        assert "rollback by" not in legend and "deadline" not in legend, legend
        assert _moments(app) == [app.frame.now, due]


async def test_an_ended_run_draws_what_happened_and_no_deadline_still_to_come() -> None:
    # Regression (user pass): an ended run still drew the rollback point, a now marching on
    # past the stopped clock, and the phases never started as if still to come.
    events = started(
        StepStarted(actor="dba", at=at(0), step="freeze"),
        StepCompleted(actor="dba", at=at(14), step="freeze"),
        StepStarted(actor="dba", at=at(14), step="backup"),
        RunEnded(actor="alice", at=at(30), outcome="aborted", key="end"),
    )
    app = war_room("alice", events, at(120))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: "┃" in _legend(app))
        legend = _legend(app)
        assert "┃ ended 22:30" in legend and "┃ deadline 02:00" in legend, legend
        assert "rollback by" not in legend and "┃ now" not in legend, legend
        assert _moments(app) == [at(30), app.state.plan.window.end]
        bars = app.query_one(Timeline)._bars(app.frame)
        assert [bar.label for bar in bars] == ["Prepare"]  # Migrate and the gate never began


async def test_a_run_ended_after_a_rollback_is_held_to_its_restore_by() -> None:
    events = [
        *_rolling_back(),
        RunEnded(actor="alice", at=at(100), outcome="rolled-back", key="end"),
    ]
    app = war_room("alice", events, at(200))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: "┃" in _legend(app))
        legend = _legend(app)
        assert "┃ ended 23:40" in legend and "┃ restore by 23:45" in legend, legend
        assert "rollback by" not in legend and "deadline" not in legend, legend
        assert app.frame.verdict.deadline == app.frame.sched.rollback_deadline

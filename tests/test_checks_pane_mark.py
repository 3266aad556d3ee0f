"""The checkpoint pane marks a checkpoint that checks itself (⚙) and, once run, its result;
with Pilot, on the war room's own pane."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from cutover_tui.engine.events import (
    CheckpointFailed,
    CheckpointPassed,
    RunStarted,
    StepStarted,
)
from cutover_tui.engine.state import fold
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.source import MemoryRun
from cutover_tui.tui.widgets.check_mark import check_mark
from cutover_tui.tui.widgets.checks import ChecksPane
from tests.journal_support import at
from tests.test_checks_tui import PLAN, SHOWN
from tests.warroom_support import StoppedClock, settle

SIZE = (160, 48)


def night() -> list:
    return [
        RunStarted(actor="boss", at=at(0), plan_id="ck"),
        StepStarted(actor="boss", at=at(1), step="manual"),
        StepStarted(actor="boss", at=at(1), step="count"),
        CheckpointFailed(
            actor="conductor",
            at=at(2),
            step="count",
            evidence="check FAILED: exit 0 in 0.05 s; rows == 1: 2 == 1 FAILS\nrows=2",
        ),
    ]


def pane_text(app: WarRoomApp) -> str:
    body = app.query_one(ChecksPane).query_one("#checks-body", Static)
    content = body.content
    return content.plain if isinstance(content, Text) else str(content)


async def test_the_pane_marks_checked_checkpoints_and_shows_the_checks_result() -> None:
    app = WarRoomApp(MemoryRun(PLAN, "boss", night()), StoppedClock(at(3)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "⚙" in pane_text(app))
        lines = pane_text(app).splitlines()
        [manual] = [line for line in lines if "manual" in line.lower()]
        [count] = [line for line in lines if "count" in line.lower() and "⚙" in line]
        assert "⚙ command" in manual  # not run yet: auto = false waits for x
        assert "⚙ FAILED" in count and "2 == 1 FAILS" in count
        assert "rows=2" not in count  # the output stays in the log and on H
        assert SHOWN not in pane_text(app)  # the pane names the kind, not the command


def test_a_result_by_hand_a_drawn_one_and_checks_off_are_told_apart() -> None:
    start = RunStarted(actor="boss", at=at(0), plan_id="ck")
    go = StepStarted(actor="boss", at=at(1), step="count")
    passed = CheckpointPassed(actor="op", at=at(2), step="count", evidence="looked at it")
    state = fold(PLAN, [start, go, passed])
    assert check_mark(state, "count").plain.strip() == "⚙ by hand"
    off = fold(PLAN, [start.model_copy(update={"checks": False}), go])
    assert check_mark(off, "count").plain.strip() == "⚙ off"
    by_conductor = passed.model_copy(update={"actor": "conductor", "evidence": "check passed"})
    assert check_mark(fold(PLAN, [start, go, by_conductor]), "count").plain.strip() == "⚙ passed"
    assert check_mark(fold(PLAN, [start]), "count").plain.strip() == "⚙ command"

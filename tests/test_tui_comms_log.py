"""The comms log is a virtual list (issue 14): a run of thousands of events lays out only the
lines that can be seen (and a page more), reads older ones as the reader scrolls up, and a
resize lays nothing out again."""

from __future__ import annotations

from cutover_tui.engine.events import NoteAdded
from cutover_tui.tui.widgets.comms import CommsLog
from tests.test_tui_idle import count_calls
from tests.warroom_support import at, settle, started, war_room

SIZE = (160, 48)
NOTES = 3000


def _notes(count: int) -> list[NoteAdded]:
    return [
        NoteAdded(actor="alice", at=at(1 + i / 100), kind="info", text=f"note {i:04d}")
        for i in range(count)
    ]


def _text(log: CommsLog) -> str:
    return "\n".join(log.plain_lines())


async def test_a_long_run_lays_out_only_its_newest_lines() -> None:
    app = war_room("alice", started(*_notes(NOTES)), at(40))
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(CommsLog)
        await settle(pilot, lambda: "note 2999" in _text(log))
        assert len(log.events) == NOTES + 1
        assert len(log.lines) <= max(CommsLog.PAGE, 2 * log.size.height) * 2
        assert "note 0000" not in _text(log)


async def test_scrolling_up_reads_older_lines_and_keeps_the_view_still() -> None:
    app = war_room("alice", started(*_notes(NOTES)), at(40))
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(CommsLog)
        await settle(pilot, lambda: "note 2999" in _text(log))
        await settle(pilot, lambda: 0 < log.max_scroll_y == log.scroll_y)  # following the end
        # Each line written asked to follow the end after the next refresh: let those run.
        await pilot.pause()
        await settle(pilot, lambda: 0 < log.max_scroll_y == log.scroll_y)
        laid = len(log.lines)
        log.scroll_home(animate=False, immediate=True)
        await settle(pilot, lambda: len(log.lines) > laid)
        # The line at the top of the view is the one that was there before the page came in.
        assert f"note {NOTES - laid:04d}" in log.lines[int(log.scroll_y)].text
        for _ in range(60):  # page by page, to the first event
            if "note 0000" in _text(log):
                break
            laid = len(log.lines)
            log.scroll_home(animate=False, immediate=True)
            await settle(pilot, lambda laid=laid: len(log.lines) > laid)  # the page came in
        assert "note 0000" in _text(log)


async def test_a_resize_lays_nothing_out_again() -> None:
    app = war_room("alice", started(*_notes(400)), at(10))
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(CommsLog)
        await settle(pilot, lambda: "note 0399" in _text(log))
        writes = count_calls(log, "write")
        await pilot.resize_terminal(150, 40)
        await settle(pilot, lambda: app.size.width == 150)
        await pilot.pause()
        assert writes == []
        assert "note 0399" in _text(log)

"""A resize shows the panes again with the newest frame, never the one of the resize event.

Regression (found writing the Now pane's test, 2026-12-02): `on_resize` queued a redraw of
the frame of that moment; news folded before the redraw ran was then painted over with the
older frame, and the panes showed a step running that had finished until the next news.
"""

from __future__ import annotations

from textual import events
from textual.geometry import Size

from cutover_tui.engine.events import StepCompleted
from tests.warroom_support import at, settle, through_load, war_room


def now_ids(app) -> list[str]:
    listed = app.query_one("#now-list")
    return [listed.get_option_at_index(i).id for i in range(listed.option_count)]


async def test_news_folded_between_a_resize_and_its_redraw_stays_on_screen() -> None:
    app = war_room("alice", through_load(), at(60))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: now_ids(app) == ["load"])
        shown: list[object] = []  # every frame shown from here on
        show = app._show
        app._show = lambda frame, new: shown.append(frame) or show(frame, new)  # type: ignore[method-assign]
        size = Size(150, 46)
        app.on_resize(events.Resize(size, size))  # its redraw queued for after the refresh
        app.source.submit(StepCompleted(actor="dba", at=at(59), step="load"))
        app.poll_journal()  # the news, folded and shown before that redraw runs
        assert now_ids(app) == ["switch"]
        before = len(shown)
        await settle(pilot, lambda: len(shown) > before)  # the resize's redraw ran
        assert now_ids(app) == ["switch"]
        assert "load" not in app.frame.sched.running

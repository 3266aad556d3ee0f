"""A key pressed before a large plan's first whole frame says why it did nothing (the review).

Above `DEFER_STEPS` the keys that act on the run are held back (check_action False) while the
schedule is worked out; they used to be dropped in silence. Now a press says one line.
"""

from __future__ import annotations

from cutover_tui.tui import first_paint
from cutover_tui.tui.widgets.status import StatusBar
from tests.test_tui_first_paint import SIZE, half_night_app, held_schedule
from tests.warroom_support import settle


def said(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_a_held_back_key_says_the_schedule_is_being_worked_out(monkeypatch) -> None:
    monkeypatch.setattr(first_paint, "DEFER_STEPS", 100)  # the 320-step plan counts as large
    release = held_schedule(monkeypatch)
    app = half_night_app()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, lambda: app._warming is not None)
            assert first_paint.HELD_BACK not in said(app)
            await pilot.press("plus")  # zoom(1): acts on the run, held back
            await settle(pilot, lambda: first_paint.HELD_BACK in said(app))
            release.set()
            await settle(pilot, lambda: app.frame is not None and app._warming is None)
            app.clear_notifications()
            await pilot.press("plus")  # the frame is whole: the key acts, nothing is said
            await pilot.press("minus")
            await settle(pilot, lambda: app.frame is not None)
            assert first_paint.HELD_BACK not in said(app)
    finally:
        release.set()


def palette_titles(app) -> list[str]:
    return [command.title for command in app.get_system_commands(app.screen)]


async def test_the_palette_offers_nothing_that_acts_before_the_first_frame(monkeypatch) -> None:
    """Review: the palette's incident commands call their actions directly, past
    check_action, so an incident could be raised (and folded on the UI thread while the
    schedule worker read the state) before the first whole frame."""
    monkeypatch.setattr(first_paint, "DEFER_STEPS", 100)
    release = held_schedule(monkeypatch)
    app = half_night_app()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, lambda: app._warming is not None)
            early = palette_titles(app)
            assert not any("incident" in title.lower() for title in early), early
            release.set()
            await settle(pilot, lambda: app.frame is not None and app._warming is None)
            assert "Raise an incident (i)" in palette_titles(app)
    finally:
        release.set()


async def test_a_resize_before_the_first_frame_keeps_the_sketchs_status_line(monkeypatch) -> None:
    """Review: a resize while the schedule was worked out left the status line without its
    mode and title until the next tick (the sketch was not shown again, as the frame is)."""
    monkeypatch.setattr(first_paint, "DEFER_STEPS", 100)
    release = held_schedule(monkeypatch)
    app = half_night_app()
    app.tick = lambda: None  # only the resize may show the sketch again
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, lambda: app._warming is not None)
            title = app.state.plan.plan.title
            await settle(pilot, lambda: f"LIVE · {title}" in _status(app))
            await pilot.resize_terminal(80, 24)
            await settle(pilot, lambda: app.size.width == 80 and "cutover · LIVE" in _status(app))
    finally:
        release.set()


def _status(app) -> str:
    """The status line's first row as the terminal shows it (not the text behind it)."""
    row = app.screen._compositor.render_strips()[app.query_one(StatusBar).region.y]
    return row.text

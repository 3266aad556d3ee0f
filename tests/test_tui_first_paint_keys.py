"""A key pressed before a large plan's first whole frame says why it did nothing (the review).

Above `DEFER_STEPS` the keys that act on the run are held back (check_action False) while the
schedule is worked out; they used to be dropped in silence. Now a press says one line.
"""

from __future__ import annotations

from cutover_tui.tui import first_paint
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

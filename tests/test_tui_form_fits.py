"""At 80x24 every field of a form, and its buttons, can be brought into view.

Found at 80x24 as the sponsor deciding a gate: the form (decision, reason, accepted risks,
the buttons) is taller than the terminal, its box did not scroll, so Tab moved into fields
below the fold and the sponsor typed the accepted risks, then pressed Record, blind.
"""

from __future__ import annotations

import asyncio

from textual.widgets import Button, Input

from cutover_tui.engine.events import CheckpointPassed
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.source import MemoryRun
from tests.test_inert_warroom import screen_text
from tests.warroom_support import (
    PLAN,
    StoppedClock,
    at,
    open_form,
    select,
    settle,
    through_backup,
)


def _in_view(app: WarRoomApp, widget) -> bool:
    """`widget` is drawn whole inside the screen and inside its form's box."""
    box = app.screen.children[0].region  # the form's box
    region = widget.region
    return bool(region.height) and box.contains_region(region) and region.bottom <= app.size.height


async def _reach_every_field() -> list[str]:
    events = [
        *through_backup(),
        CheckpointPassed(actor="dba", at=at(44), step="backup-ok", evidence="ok"),
    ]
    app = WarRoomApp(MemoryRun(PLAN, "sponsor", events), StoppedClock(at(45)))
    unseen: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")  # the Now tab
        await settle(pilot, lambda: "go" in screen_text(app))
        select(app, "go")
        await open_form(pilot, app, "g")
        for widget in [*app.screen.query(Input), app.screen.query_one("#submit", Button)]:
            widget.focus()
            try:
                await settle(pilot, lambda w=widget: _in_view(app, w), timeout=5)
            except AssertionError:
                unseen.append(widget.id or "?")
    return unseen


def test_tab_brings_each_field_and_the_buttons_into_view_at_80x24() -> None:
    assert asyncio.run(_reach_every_field()) == []

"""At 80x24 the newest toast is the one that can be read in full.

Found at 80x24 as a watcher pressing keys he may not use: three refusals stacked up past the
rack's height (warroom.tcss caps it under the status lines), the rack stayed scrolled to its
top, and the newest refusal, the answer to the key just pressed, showed only its title.
"""

from __future__ import annotations

import asyncio

from textual.widgets._toast import Toast

from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.source import MemoryRun
from tests.test_inert_warroom import screen_text
from tests.warroom_support import PLAN, StoppedClock, at, settle, started


def _flat(text: str) -> str:
    """The toasts' words in order: each row right of a toast's left border, joined."""
    rows = [row.rsplit("▌", 1)[1] for row in text.splitlines() if "▌" in row]
    words = " ".join(rows).translate({ord(c): " " for c in "│─╯╰╮╭"})
    return " ".join(words.split())


def _laid_out(app: WarRoomApp, fragment: str) -> bool:
    """A toast saying `fragment` is on screen (its text may still be cut)."""
    return any(
        fragment in toast._notification.message and toast.region.height
        for toast in app.screen.query(Toast)
    )


async def _after_refusals(keys: str, wanted: str) -> str:
    """What the toasts say once the newest refusal's toast is laid out (before any expires)."""
    app = WarRoomApp(MemoryRun(PLAN, "viewer", started()), StoppedClock(at(1)))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        for key in keys:
            await pilot.press(key)
        await settle(pilot, lambda: _laid_out(app, wanted))
        await pilot.wait_for_scheduled_animations()
        return _flat(screen_text(app))


def test_the_newest_refusal_is_shown_in_full_at_80x24() -> None:
    wanted = "may not end the run: only the commander (Alice Ng (alice)) may"
    shown = asyncio.run(_after_refusals("snE", wanted))
    assert wanted in shown, shown

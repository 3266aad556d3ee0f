"""The war room's screen holds up: resizes, toasts, footers and forms by role, narrow terminals."""

from __future__ import annotations

from textual.widgets import Tabs

from tests.warroom_support import at, settle, started, war_room


def _shown(app, selector: str) -> bool:
    return app.query_one(selector).display and app.query_one(selector).region.area > 0


def _four_panes(app) -> bool:
    panes = ("#timeline", "#now", "#checks", "#comms")
    return not app.has_class("-narrow") and all(_shown(app, p) for p in panes)


def _tabs(app) -> bool:
    panes = ("#timeline", "#now", "#checks", "#comms")
    return (
        app.has_class("-narrow")
        and _shown(app, "#pane-tabs")
        and [p for p in panes if _shown(app, p)] == ["#timeline"]
    )


async def test_the_layout_follows_each_resize_not_the_one_before() -> None:
    # Regression: on_resize read `self.size` before Textual updated it, so 160x48 -> 100x30
    # gave four squashed panes and back to 160x48 gave tabs full-screen.
    app = war_room("alice", started(), now=at(1))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: _four_panes(app))
        await pilot.resize_terminal(100, 30)
        await settle(pilot, lambda: _tabs(app))
        assert isinstance(app.query_one("#pane-tabs"), Tabs)
        await pilot.resize_terminal(160, 48)
        await settle(pilot, lambda: _four_panes(app))
        await pilot.resize_terminal(160, 30)  # wide but short: tabs too
        await settle(pilot, lambda: _tabs(app))

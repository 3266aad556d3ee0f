"""At 80x24 a long "Since you last looked" fits its toast: whole lines, the rest counted.

Regression (user pass, 2026-12-02): opening the war room at 80x24 after a busy hour, the
catch-up's toast grew past the toast rack (capped under the status lines): it was cut
mid-line at the bottom of the screen, what it said last was lost, and the next toast was
hidden under it. Now it keeps the lines that fit, whole, and says "and N more".
"""

from __future__ import annotations

from textual.widgets._toast import Toast

from cutover_tui.tui.catch_up_news import TITLE
from cutover_tui.tui.toasts import fit_lines
from tests.test_inert_warroom import screen_text
from tests.warroom_support import at, settle, through_load, war_room

LONG = [
    "14 events since you last looked (22:40 on)",
    "level: ON TRACK when you last looked, ROLL BACK now",
    "steps done: migrate-customer-accounts-to-the-new-ledger, reconcile-the-general-ledger-"
    "balances, rebuild-search-indexes-for-the-catalogue, warm-the-product-cache-in-every-"
    "region and 12 more; FAILED: verify-the-payment-gateway-settlement-files",
    "decisions: 5 (go at go-no-go-before-the-irreversible-migration, go at go-no-go-before-"
    "the-irreversible-migration, migrate-data overridden, conditional-go at dns and 1 more)",
    "alerts: trigger load-stuck fired, window warning, budget exceeded load",
    "incidents: 2 raised, 1 escalated, 0 resolved; 2 open now",
]


def caught_up_toasts(app) -> list[Toast]:
    return [
        t for t in app.screen.query(Toast) if t._notification.title == TITLE and t.region.height
    ]


async def test_a_long_catch_up_fits_under_the_status_lines_at_80x24() -> None:
    app = war_room("viewer", through_load(), at(150))
    app.catch_up = LONG  # as `cutover run` hands it over: said when the war room mounts
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot, lambda: caught_up_toasts(app))
        await pilot.wait_for_scheduled_animations()
        [toast] = caught_up_toasts(app)
        bar = app.query_one("StatusBar").region
        assert not toast.region.overlaps(bar), (toast.region, bar)
        # Whole on screen, above the footer: nothing cut off at the bottom.
        assert toast.region.bottom <= app.size.height - 1, toast.region
        message = toast._notification.message
        assert message.startswith(LONG[0]) and message.endswith("more: see the panes"), message
        assert "see the panes" in screen_text(app)

        await pilot.press("s")  # a watcher's refused key: the next toast is seen too
        await settle(pilot, lambda: len([t for t in app.screen.query(Toast) if t.region]) > 1)
        await pilot.wait_for_scheduled_animations()
        for shown in app.screen.query(Toast):
            assert not shown.region.overlaps(bar), (shown.region, bar)
        assert caught_up_toasts(app)[0].region.bottom <= app.size.height - 1


def test_lines_that_fit_are_said_whole() -> None:
    assert fit_lines(LONG, 160, 48, "and {n} more") == LONG
    cut = fit_lines(LONG, 80, 24, "and {n} more")
    assert cut[:-1] == LONG[: len(cut) - 1] and cut[-1] == f"and {len(LONG) - len(cut) + 1} more"

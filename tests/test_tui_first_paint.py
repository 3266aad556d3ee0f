"""The first frame goes on the terminal before the slow parts of it are worked out (issue 14).

On the 320-step plan the first odds cost a few hundred milliseconds (the random streams are
cold): the first frame shows the status line saying it is working them out, a worker brings
them, and the frame then shows what it would have shown had they been worked out inline. The
small plans of the screenshots keep their odds from the first frame.
"""

from __future__ import annotations

import threading
from pathlib import Path

from cutover_tui.clocks import FixedClock
from cutover_tui.engine.verdict import assess
from cutover_tui.plan import load_plan
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.scenes import Script, script_night
from cutover_tui.tui.screenshots import scene_app
from cutover_tui.tui.source import MemoryRun
from cutover_tui.tui.widgets.status import ODDS_PENDING, StatusBar
from tests.warroom_support import settle

ERP = Path(__file__).resolve().parents[1] / "plans" / "erp-datacentre.toml"
SIZE = (160, 48)


def half_night_app() -> WarRoomApp:
    """The 320-step plan half played, its clock stopped there, as the commander."""
    plan = load_plan(ERP).plan
    half = (plan.window.end - plan.window.start).total_seconds() / 120
    events, now = script_night(plan, Script(until_minutes=half))
    commander = plan.people_with_role("commander")[0]
    return WarRoomApp(MemoryRun(plan, commander, events, run_id="first-paint"), FixedClock(now))


def held(app: WarRoomApp) -> threading.Event:
    """Hold the odds worker until the test lets it go; the event the test sets."""
    release = threading.Event()
    work = app.odds.work

    def waiting(state, asked):
        assert release.wait(60), "the test never let the odds worker go"
        return work(state, asked)

    app.odds.work = waiting  # type: ignore[method-assign]
    return release


async def test_the_first_frame_shows_the_status_line_before_the_odds_then_the_odds() -> None:
    app = half_night_app()
    release = held(app)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, lambda: app.odds.running)  # asked once the frame was out
            bar = app.query_one(StatusBar)
            assert app.frame is not None and app.frame.foresight is None
            assert "LIVE" in bar.plain and "conductor" in bar.plain
            assert ODDS_PENDING in bar.plain
            assert "in window" not in bar.plain
            release.set()
            await settle(pilot, lambda: app.frame.foresight is not None)
            await settle(pilot, lambda: ODDS_PENDING not in bar.plain)
            assert "in window" in bar.plain
            # The same verdict as worked out inline, as `cutover status` does.
            _, _, verdict = assess(app.state, app.frame.now, app.forecaster, None)
            assert app.frame.verdict.p_in_window == verdict.p_in_window
            assert app.frame.verdict.headline == verdict.headline
            assert app.frame.verdict.stage == verdict.stage
    finally:
        release.set()


async def test_after_the_first_odds_a_mid_sized_plan_has_its_odds_inline_again() -> None:
    app = half_night_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: app.frame is not None and app.frame.foresight is not None)
        assert app.odds.inline(app.state)  # from now on with every frame, as before
        computed = app.odds.computed
        app.refresh_run([])
        assert app.frame.foresight is not None and not app.frame.odds_pending
        assert app.odds.computed == computed  # the worker's answer, for this very state
        assert not app.odds.running


async def test_a_small_plan_has_its_odds_from_its_first_frame() -> None:
    app = scene_app("on-track")
    async with app.run_test(size=SIZE):
        assert app.frame is not None and app.frame.foresight is not None
        assert not app.frame.odds_pending
        assert ODDS_PENDING not in app.query_one(StatusBar).plain

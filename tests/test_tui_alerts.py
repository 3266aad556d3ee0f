"""Alerts: said at once in every process, from the shared state and the local clock, once."""

from __future__ import annotations

from pathlib import Path

from textual.notifications import Notification, Notify

from cutover_tui.engine.events import BudgetExceeded, RunStarted, StepCompleted, StepStarted
from cutover_tui.engine.state import fold
from cutover_tui.plan import load_plan
from cutover_tui.tui.alerts import Alerts
from cutover_tui.tui.frame import Frame
from tests.warroom_support import at, notices, settle, started, through_load, war_room

SIZE = (160, 48)


async def test_history_is_shown_not_announced() -> None:
    # A step that ran over an hour ago is in the panes, not in a toast on opening.
    app = war_room("viewer", started(StepStarted(actor="dba", at=at(0), step="freeze")), at(40))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert notices(app) == []


async def test_overrun_is_announced_by_the_clock_alone_and_only_once() -> None:
    app = war_room("viewer", started(StepStarted(actor="dba", at=at(0), step="freeze")), at(10))
    async with app.run_test(size=SIZE) as pilot:
        app.clock.set(at(16))  # freeze has a 15m budget
        app.refresh_run()
        await pilot.pause()
        assert [n for n in notices(app) if "past its 15m budget" in n]
        # The conductor's record of the same overrun does not repeat it.
        app.source.submit(BudgetExceeded(actor="conductor", at=at(15), step="freeze", attempt=1))
        app.clock.set(at(17))
        app.poll_journal()
        app.refresh_run()
        await pilot.pause()
        assert sum("past its 15m budget" in n for n in notices(app)) == 1


async def test_trigger_fires_by_time_in_a_watchers_process() -> None:
    app = war_room("viewer", through_load(), at(100))
    async with app.run_test(size=SIZE) as pilot:
        app.clock.set(at(200))
        app.refresh_run()
        await pilot.pause()
        assert any("load" in n and "→" in n for n in notices(app)), notices(app)


async def test_window_breach_is_announced_when_the_projection_crosses_the_deadline() -> None:
    app = war_room("viewer", through_load(), at(100))
    async with app.run_test(size=SIZE) as pilot:
        assert app.frame.sched.level != "late"
        app.clock.set(at(60 * 7.5))  # the load still running at 05:30
        app.refresh_run()
        await pilot.pause()
        # The fired trigger says ROLL BACK; the breach is said too, once, in its own words.
        breach = [n.message for n in app._notifications if n.title == "Window breach likely"]
        assert len(breach) == 1 and "chance of finishing" in breach[0], notices(app)
        app.source.submit(StepCompleted(actor="dba", at=at(451), step="load"))
        app.refresh_run()
        await pilot.pause()
        again = [n.message for n in app._notifications if n.title == "Window breach likely"]
        assert again == breach


def test_several_of_one_kind_in_one_tick_are_one_toast() -> None:
    # A fast rehearsal put two steps over budget in one tick: one toast of two lines, not two
    # toasts stacked over the checkpoint pane (at 80x24 four of them hid half the screen).
    plan = load_plan(Path(__file__).resolve().parents[1] / "plans" / "online-store.toml").plan
    t0 = plan.window.start
    events = [RunStarted(actor="alice", at=t0, plan_id=plan.plan.id, key="go")] + [
        StepStarted(actor="omar", at=t0, step=sid)
        for sid in ("enable-maintenance-page", "suspend-legacy-jobs")
    ]
    state = fold(plan, events)
    alerts = Alerts()
    assert alerts.notices(Frame.at(state, t0, "alice"), []) == []  # the history: not said
    later = t0.replace(minute=6)  # both have a 5m budget
    said = alerts.notices(Frame.at(state, later, "alice"), [])
    assert [(n.title, n.severity) for n in said] == [("Over budget", "warning")]
    assert said[0].text.splitlines() == [
        "enable-maintenance-page (Omar Diaz) has run past its 5m budget",
        "suspend-legacy-jobs (Omar Diaz) has run past its 5m budget",
    ]
    assert alerts.notices(Frame.at(state, later.replace(minute=7), "alice"), []) == []


async def test_warnings_make_way_after_ten_minutes_of_the_night_on_a_fast_clock() -> None:
    # At 400x, ten seconds of a toast are an hour of the night: overrun toasts piled up over
    # the checkpoint pane. A warning now lasts ten minutes of the night (2 s at least), an
    # error its full 20 s; at real speed a warning stays 10 s.
    for factor, warning in ((1.0, 10.0), (60.0, 10.0), (120.0, 5.0), (400.0, 2.0)):
        app = war_room("viewer", started(StepStarted(actor="dba", at=at(0), step="freeze")), at(10))
        app.clock.factor = factor  # type: ignore[attr-defined]
        # The toasts as posted: the live list drops a 2-second toast before a loaded machine
        # gets round to reading it (the test failed at a load average of 6).
        posted: list[Notification] = []

        def hook(message, posted=posted) -> None:
            if (
                isinstance(message, Notify)
                and "past its 15m budget" in message.notification.message
            ):
                posted.append(message.notification)

        async with app.run_test(size=SIZE, message_hook=hook) as pilot:
            app.clock.set(at(16))  # freeze has a 15m budget
            app.refresh_run()
            await settle(pilot, lambda posted=posted: posted)
            (toast,) = posted
            assert toast.timeout == warning, factor


def _titles(app) -> list[str]:
    return [n.title for n in app._notifications]


async def test_a_verdict_toast_comes_down_when_the_badge_moves_on() -> None:
    # Regression (user pass, 2026-12-02): back ON TRACK, the "Window at risk" toast stayed up
    # beside the green badge for its ten seconds, a second voice on the screen.
    app = war_room("viewer", through_load(), at(60))
    async with app.run_test(size=SIZE) as pilot:
        app.clock.set(at(135))  # the 1h load 85 minutes in
        app.refresh_run()
        await pilot.pause()
        assert app.frame.verdict.stage == "at-risk"
        assert "Window at risk" in _titles(app)
        app.source.submit(StepCompleted(actor="dba", at=at(135), step="load"))
        app.poll_journal()
        app.refresh_run()
        await pilot.pause()
        assert app.frame.verdict.stage == "on-track"
        assert "Window at risk" not in _titles(app)
        assert "Over budget" in _titles(app)  # what did happen stays said


async def test_window_at_risk_makes_way_for_window_breach_likely() -> None:
    # The pace went from at risk to late under a fired trigger: both toasts were up at once.
    app = war_room("viewer", through_load(), at(100))
    async with app.run_test(size=SIZE) as pilot:
        app.clock.set(at(200))
        app.refresh_run()
        await pilot.pause()
        assert app.frame.verdict.pace == "at-risk" and "Window at risk" in _titles(app)
        app.clock.set(at(300))
        app.refresh_run()
        await pilot.pause()
        assert app.frame.verdict.pace == "late"
        assert "Window breach likely" in _titles(app)
        assert "Window at risk" not in _titles(app)

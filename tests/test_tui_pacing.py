"""The war room works only when something changed (issue 14): a tick that finds no news and no
clock boundary crossed moves the status line's clock and recomputes nothing; news shows at
once; the odds of a large plan come from a worker, newest first, and agree with the verdict
`cutover status` gives for the same state and now."""

from __future__ import annotations

from datetime import timedelta

from cutover_tui.engine.events import NoteAdded, StepCompleted
from cutover_tui.engine.schedule import schedule
from cutover_tui.engine.state import apply, fold
from cutover_tui.engine.verdict import assess
from cutover_tui.plan.durations import format_duration
from cutover_tui.tui.pacing import RecomputeGate, countdown_change, next_boundary
from cutover_tui.tui.widgets.comms import CommsLog
from cutover_tui.tui.widgets.status import StatusBar
from tests.warroom_support import PLAN, at, settle, started, through_load, war_room

SIZE = (160, 48)


# -- the boundaries, headless ------------------------------------------------------------------


def test_a_countdown_changes_its_figure_thirty_seconds_before_each_whole_minute() -> None:
    anchor = at(60)
    # 10m left reads "10m" until 9m29s are left (format_duration rounds to the minute).
    assert countdown_change(anchor, at(50)) == anchor - timedelta(minutes=9, seconds=29)
    assert format_duration(timedelta(minutes=9, seconds=30)) == "10m"
    assert format_duration(timedelta(minutes=9, seconds=29)) == "9m"
    assert countdown_change(anchor, at(50.6)) == anchor - timedelta(minutes=8, seconds=29)
    # Under a minute and a half, seconds count.
    near = anchor - timedelta(seconds=75)
    assert countdown_change(anchor, near) == near + timedelta(seconds=1)
    assert countdown_change(anchor, anchor) is None


def test_the_next_boundary_is_a_budget_end_when_one_comes_before_the_minute() -> None:
    state = fold(PLAN, through_load())  # the 1h load started at 22:50: its budget ends 23:50
    now = at(110) - timedelta(seconds=20)  # 23:49:40
    sched = schedule(state, now)
    assert next_boundary(state, sched, now) == at(110)
    # Just after it too: an overrun (and a trigger) counts only once its moment has passed.
    assert next_boundary(state, schedule(state, at(110)), at(110)) == at(110) + timedelta(seconds=1)
    later = at(110) + timedelta(seconds=5)
    assert next_boundary(state, schedule(state, later), later) <= at(111)


def test_the_gate_lets_a_tick_through_on_news_a_boundary_or_a_clock_gone_back() -> None:
    state = fold(PLAN, started())
    now = at(1) + timedelta(seconds=5)
    gate = RecomputeGate()
    assert gate.due(state, now)
    gate.done(state, schedule(state, now), now)
    # The window's end (a whole minute) counts down in minutes: its figure changes at :30.
    assert not gate.due(state, now + timedelta(seconds=25))
    assert gate.due(state, now + timedelta(seconds=26))  # 22:01:31: 3h58m29s left
    assert gate.due(state, now - timedelta(seconds=1))  # the clock went back

    apply(state, NoteAdded(actor="alice", at=now, text="news"))
    assert gate.due(state, now + timedelta(seconds=1))


# -- the war room ------------------------------------------------------------------------------


async def test_an_idle_tick_moves_the_clock_and_recomputes_nothing() -> None:
    app = war_room("alice", through_load(), at(60) + timedelta(seconds=1))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: app.frame is not None)  # the first frame is made
        recomputes = app.gate.recomputes
        odds = app.odds.computed
        clock_before = app.query_one(StatusBar).plain
        for second in range(2, 31):
            app.clock.set(at(60) + timedelta(seconds=second))
            app.tick()
        assert app.gate.recomputes == recomputes  # nothing happened, no boundary crossed
        assert app.odds.computed == odds
        await settle(pilot, lambda: "23:00:30" in app.query_one(StatusBar).plain)  # it ticked
        assert app.query_one(StatusBar).plain != clock_before
        # 2h59m29s left to the 02:00 deadline: the countdown reads 2h59m from here.
        app.clock.set(at(60) + timedelta(seconds=31))
        app.tick()
        assert app.gate.recomputes == recomputes + 1


async def test_news_recomputes_at_once_and_shows_up() -> None:
    app = war_room("alice", through_load(), at(60))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: app.frame is not None)  # the first frame is made
        recomputes = app.gate.recomputes
        app.source.submit(NoteAdded(actor="alice", at=at(60), text="vendor call at 23:15"))
        app.clock.set(at(60) + timedelta(seconds=3))
        app.poll_journal()
        assert app.gate.recomputes == recomputes + 1
        await settle(pilot, lambda: "vendor call" in _log_text(app))


async def test_a_large_plan_has_its_odds_from_a_worker_only_when_they_can_have_moved() -> None:
    app = war_room("alice", through_load(), at(60))
    app.odds.inline_cells = 0  # this plan counts as large: the odds come from a worker
    app.odds.every_s = 0.0
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: app.frame is not None and app.frame.foresight is not None)
        computed = app.odds.computed
        for second in range(1, 40):
            app.clock.set(at(60) + timedelta(seconds=second))
            app.tick()
        await pilot.pause()
        assert app.odds.computed == computed  # no news, within the minute: no new odds
        # News: the odds are worked out again, and the frame shows them.
        app.source.submit(StepCompleted(actor="dba", at=at(60), step="load"))
        app.poll_journal()
        await settle(pilot, lambda: app.odds.computed > computed and not app.odds.running)
        await settle(pilot, lambda: app.frame.state.event_count == app.odds.answered.marker[1])
        # One verdict: what the war room shows is what `cutover status` says now.
        frame = app.frame
        _, _, verdict = assess(app.state, frame.now, app.forecaster, None)
        assert frame.verdict.stage == verdict.stage
        assert frame.verdict.headline == verdict.headline
        assert frame.verdict.p_in_window == verdict.p_in_window


def _log_text(app) -> str:
    log = app.query_one(CommsLog)
    return "\n".join(log.plain_lines())


async def test_zooming_draws_the_frames_bars_again_without_making_them_again(
    monkeypatch,
) -> None:
    import cutover_tui.tui.widgets.timeline as timeline

    app = war_room("alice", through_load(), at(60))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        made: list[object] = []
        real = timeline.phase_bars
        monkeypatch.setattr(timeline, "phase_bars", lambda frame: made.append(1) or real(frame))
        zoom = app.query_one(timeline.Timeline).zoom
        await pilot.press("plus")
        await pilot.press("minus")
        await settle(pilot, lambda: app.query_one(timeline.Timeline).zoom == zoom)
        assert made == []  # the same frame: its bars were made once
        app.source.submit(NoteAdded(actor="alice", at=at(60), text="news"))
        app.poll_journal()
        assert made == [1]  # a new frame: made again

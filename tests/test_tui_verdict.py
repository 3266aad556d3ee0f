"""The war room shows the one verdict: ROLL BACK until answered, ended runs stopped, w always."""

from __future__ import annotations

from cutover_tui.engine.events import RunEnded, RunStarted
from tests.warroom_support import at, events_of, fill, settle, through_load, war_room

SIZE = (160, 48)


def status(app) -> str:
    return app.query_one("StatusBar").plain


async def test_roll_back_until_the_commander_overrides_with_a_reason() -> None:
    # The load's trigger: running over 1h30m; at 00:30 it has run 1h40m.
    app = war_room("alice", through_load(), at(150))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "ROLL BACK" in status(app))
        assert app.frame.verdict.calling is not None
        await pilot.press("O")
        await settle(pilot, lambda: app.screen.__class__.__name__ == "FormScreen")
        fill(app, reason="vendor confirms the load finishes in 10 minutes")
        await pilot.press("enter")
        await settle(pilot, lambda: any(e.type == "trigger-overridden" for e in events_of(app)))
        await settle(pilot, lambda: "ROLL BACK" not in status(app))
        assert any(r.name == "override" for r in app.frame.verdict.rules)


async def test_a_watcher_cannot_override() -> None:
    app = war_room("viewer", through_load(), at(150))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "ROLL BACK" in status(app))
        await pilot.press("O")
        await settle(pilot, lambda: app._notifications)
        assert app.screen.__class__.__name__ != "FormScreen"
        assert not any(e.type == "trigger-overridden" for e in events_of(app))


async def test_the_now_pane_line_follows_the_run_to_its_end() -> None:
    # Regression: NowPane.show returned early when its rows did not change, so a run going
    # from not started (no rows) to ended (no rows) kept "has not started".
    app = war_room("alice", [], at(-5))
    async with app.run_test(size=SIZE) as pilot:
        empty = app.query_one("#now-empty")
        await settle(pilot, lambda: "not started" in str(empty.render()))
        app.source.submit(RunStarted(actor="alice", at=at(0), plan_id="warroom", key="go"))
        app.source.submit(RunEnded(actor="alice", at=at(1), outcome="aborted", key="end"))
        app.clock.set(at(2))
        app.poll_journal()
        await settle(pilot, lambda: "The run ended" in str(empty.render()))


async def test_an_ended_run_stops_its_clock_and_w_still_explains() -> None:
    events = [*through_load(), RunEnded(actor="alice", at=at(60), outcome="aborted", key="x")]
    app = war_room("alice", events, at(600))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "ENDED · aborted" in status(app))
        assert "(stopped)" in status(app) and "23:00:00" in status(app)
        assert "ROLLBACK BY" not in status(app) and "left" not in status(app)
        await pilot.press("w")
        await settle(pilot, lambda: app.screen.__class__.__name__ == "ForesightScreen")


async def test_a_viewer_sees_times_in_their_own_zone_with_the_plans_named() -> None:
    from zoneinfo import ZoneInfo

    app = war_room("viewer", through_load(), at(100))
    app.tz = ZoneInfo("Asia/Kolkata")
    async with app.run_test(size=SIZE) as pilot:
        # 23:40 in London (GMT) is 05:10 in Kolkata (IST).
        await settle(pilot, lambda: "05:10:00 IST (plan 23:40 GMT)" in status(app))


async def test_the_timelines_axis_reads_the_viewers_zone_as_its_legend_does() -> None:
    # Regression: the axis kept the plan's hours (22:00, 23:00 in London) under a legend
    # whose deadline and rollback-by were in the viewer's zone (Kolkata), so a line's label
    # and the hour under it disagreed.
    from zoneinfo import ZoneInfo

    from cutover_tui.tui.widgets.timeline import Timeline

    app = war_room("viewer", through_load(), at(100))
    app.tz = ZoneInfo("Asia/Kolkata")
    async with app.run_test(size=SIZE) as pilot:
        timeline = app.query_one(Timeline)
        await settle(pilot, lambda: "deadline 07:30" in str(timeline.border_title))
        await settle(pilot, lambda: "04:00" in timeline.plt.build())  # 22:30 in London
        assert "23:00" not in timeline.plt.build()


def test_a_time_in_the_repeated_hour_carries_its_zone() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from cutover_tui.plan.zones import hm

    london = ZoneInfo("Europe/London")
    first = datetime.fromisoformat("2026-10-25T00:30:00+00:00")  # 01:30 BST
    second = datetime.fromisoformat("2026-10-25T01:30:00+00:00")  # 01:30 GMT
    assert (hm(first, london), hm(second, london)) == ("01:30 BST", "01:30 GMT")
    assert hm(datetime.fromisoformat("2026-10-25T03:00:00+00:00"), london) == "03:00"


async def test_w_publishes_the_journal_head_that_verify_expect_checks(tmp_path) -> None:
    import subprocess
    import sys

    from cutover_tui.clocks import FixedClock
    from cutover_tui.journal.run import JournalRun
    from cutover_tui.journal.store import Journal
    from cutover_tui.tui.app import WarRoomApp
    from tests.journal_support import at as jat
    from tests.journal_support import new_run

    journal = new_run(tmp_path)
    clock = FixedClock(jat(1))
    app = WarRoomApp(JournalRun(Journal(journal.path), "boss", now=clock.now), clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w")
        await settle(pilot, lambda: app.screen.__class__.__name__ == "ForesightScreen")
        head = app.screen.head()  # the head as the screen shows it (asked at each draw)
        shown = [str(s.render()) for s in app.screen.query(".live-part")]
        assert any(head in line for line in shown), shown
    seq, digest = Journal(journal.path).head
    assert head == f"{seq}:{digest[:16]}"
    verify = subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", "verify", str(journal.path), "--expect", head],
        capture_output=True,
        text=True,
    )
    assert verify.returncode == 0, verify.stderr


def test_the_conductor_health_stays_on_line_one_at_80_columns() -> None:
    # Regression: below 110 columns the conductor's health was dropped from the status line.
    from cutover_tui.engine.state import fold
    from cutover_tui.tui.frame import Frame
    from cutover_tui.tui.widgets.status import headline
    from tests.warroom_support import PLAN

    frame = Frame.at(fold(PLAN, through_load()), at(100), "alice")
    _, right = headline(frame, "ok: this process", 80)
    assert "cond ok" in right.plain
    _, right = headline(frame, "stale: pid 4242 on jump1, 40s ago", 80)
    assert "cond STALE" in right.plain


def test_a_locked_mode_conductor_is_judged_by_its_lease_not_its_service_prefix() -> None:
    # Regression (user pass, jump host): in locked mode the service answers "service, ok: ..."
    # and every war room below 110 columns said "cond SERVICE," in the warning colour, a live
    # service and a stale one alike.
    from cutover_tui.engine.state import fold
    from cutover_tui.tui.frame import Frame
    from cutover_tui.tui.widgets.status import headline
    from tests.warroom_support import PLAN

    frame = Frame.at(fold(PLAN, through_load()), at(100), "alice")
    _, right = headline(frame, "service, ok: pid 4242", 80)
    assert "cond ok" in right.plain and "SERVICE" not in right.plain
    assert all(span.style != "yellow" for span in right.spans)
    _, right = headline(frame, "service, STALE: pid 4242 silent for 9s", 80)
    assert "cond STALE" in right.plain
    _, right = headline(frame, "service, ok: pid 4242", 120)
    assert "conductor: service, ok: pid 4242" in right.plain
    assert all(span.style != "yellow" for span in right.spans)


def test_a_risk_is_shown_beside_the_trigger_it_arms() -> None:
    from cutover_tui.engine.state import fold
    from cutover_tui.plan import parse_plan
    from cutover_tui.tui.frame import Frame
    from cutover_tui.tui.widgets.checks import trigger_lines
    from tests.test_verdict import T0, plan_text

    text = plan_text() + (
        '[[risk]]\nid = "data-loss"\nrisk = "Orders lost in the move"\nlikelihood = "low"\n'
        'impact = "high"\nowner = "lead"\ntriggers = ["s1-stuck"]\n'
    )
    plan = parse_plan(text).plan
    frame = Frame.at(fold(plan, []), T0, "lead")
    line = next(t.plain for t in trigger_lines(frame) if "s1-stuck" in t.plain)
    assert "risk data-loss (high impact)" in line

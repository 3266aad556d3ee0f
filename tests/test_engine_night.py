"""The textbook online-store night, event by event, with the figures a commander would see.

Every expected figure is worked out by hand from plans/online-store.toml (budgets in
brackets): the baseline critical path is 5h40m, 22:00 -> 03:40; the rollback runbook's
critical path is halt 5 + restore 40 + re-enable 10 + verify 15 + announce 5 = 1h15m, so the
last safe rollback start is 06:00 - 1h15m = 04:45; the RTO is 1h30m; `warning` is 30m and the
buffer rule 25 % of 8h = 2h. The history up to each point is played by the scripted-night
driver (every step started the moment it is ready, by its owner, at its budget unless slowed).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from cutover_tui.engine.events import GateDecided, RollbackInvoked
from cutover_tui.engine.schedule import schedule
from cutover_tui.engine.state import check, fold
from cutover_tui.plan import load_plan
from cutover_tui.tui.scenes import Script, script_night

PLAN = load_plan(Path(__file__).resolve().parents[1] / "plans" / "online-store.toml").plan
T0 = PLAN.window.start  # Fri 27 Nov 22:00 (GMT = UTC in November)


def clock(hhmm: str) -> datetime:
    """A wall-clock time of the night (before noon is Saturday)."""
    hours, minutes = (int(p) for p in hhmm.split(":"))
    day = T0 if hours >= 12 else T0 + timedelta(days=1)
    return day.replace(hour=hours, minute=minutes)


def minutes(hhmm: str) -> float:
    return (clock(hhmm) - T0) / timedelta(minutes=1)


HISTORY: dict[int, list] = {}


def night(until: str, **script) -> tuple[object, datetime]:
    events, now = script_night(PLAN, Script(until_minutes=minutes(until), **script))
    state = fold(PLAN, events)
    HISTORY[id(state)] = events
    return state, now


def test_before_the_window_opens() -> None:
    state = fold(PLAN, [])
    sched = schedule(state, clock("21:50"))
    assert sched.projected_finish == clock("03:40")
    assert sched.delta == timedelta(0)
    assert sched.buffer_left == timedelta(hours=2, minutes=20)
    assert sched.level == "on-track"
    assert sched.last_safe_rollback_start == clock("04:45")
    assert sched.rollback_time_left == timedelta(hours=6, minutes=55)
    assert sched.critical_path[0] == "enable-maintenance-page"
    assert sched.critical_path[-1] == "announce-go-live"


def test_on_time_through_the_migration_gate() -> None:
    state, now = night("23:00")
    sched = schedule(state, now)
    assert state.gates["go-no-go-migration"].outcome == "go"
    assert sched.projected_finish == clock("03:40")
    assert sched.delta == timedelta(0)
    assert sched.level == "on-track"
    # At 23:00 the three extracts and the announcement start; nothing else is ready.
    assert set(sched.running) == {
        "extract-catalog",
        "extract-orders",
        "extract-customers",
        "announce-migration-go",
    }


def test_a_slow_catalogue_load_pushes_the_night_and_turns_it_at_risk() -> None:
    # load-catalog [55m] started 23:50, still running at 01:05: 20m over its budget, so the
    # status-date method puts its end at now + 5m = 01:10. From there, by hand:
    # rebuild-search-index [35m] 01:10-01:45; reconcile-counts [20m] 01:10-01:30;
    # row-count-matches [10m] 01:45-01:55; deploy-storefront [25m] 01:55-02:20;
    # import-redirects [10m] 02:20-02:30 (configure-cdn ends 02:10); warm-cache [15m] -02:45;
    # config-complete [10m] 02:45-02:55; open-internal-access [5m] -03:00; smoke-search [10m]
    # -03:10; smoke-add-to-cart [5m] -03:15; smoke-checkout [15m] -03:30;
    # all-smoke-tests-pass [10m] -03:40; go-no-go-live [10m] -03:50; switch-dns -03:55;
    # first-live-orders -04:00; announce-go-live -04:05.
    state, now = night("01:05", slow={"load-catalog": 3.0})
    sched = schedule(state, now)
    assert sched.running == ("load-catalog",)
    times = sched.steps["load-catalog"]
    assert times.overrun and times.finish == clock("01:10")
    assert sched.steps["rebuild-search-index"].start == clock("01:10")
    assert sched.steps["row-count-matches"].finish == clock("01:55")
    assert sched.projected_finish == clock("04:05")
    assert sched.delta == timedelta(minutes=25)
    assert sched.buffer_left == timedelta(hours=1, minutes=55)
    # Behind plan and inside the 2h buffer rule: at risk, not yet late.
    assert sched.level == "at-risk"
    assert sched.steps["load-catalog"].level == "late"
    assert sched.critical_path[0] == "load-catalog"
    # catalog-load-late (not done by 01:15) is armed, projected to hold: 01:10 < 01:15.
    armed = {a.trigger: a for a in sched.armed}
    assert armed["catalog-load-late"].time_left == timedelta(minutes=10)
    assert not armed["catalog-load-late"].projected_to_fire
    assert sched.fired == ()
    # Ten minutes later it is still running: the trigger fired at 01:15, an alert.
    later = schedule(state, clock("01:20"))
    fired = {f.trigger: f for f in later.fired}
    assert fired["catalog-load-late"].fired_at == clock("01:15")
    assert fired["catalog-load-late"].action == "alert"
    assert not later.rollback_signalled


def test_smoke_checkout_running_over_30_minutes_fires_the_rollback_trigger() -> None:
    # On time until smoke-checkout [15m] starts at 02:50; it is still running at 03:25.
    state, now = night("03:25", slow={"smoke-checkout": 3.0})
    sched = schedule(state, now)
    fired = {f.trigger: f for f in sched.fired}
    assert fired["smoke-stuck"].fired_at == clock("03:20")  # started 02:50 + 30m
    assert fired["smoke-stuck"].action == "rollback"
    assert sched.rollback_signalled
    # It ran 35m of a 15m budget: it ends at now + 5m, and the night at 04:05.
    assert sched.steps["smoke-checkout"].finish == clock("03:30")
    assert sched.projected_finish == clock("04:05")


def test_a_failed_smoke_test_then_rollback_measured_against_the_rto() -> None:
    state, now = night("03:15", fail=frozenset({"all-smoke-tests-pass"}))
    sched = schedule(state, now)
    assert state.status["all-smoke-tests-pass"].status == "failed"
    fired = {f.trigger: f for f in sched.fired}
    assert fired["smoke-failed"].fired_at == clock("03:15")
    assert fired["smoke-failed"].action == "rollback"
    assert sched.rollback_time_left == timedelta(hours=1, minutes=30)  # 03:15 -> 04:45

    invoke = RollbackInvoked(actor="alice", at=clock("03:20"), reason="checkout broken")
    assert check(state, invoke) is None
    rolled = fold(PLAN, [*HISTORY[id(state)], invoke])
    sched = schedule(rolled, clock("03:20"))
    assert sched.graph == "rollback"
    # Nothing of the runbook has started: 03:20 + 1h15m; the RTO says by 03:20 + 1h30m.
    assert sched.projected_finish == clock("04:35")
    assert sched.baseline_finish == clock("04:35")
    assert sched.rollback_deadline == clock("04:50")
    assert sched.deadline == clock("04:50")
    assert sched.buffer_left == timedelta(minutes=15)
    assert sched.rollback_met is True
    assert sched.level == "at-risk"  # 15m left is inside the 30m warning
    assert sched.ready == ("rb-halt-new-platform",)
    assert sched.critical_path == (
        "rb-halt-new-platform",
        "rb-restore-snapshot",
        "rb-reenable-legacy-writes",
        "rb-verify-legacy",
        "rb-announce",
    )


def test_a_conditional_go_records_the_accepted_risks_and_opens_the_way() -> None:
    state, now = night("03:15")
    assert schedule(state, now).ready == ("go-no-go-live",)
    risks = ["PayPal sandbox flag still visible to admins"]
    decisions = [
        GateDecided(
            actor="alice",
            at=clock("03:20"),
            step="go-no-go-live",
            approver="alice",
            decision="conditional-go",
            risks=risks,
        ),
        GateDecided(
            actor="sponsor",
            at=clock("03:22"),
            step="go-no-go-live",
            approver="sponsor",
            decision="go",
        ),
    ]
    events = list(HISTORY[id(state)])
    for decision in decisions:
        assert check(state, decision) is None
        events.append(decision)
        state = fold(PLAN, events)
    gate = state.gates["go-no-go-live"]
    assert gate.outcome == "conditional-go"
    assert [r for d in gate.decisions.values() for r in d.risks] == risks
    sched = schedule(state, clock("03:22"))
    assert sched.ready == ("switch-dns",)
    # The gate closed at 03:22 instead of 03:25: switch 03:22-03:27, first orders -03:32,
    # announce -03:37.
    assert sched.projected_finish == clock("03:37")

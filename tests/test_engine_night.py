"""The textbook online-store night (plans/online-store.toml), event by event, with the figures
the commander sees at each point.

Every expected figure below was worked out by hand from the plan file, not by the engine.

The plan as written (budgets in brackets), from the window start at Fri 22:00:

    announce-freeze [5] enable-maintenance-page [5] freeze-legacy [10] suspend-legacy-jobs [5]
    all 22:00; drain-order-queue [10] 22:05-22:15; export-media [20] 22:10-22:30;
    snapshot-db [25] 22:15-22:40; backup-verified [10] -22:50; go-no-go-migration [10] -23:00;
    extract-catalog [20] -23:20; transform-catalog [30] -23:50; load-catalog [55] -00:45;
    extract-orders [20] 23:00-23:20; load-orders [60] -00:20; extract-customers [10] -23:10;
    load-customers [30] -23:40; rebuild-search-index [35] 00:45-01:20; reconcile-counts [20]
    00:45-01:05; row-count-matches [10] 01:20-01:30; deploy-storefront [25] -01:55;
    configure-cdn [15] 01:30-01:45; payments, tax [15] 01:55-02:10; import-redirects [10]
    -02:05; warm-cache [15] 02:05-02:20; config-complete [10] -02:30; open-internal-access [5]
    -02:35; smoke-search [10] -02:45; smoke-add-to-cart [5] -02:50; smoke-checkout [15] -03:05;
    smoke-customer-account [15] 02:35-02:50; all-smoke-tests-pass [10] -03:15; go-no-go-live
    [10] -03:25; switch-dns [5] -03:30; first-live-orders [5] -03:35; announce-go-live and
    handover-hypercare [5] -03:40.

So the baseline finish is 03:40, 2h20m before the 06:00 deadline; the buffer rule is 25% of
8h = 2h and the warning 30m. The budgets add up to 595 minutes. The rollback runbook's
critical path is halt 5 + restore 40 + re-enable writes 10 + verify 15 + announce 5 = 1h15m
(its budgets add up to 105m), so the last safe rollback start is 06:00 - 1h15m = 04:45; the
RTO is 1h30m.

The night played here: the snapshot runs 45m (its 40m alert fires at 22:55), the migration
gate is a conditional go (the order re-keying procedure is not signed off), the catalogue load
runs 1h20m (its not-done-by-01:15 alert fires), the checkout smoke test runs 35m (the 30-minute
rollback trigger fires at 04:00), then the all-smoke-tests checkpoint fails at 04:10 and the
commander invokes rollback at 04:12; the restore runs 55m and the rollback ends exactly on
its RTO at 05:42.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cutover_tui.engine.events import (
    CheckpointFailed,
    CheckpointPassed,
    CommsSent,
    Event,
    GateDecided,
    NoteAdded,
    ReadinessMarked,
    RollbackInvoked,
    RunEnded,
    RunStarted,
    StepCompleted,
    StepStarted,
)
from cutover_tui.engine.schedule import Schedule, schedule
from cutover_tui.engine.state import RunState, apply, check, fold, initial_state
from cutover_tui.plan import load_plan

PLAN = load_plan(Path(__file__).resolve().parents[1] / "plans" / "online-store.toml").plan
T0 = PLAN.window.start  # Fri 27 Nov 22:00 (Europe/London is UTC in November)
OWNER = {s.id: s.owner for s in [*PLAN.step, *PLAN.rollback_steps]}
TOTAL = 595  # minutes of budget in the plan
ROLLBACK_TOTAL = 105  # minutes of budget in the rollback runbook


def clock(hhmm: str) -> datetime:
    """A wall-clock time of the night: from noon on it is Friday, before noon Saturday."""
    hours, minutes = (int(p) for p in hhmm.split(":"))
    day = T0 if hours >= 12 else T0 + timedelta(days=1)
    return day.replace(hour=hours, minute=minutes)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


# -- the night, as the journal records it ----------------------------------------------------


class Night:
    """Events in the order they are recorded; `look` marks a moment the tests look at."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.points: dict[str, int] = {}

    def add(self, event: Event) -> None:
        n = len(self.events) + 1
        self.events.append(event.model_copy(update={"seq": n, "key": f"cmd-{n}"}))

    def start(self, hhmm: str, *steps: str) -> None:
        for sid in steps:
            self.add(StepStarted(actor=OWNER[sid], at=clock(hhmm), step=sid))

    def done(self, hhmm: str, *steps: str) -> None:
        for sid in steps:
            self.add(StepCompleted(actor=OWNER[sid], at=clock(hhmm), step=sid))

    def passed(self, hhmm: str, sid: str, evidence: str = "as specified") -> None:
        self.add(CheckpointPassed(actor=OWNER[sid], at=clock(hhmm), step=sid, evidence=evidence))

    def sent(self, hhmm: str, sid: str) -> None:
        self.add(
            CommsSent(
                actor="carol",
                at=clock(hhmm),
                step=sid,
                template="status-update",
                to=["it-leadership"],
                subject=sid,
                body="…",
            )
        )

    def look(self, hhmm: str) -> None:
        self.points[hhmm] = len(self.events)


def the_night() -> Night:
    night = Night()
    night.look("21:45")
    night.add(RunStarted(actor="alice", at=clock("22:00"), plan_id="online-store"))
    for item in ("restore-rehearsed", "rollback-rehearsed", "dns-ttl-lowered", "change-approved"):
        night.add(ReadinessMarked(actor="alice", at=clock("22:00"), item=item, status="met"))
    night.look("22:00")
    # Freeze & Backup.
    night.start(
        "22:00",
        "announce-freeze",
        "enable-maintenance-page",
        "freeze-legacy",
        "suspend-legacy-jobs",
    )
    night.sent("22:05", "announce-freeze")
    night.done("22:05", "enable-maintenance-page", "suspend-legacy-jobs")
    night.start("22:05", "drain-order-queue")
    night.done("22:10", "freeze-legacy")
    night.start("22:10", "export-media")
    night.done("22:15", "drain-order-queue")
    night.start("22:15", "snapshot-db")
    night.done("22:30", "export-media")
    night.look("22:30")
    night.look("22:50")  # the snapshot is over its 25m budget
    night.look("22:57")  # ... and past its 40m alert
    night.done("23:00", "snapshot-db")  # 45m
    night.start("23:00", "backup-verified")
    night.passed("23:10", "backup-verified", "RMAN backup set COMPLETE; media counts equal")
    night.look("23:10")
    # The migration gate: the order re-keying procedure is not signed off.
    risks = ["Orders taken on the new platform cannot be re-keyed into legacy by procedure"]
    night.add(
        GateDecided(
            actor="alice",
            at=clock("23:12"),
            step="go-no-go-migration",
            approver="alice",
            decision="conditional-go",
            risks=risks,
        )
    )
    night.add(
        GateDecided(
            actor="sponsor",
            at=clock("23:15"),
            step="go-no-go-migration",
            approver="sponsor",
            decision="conditional-go",
            reason="Retail re-keys by hand if we roll back after go-live",
        )
    )
    night.look("23:15")
    # Data Migration; the catalogue load is slow.
    night.start(
        "23:15", "extract-catalog", "extract-orders", "extract-customers", "announce-migration-go"
    )
    night.sent("23:20", "announce-migration-go")
    night.done("23:25", "extract-customers")
    night.start("23:25", "load-customers")
    night.done("23:35", "extract-catalog", "extract-orders")
    night.start("23:35", "transform-catalog", "load-orders")
    night.done("23:55", "load-customers")
    night.done("00:05", "transform-catalog")
    night.start("00:05", "load-catalog")
    night.done("00:35", "load-orders")
    night.look("01:05")  # the load is over its 55m budget
    night.look("01:20")  # ... and was not done by 01:15
    night.done("01:25", "load-catalog")  # 1h20m
    night.start("01:25", "rebuild-search-index", "reconcile-counts")
    night.done("01:45", "reconcile-counts")
    night.done("02:00", "rebuild-search-index")
    night.start("02:00", "row-count-matches")
    night.passed("02:10", "row-count-matches")
    # Deploy & Configure, on budget.
    night.start("02:10", "deploy-storefront", "configure-cdn", "announce-data-loaded")
    night.sent("02:15", "announce-data-loaded")
    night.done("02:25", "configure-cdn")
    night.done("02:35", "deploy-storefront")
    night.start("02:35", "configure-payments", "configure-tax-shipping", "import-redirects")
    night.done("02:45", "import-redirects")
    night.start("02:45", "warm-cache")
    night.done("02:50", "configure-payments", "configure-tax-shipping")
    night.done("03:00", "warm-cache")
    night.start("03:00", "config-complete")
    night.passed("03:10", "config-complete")
    # Smoke tests: checkout hangs, then the checkpoint fails.
    night.start("03:10", "open-internal-access")
    night.done("03:15", "open-internal-access")
    night.start("03:15", "smoke-search", "smoke-customer-account")
    night.passed("03:25", "smoke-search")  # the smoke tests are checkpoints (with checks)
    night.start("03:25", "smoke-add-to-cart")
    night.passed("03:30", "smoke-add-to-cart")
    night.done("03:30", "smoke-customer-account")
    night.start("03:30", "smoke-checkout")
    night.look("03:30")
    night.look("03:56")  # checkout is projected to pass its 30-minute limit
    night.look("04:02")  # ... and has passed it
    night.passed("04:05", "smoke-checkout")  # 35m
    night.start("04:05", "all-smoke-tests-pass")
    night.look("04:05")
    night.add(
        CheckpointFailed(
            actor="alice",
            at=clock("04:10"),
            step="all-smoke-tests-pass",
            evidence="PayPal test order never reached the warehouse system",
        )
    )
    night.look("04:10")
    # Rollback.
    night.add(
        RollbackInvoked(
            actor="alice",
            at=clock("04:12"),
            reason="checkout broken: PayPal orders do not reach the warehouse",
            trigger="smoke-failed",
        )
    )
    night.look("04:12")
    night.start("04:12", "rb-halt-new-platform")
    night.done("04:17", "rb-halt-new-platform")
    night.start("04:17", "rb-restore-snapshot", "rb-export-new-orders", "rb-repoint-dns")
    night.done("04:27", "rb-repoint-dns")
    night.done("04:32", "rb-export-new-orders")
    night.look("05:00")  # the restore is over its 40m budget
    night.look("05:10")  # ... far enough to miss the RTO
    night.done("05:12", "rb-restore-snapshot")  # 55m
    night.start("05:12", "rb-reenable-legacy-writes")
    night.done("05:22", "rb-reenable-legacy-writes")
    night.start("05:22", "rb-resume-legacy-jobs", "rb-verify-legacy")
    night.done("05:27", "rb-resume-legacy-jobs")
    night.passed("05:37", "rb-verify-legacy")
    night.start("05:37", "rb-announce")
    night.sent("05:42", "rb-announce")
    night.look("05:42")
    night.add(RunEnded(actor="alice", at=clock("05:45"), outcome="rolled-back"))
    night.look("06:30")
    return night


NIGHT = the_night()


def state_at(hhmm: str) -> RunState:
    return fold(PLAN, NIGHT.events[: NIGHT.points[hhmm]])


def look(hhmm: str) -> tuple[RunState, Schedule]:
    state = state_at(hhmm)
    return state, schedule(state, clock(hhmm))


def fired(sched: Schedule) -> list[tuple[str | None, str, datetime]]:
    return [(f.trigger, f.action, f.fired_at) for f in sched.fired]


# The plan's critical chain as written, up to the last step.
CRITICAL_HEAD = (
    "enable-maintenance-page",
    "drain-order-queue",
    "snapshot-db",
    "backup-verified",
    "go-no-go-migration",
    "extract-catalog",
    "transform-catalog",
    "load-catalog",
    "rebuild-search-index",
    "row-count-matches",
    "deploy-storefront",
    "import-redirects",
    "warm-cache",
    "config-complete",
    "open-internal-access",
    "smoke-search",
    "smoke-add-to-cart",
    "smoke-checkout",
    "all-smoke-tests-pass",
    "go-no-go-live",
    "switch-dns",
    "first-live-orders",
)
LAST_STEPS = {"announce-go-live", "handover-hypercare"}  # both end at the projected finish


def assert_chain(sched: Schedule, head: tuple[str, ...]) -> None:
    """The critical path is `head` and then one of the two steps that end the night."""
    assert sched.critical_path[:-1] == head
    assert sched.critical_path[-1] in LAST_STEPS


# -- the night is legal --------------------------------------------------------------------


def test_every_event_of_the_night_is_allowed_when_it_is_recorded() -> None:
    state = initial_state(PLAN)
    for event in NIGHT.events:
        assert check(state, event) is None, event
        apply(state, event)
    assert state.phase == "ended" and state.outcome == "rolled-back"
    # One event at a time or all at once, the same state.
    assert fold(PLAN, NIGHT.events).status == state.status


# -- before the window opens ------------------------------------------------------------------


def test_before_the_window_opens() -> None:
    state, sched = look("21:45")
    assert state.phase == "not-started"
    assert sched.as_of == clock("22:00")  # nothing can start before the window
    assert sched.projected_finish == sched.baseline_finish == clock("03:40")
    assert sched.delta == timedelta(0)
    assert sched.deadline == clock("06:00")
    assert sched.buffer_left == timedelta(hours=2, minutes=20)
    assert sched.level == "on-track"
    assert sched.percent_done == 0.0
    assert sched.ready == () and sched.running == () and sched.fired == ()
    assert sched.rollback_length == timedelta(hours=1, minutes=15)
    assert sched.last_safe_rollback_start == clock("04:45")
    assert sched.rollback_time_left == timedelta(hours=7)
    assert sched.back_out_finish == clock("23:15")  # a rollback from 22:00 would take 1h15m
    assert_chain(sched, CRITICAL_HEAD)
    # Critical: every plan step on a chain to 03:40, and nothing else.
    assert {s.id for s in PLAN.step if sched.steps[s.id].critical} == {
        *CRITICAL_HEAD,
        *LAST_STEPS,
    }
    snapshot = sched.steps["snapshot-db"]
    assert (snapshot.baseline_start, snapshot.baseline_finish) == (clock("22:15"), clock("22:40"))
    assert (snapshot.start, snapshot.finish) == (clock("22:15"), clock("22:40"))
    assert snapshot.slack == timedelta(hours=2, minutes=20)
    assert snapshot.driver == "drain-order-queue"  # it ends 22:15, after freeze-legacy's 22:10
    # freeze-legacy must end by the snapshot's latest start, 22:15 + 2h20m = 00:35: 2h25m.
    assert sched.steps["freeze-legacy"].slack == timedelta(hours=2, minutes=25)
    assert sched.steps["freeze-legacy"].latest_finish == clock("00:35")
    assert sched.steps["announce-freeze"].slack == timedelta(hours=7, minutes=55)


def test_the_run_starts_and_the_ready_queue_opens() -> None:
    _, sched = look("22:00")
    assert sched.as_of == clock("22:00")
    # Least slack first: enable-maintenance-page 2h20m (critical), freeze-legacy 2h25m,
    # suspend-legacy-jobs 2h30m (the snapshot's latest start 00:35 - 22:05), the freeze
    # announcement 7h55m (nothing waits for it).
    assert sched.ready == (
        "enable-maintenance-page",
        "freeze-legacy",
        "suspend-legacy-jobs",
        "announce-freeze",
    )
    assert dict(sched.ready_by_owner) == {
        "ops": ("enable-maintenance-page", "suspend-legacy-jobs"),
        "dba": ("freeze-legacy",),
        "carol": ("announce-freeze",),
    }
    assert sched.ready_for("qa") == ()
    assert sched.projected_finish == clock("03:40")
    assert sched.rollback_time_left == timedelta(hours=6, minutes=45)


# -- Freeze & Backup: a slow snapshot ------------------------------------------------------


def test_on_time_through_the_freeze() -> None:
    _, sched = look("22:30")
    assert sched.running == ("snapshot-db",)
    assert sched.ready == ()  # backup-verified waits for the snapshot
    assert sched.steps["snapshot-db"].finish == clock("22:40")  # 15m run, 10m left
    assert sched.steps["snapshot-db"].budget_used == pytest.approx(15 / 25)
    assert sched.projected_finish == clock("03:40")
    assert sched.delta == timedelta(0)
    assert sched.level == "on-track"
    # Freeze 5 + maintenance 5 + freeze-legacy 10 + jobs 5 + drain 10 + media 20 = 55m done.
    assert sched.percent_done == pytest.approx(55 / TOTAL)
    assert sched.critical_path[:3] == ("snapshot-db", "backup-verified", "go-no-go-migration")
    armed = {a.trigger: a for a in sched.armed}
    assert armed["snapshot-slow"].time_left == minutes(25)  # 22:15 + 40m = 22:55
    assert not armed["snapshot-slow"].projected_to_fire
    assert sched.rollback_time_left == timedelta(hours=6, minutes=15)


def test_the_snapshot_overruns_its_budget_but_the_buffer_rule_still_holds() -> None:
    _, sched = look("22:50")
    snapshot = sched.steps["snapshot-db"]
    # 35m into a 25m budget: over budget, so it ends at now + 5m, 15m late.
    assert snapshot.overrun and snapshot.level == "late"
    assert snapshot.finish == clock("22:55")
    assert snapshot.budget_used == pytest.approx(35 / 25)
    assert sched.steps["backup-verified"].start == clock("22:55")
    assert sched.projected_finish == clock("03:55")
    assert sched.delta == minutes(15)
    assert sched.buffer_left == timedelta(hours=2, minutes=5)
    assert sched.level == "on-track"  # behind plan, but still 2h05m >= the 2h buffer rule
    armed = {a.trigger: a for a in sched.armed}
    assert armed["snapshot-slow"].time_left == minutes(5)
    assert not armed["snapshot-slow"].projected_to_fire  # projected to end at 22:55 exactly
    assert sched.fired == ()


def test_the_snapshot_alert_fires_at_forty_minutes_and_the_night_is_at_risk() -> None:
    _, sched = look("22:57")
    assert sched.steps["snapshot-db"].finish == clock("23:02")
    assert sched.projected_finish == clock("04:02")
    assert sched.delta == minutes(22)
    assert sched.buffer_left == timedelta(hours=1, minutes=58)
    assert sched.level == "at-risk"  # behind plan and under the 2h buffer rule
    assert fired(sched) == [("snapshot-slow", "alert", clock("22:55"))]
    assert not sched.rollback_signalled
    assert sched.fired[0].reason == "'snapshot-db' has run 42m since 22:15, over its 40m limit"


# -- the migration gate: a conditional go --------------------------------------------------


def test_the_migration_gate_is_ready_with_one_criterion_open() -> None:
    state, sched = look("23:10")
    assert sched.ready == ("go-no-go-migration",)
    assert dict(sched.ready_by_owner) == {"alice": ("go-no-go-migration",)}
    # The snapshot ended 23:00 (20m late) and the checkpoint took its 10m: everything after
    # it is 20m late, and 2h left is exactly the buffer rule, not under it.
    assert sched.steps["go-no-go-migration"].start == clock("23:10")
    assert sched.projected_finish == clock("04:00")
    assert sched.delta == minutes(20)
    assert sched.buffer_left == timedelta(hours=2)
    assert sched.level == "on-track"
    assert state.criteria_open("go-no-go-migration") == ["order-rekey-procedure"]

    def decision(actor: str, decision: str, **extra: object) -> GateDecided:
        return GateDecided(
            actor=actor,
            at=clock("23:12"),
            step="go-no-go-migration",
            approver=actor,
            decision=decision,
            **extra,
        )

    assert check(state, decision("sponsor", "go")) == (
        "a go needs every criterion met; open: order-rekey-procedure "
        "(record a conditional go with the accepted risks, or a no-go)"
    )
    assert check(state, decision("alice", "conditional-go")) == (
        "a conditional go must record the accepted risks"
    )
    assert check(state, decision("dan", "go")) == (
        "Dan Hughes (dan) is not an approver of 'go-no-go-migration' (approvers: alice, sponsor)"
    )


def test_a_conditional_go_records_the_accepted_risks_and_opens_the_migration() -> None:
    state, sched = look("23:15")
    gate = state.gates["go-no-go-migration"]
    assert gate.outcome == "conditional-go"
    assert gate.decisions["alice"].risks == [
        "Orders taken on the new platform cannot be re-keyed into legacy by procedure"
    ]
    times = sched.steps["go-no-go-migration"]
    assert times.status == "done"
    assert (times.start, times.finish) == (clock("23:12"), clock("23:15"))
    # Decided 5m inside its 10m: the night is 15m late instead of 20m.
    assert sched.projected_finish == clock("03:55")
    assert sched.delta == minutes(15)
    assert sched.buffer_left == timedelta(hours=2, minutes=5)
    assert sched.level == "on-track"
    # extract-catalog is critical (2h05m); extract-orders feeds reconcile-counts, whose
    # latest start is 03:20 (row-count-matches' 03:40 - 20m): 23:35 + 2h45m = 02:20 for the
    # extract, so 2h45m; extract-customers 3h25m; the announcement 6h40m.
    assert sched.ready == (
        "extract-catalog",
        "extract-orders",
        "extract-customers",
        "announce-migration-go",
    )
    assert sched.steps["extract-orders"].slack == timedelta(hours=2, minutes=45)
    assert sched.steps["extract-customers"].slack == timedelta(hours=3, minutes=25)
    assert dict(sched.ready_by_owner) == {
        "dba": ("extract-catalog", "extract-orders", "extract-customers"),
        "carol": ("announce-migration-go",),
    }
    # The same decision again is refused with who decided and when.
    again = GateDecided(
        actor="alice",
        at=clock("23:16"),
        step="go-no-go-migration",
        approver="alice",
        decision="go",
    )
    assert check(state, again) == "gate 'go-no-go-migration' was already decided: conditional-go"


# -- Data Migration: the slow catalogue load --------------------------------------------------


SLOW_LOAD_CHAIN = (
    "load-catalog",
    "rebuild-search-index",
    "row-count-matches",
    "deploy-storefront",
    "import-redirects",
    "warm-cache",
    "config-complete",
    "open-internal-access",
    "smoke-search",
    "smoke-add-to-cart",
    "smoke-checkout",
    "all-smoke-tests-pass",
    "go-no-go-live",
    "switch-dns",
    "first-live-orders",
)


def test_a_slow_catalogue_load_pushes_the_night_past_the_buffer_rule() -> None:
    _, sched = look("01:05")
    # load-catalog [55m] started 00:05 and runs on at 01:05: over budget, so it ends at
    # now + 5m = 01:10. Then rebuild-search-index 01:10-01:45, reconcile-counts 01:10-01:30,
    # row-count-matches 01:45-01:55, deploy 01:55-02:20, redirects 02:20-02:30, CDN
    # 01:55-02:10, warm-cache 02:30-02:45, config-complete -02:55, internal access -03:00,
    # search -03:10, cart -03:15, checkout -03:30, all smoke tests -03:40, gate -03:50,
    # DNS -03:55, first orders -04:00, announce and hand over -04:05.
    assert sched.running == ("load-catalog",)
    load = sched.steps["load-catalog"]
    assert load.overrun and load.level == "late" and load.finish == clock("01:10")
    assert sched.steps["reconcile-counts"].start == clock("01:10")
    assert sched.steps["reconcile-counts"].finish == clock("01:30")
    assert sched.steps["row-count-matches"].start == clock("01:45")
    assert sched.steps["row-count-matches"].driver == "rebuild-search-index"
    assert sched.steps["warm-cache"].start == clock("02:30")
    assert sched.steps["warm-cache"].driver == "import-redirects"
    assert sched.projected_finish == clock("04:05")
    assert sched.delta == minutes(25)
    assert sched.buffer_left == timedelta(hours=1, minutes=55)
    assert sched.level == "at-risk"
    assert sched.ready == ()
    # Done: freeze 90, gate 10, announcement 5, extracts 20+20+10, transform 30, loads of
    # orders 60 and customers 30: 275 of 595 minutes.
    assert sched.percent_done == pytest.approx(275 / TOTAL)
    assert_chain(sched, SLOW_LOAD_CHAIN)
    armed = {a.trigger: a for a in sched.armed}
    assert armed["catalog-load-late"].time_left == minutes(10)
    assert not armed["catalog-load-late"].projected_to_fire  # 01:10 is before 01:15
    assert armed["catalog-load-late"].closeness == pytest.approx(185 / 195)  # of 22:00-01:15
    assert fired(sched) == [("snapshot-slow", "alert", clock("22:55"))]
    assert sched.rollback_time_left == timedelta(hours=3, minutes=40)


def test_the_load_is_not_done_by_01_15_and_the_alert_fires_at_01_15() -> None:
    _, sched = look("01:20")
    assert sched.steps["load-catalog"].finish == clock("01:25")
    assert sched.projected_finish == clock("04:20")
    assert sched.delta == minutes(40)
    assert sched.buffer_left == timedelta(hours=1, minutes=40)
    assert sched.level == "at-risk"
    assert fired(sched) == [
        ("snapshot-slow", "alert", clock("22:55")),
        ("catalog-load-late", "alert", clock("01:15")),
    ]
    assert sched.fired[1].reason == "'load-catalog' was not done by 01:15"
    assert not sched.rollback_signalled  # alerts, not rollback triggers


# -- Smoke tests: the 30-minute trigger, then a failed checkpoint -----------------------------


def test_the_checkout_smoke_test_starts_40_minutes_behind() -> None:
    _, sched = look("03:30")
    # Everything since 01:25 ran to budget: checkout -03:45, all smoke tests -03:55,
    # gate -04:05, DNS -04:10, first orders -04:15, announce -04:20.
    assert sched.running == ("smoke-checkout",)
    assert sched.projected_finish == clock("04:20")
    assert sched.delta == minutes(40)
    assert sched.buffer_left == timedelta(hours=1, minutes=40)
    assert sched.level == "at-risk"
    # Open: checkout 15, all smoke tests 10, gate 10, DNS, first orders, announce, hand
    # over 5 each: 55 of 595 minutes.
    assert sched.percent_done == pytest.approx((TOTAL - 55) / TOTAL)
    assert_chain(sched, ("smoke-checkout", "all-smoke-tests-pass", *CRITICAL_HEAD[-3:]))
    armed = {a.trigger: a for a in sched.armed}
    assert armed["smoke-stuck"].time_left == minutes(30)
    assert armed["smoke-stuck"].fires_at is None  # projected to end 03:45, inside 30m
    assert sched.rollback_time_left == timedelta(hours=1, minutes=15)


def test_the_checkout_test_is_projected_to_pass_its_30_minute_limit() -> None:
    _, sched = look("03:56")
    # 26m into 15m: it ends at 04:01, past 03:30 + 30m.
    assert sched.steps["smoke-checkout"].finish == clock("04:01")
    armed = {a.trigger: a for a in sched.armed}
    assert armed["smoke-stuck"].time_left == minutes(4)
    assert armed["smoke-stuck"].projected_to_fire
    assert armed["smoke-stuck"].fires_at == clock("04:00")
    assert armed["smoke-stuck"].closeness == pytest.approx(26 / 30)
    assert sched.projected_finish == clock("04:36")
    assert sched.delta == minutes(56)
    assert sched.buffer_left == timedelta(hours=1, minutes=24)
    assert sched.rollback_time_left == minutes(49)
    assert not sched.rollback_signalled


def test_the_30_minute_smoke_test_trigger_fires_at_04_00() -> None:
    _, sched = look("04:02")
    assert fired(sched) == [
        ("snapshot-slow", "alert", clock("22:55")),
        ("catalog-load-late", "alert", clock("01:15")),
        ("smoke-stuck", "rollback", clock("04:00")),
    ]
    assert sched.fired[2].reason == "'smoke-checkout' has run 32m since 03:30, over its 30m limit"
    assert not sched.fired[
        2
    ].recorded  # computed from the journal; the conductor has not written it
    assert sched.rollback_signalled
    assert sched.steps["smoke-checkout"].finish == clock("04:07")
    assert sched.projected_finish == clock("04:42")
    assert sched.delta == timedelta(hours=1, minutes=2)
    assert sched.buffer_left == timedelta(hours=1, minutes=18)
    assert sched.rollback_time_left == minutes(43)
    assert sched.back_out_finish == clock("05:17")  # a rollback started now: 04:02 + 1h15m
    assert "smoke-stuck" not in {a.trigger for a in sched.armed}


def test_the_checkout_test_passes_late_and_stays_flagged() -> None:
    _, sched = look("04:05")
    checkout = sched.steps["smoke-checkout"]
    assert checkout.status == "done"
    assert (checkout.start, checkout.finish) == (clock("03:30"), clock("04:05"))
    assert checkout.overrun and checkout.level == "late"
    assert checkout.budget_used == pytest.approx(35 / 15)
    assert checkout.latest_finish is None and checkout.slack is None  # it cannot move
    # all smoke tests 04:05-04:15, gate -04:25, DNS -04:30, first orders -04:35, end 04:40.
    assert sched.projected_finish == clock("04:40")
    assert sched.delta == timedelta(hours=1)
    assert sched.buffer_left == timedelta(hours=1, minutes=20)
    assert sched.fired[2].reason == "'smoke-checkout' ran 35m (03:30-04:05), over its 30m limit"
    assert sched.fired[2].fired_at == clock("04:00")


def test_the_failed_smoke_checkpoint_signals_rollback() -> None:
    state, sched = look("04:10")
    assert state.status["all-smoke-tests-pass"].status == "failed"
    assert sched.failed == ("all-smoke-tests-pass",)
    retry = sched.steps["all-smoke-tests-pass"]
    # Projected as if re-run from now: 04:10-04:20, gate -04:30, DNS -04:35, first orders
    # -04:40, end 04:45.
    assert retry.retry and retry.level == "at-risk"
    assert (retry.start, retry.finish) == (clock("04:10"), clock("04:20"))
    assert sched.projected_finish == clock("04:45")
    assert sched.delta == timedelta(hours=1, minutes=5)
    assert sched.buffer_left == timedelta(hours=1, minutes=15)
    assert sched.ready == ("all-smoke-tests-pass",)  # to re-run, unless rollback is invoked
    assert fired(sched) == [
        ("snapshot-slow", "alert", clock("22:55")),
        ("catalog-load-late", "alert", clock("01:15")),
        ("smoke-stuck", "rollback", clock("04:00")),
        ("smoke-failed", "rollback", clock("04:10")),
    ]
    assert sched.fired[3].reason == (
        "'all-smoke-tests-pass' failed at 04:10: "
        "PayPal test order never reached the warehouse system"
    )
    assert sched.rollback_time_left == minutes(35)  # until 04:45
    assert sched.back_out_finish == clock("05:25")
    assert sched.graph == "plan"


# -- Rollback, against the RTO ----------------------------------------------------------------


ROLLBACK_CHAIN = (
    "rb-halt-new-platform",
    "rb-restore-snapshot",
    "rb-reenable-legacy-writes",
    "rb-verify-legacy",
    "rb-announce",
)


def test_rollback_invoked_schedules_the_runbook_against_the_rto() -> None:
    state, sched = look("04:12")
    assert sched.graph == "rollback"
    assert sched.as_of == clock("04:12")
    # The RTO: restored by 04:12 + 1h30m = 05:42 (before the 06:00 deadline).
    assert sched.rollback_deadline == sched.deadline == clock("05:42")
    # Nothing of the runbook has run: 04:12 + 1h15m.
    assert sched.projected_finish == sched.baseline_finish == clock("05:27")
    assert sched.delta == timedelta(0)
    assert sched.buffer_left == minutes(15)
    assert sched.level == "at-risk"  # 15m is inside the 30m warning
    assert sched.rollback_met is True
    assert sched.percent_done == 0.0
    assert sched.ready == ("rb-halt-new-platform",)
    assert dict(sched.ready_by_owner) == {"ops": ("rb-halt-new-platform",)}
    assert sched.critical_path == ROLLBACK_CHAIN
    restore = sched.steps["rb-restore-snapshot"]
    assert (restore.baseline_start, restore.baseline_finish) == (clock("04:17"), clock("04:57"))
    assert restore.slack == minutes(15)
    assert sched.last_safe_rollback_start == clock("04:45")
    assert sched.rollback_time_left == minutes(33)
    # The plan is closed: its steps stay where they were, and no plan step may start.
    assert sched.steps["smoke-checkout"].finish == clock("04:05")
    start_dns = StepStarted(actor="ops", at=clock("04:13"), step="switch-dns")
    assert check(state, start_dns) == ("rollback is under way since 04:12; plan steps are closed")


def test_a_slow_restore_eats_the_rollback_buffer() -> None:
    _, sched = look("05:00")
    # The restore [40m] started 04:17; at 05:00 it has run 43m: it ends at 05:05. Re-enable
    # 05:05-05:15, verify 05:15-05:30 (DNS was re-pointed 04:27), announce 05:30-05:35.
    restore = sched.steps["rb-restore-snapshot"]
    assert restore.overrun and restore.finish == clock("05:05")
    assert sched.steps["rb-verify-legacy"].start == clock("05:15")
    assert sched.projected_finish == clock("05:35")
    assert sched.delta == minutes(8)
    assert sched.buffer_left == minutes(7)
    assert sched.level == "at-risk"
    assert sched.rollback_met is True
    assert sched.running == ("rb-restore-snapshot",)
    assert sched.percent_done == pytest.approx((5 + 15 + 10) / ROLLBACK_TOTAL)
    assert sched.critical_path == ROLLBACK_CHAIN[1:]
    assert sched.rollback_time_left == minutes(-15)  # the last safe start has passed


def test_a_slower_restore_misses_the_rto() -> None:
    _, sched = look("05:10")
    # 53m run: ends 05:15, re-enable -05:25, verify -05:40, announce -05:45.
    assert sched.projected_finish == clock("05:45")
    assert sched.delta == minutes(18)
    assert sched.buffer_left == minutes(-3)
    assert sched.level == "late"
    assert sched.rollback_met is False
    assert sched.steps["rb-announce"].slack == minutes(-3)
    assert sched.steps["rb-announce"].level == "late"


def test_the_legacy_shop_is_back_exactly_at_the_rto() -> None:
    _, sched = look("05:42")
    assert sched.running == () and sched.ready == () and sched.critical_path == ()
    assert sched.percent_done == 1.0
    assert sched.projected_finish == clock("05:42")  # the announcement went out 05:42
    assert sched.delta == minutes(15)
    assert sched.buffer_left == timedelta(0)
    assert sched.level == "at-risk"  # none of the 30m warning left
    assert sched.rollback_met is True


def test_nothing_is_recorded_or_fires_after_the_run_ended() -> None:
    state, sched = look("06:30")
    note = NoteAdded(actor="alice", at=clock("06:30"), text="review on Monday")
    assert check(state, note) == (
        "the run ended (rolled-back) at 05:45; it takes only review "
        "remarks (cutover do RUN note --kind review --note ...), what is done after the night "
        "(cutover do RUN validated|close-access|accept-handover|runbook-updated ...), the open "
        "incidents' updates and resolution, and a rehearsal's exclusion"
    )
    assert check(state, note.model_copy(update={"kind": "review"})) is None
    assert sched.graph == "rollback"
    assert sched.projected_finish == clock("05:42")
    assert [f.trigger for f in sched.fired] == [
        "snapshot-slow",
        "catalog-load-late",
        "smoke-stuck",
        "smoke-failed",
    ]
    assert sched.armed == ()
    # Past the deadline the figures do not move: the run is over.
    assert schedule(state, clock("09:00")).projected_finish == clock("05:42")

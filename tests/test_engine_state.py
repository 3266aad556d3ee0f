"""fold and check: what may happen, who may do it, what idempotency keys and live amendments do.

The plan is written here; its baseline, by hand: freeze [15m] 22:00-22:15, backup [30m]
-22:45, backup-ok [5m] -22:50, go [5m] -22:55, load [1h] -23:55, switch [30m] -00:25 (observe
[5m] 23:55-00:00 beside it), announce [5m] -00:30. The deadline is 02:00.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from cutover_tui.engine.events import (
    BudgetExceeded,
    CheckpointFailed,
    CheckpointPassed,
    CommsSent,
    DependencyChanged,
    EstimateChanged,
    Event,
    GateDecided,
    NoteAdded,
    ReadinessMarked,
    RollbackInvoked,
    RunEnded,
    RunStarted,
    StepAdded,
    StepCompleted,
    StepFailed,
    StepResumed,
    StepSkipped,
    StepStarted,
    StepSuspended,
    TriggerFired,
)
from cutover_tui.engine.schedule import schedule
from cutover_tui.engine.state import (
    FRESH,
    Refused,
    RunState,
    StepState,
    apply,
    check,
    fold,
    initial_state,
    require,
)
from cutover_tui.plan import parse_plan

PLAN_TEXT = """
format = 1

[plan]
id = "payroll"
title = "Payroll cutover"
timezone = "UTC"

[window]
start = 2026-11-27T22:00:00
end = 2026-11-28T02:00:00
buffer = "25%"
warning = "30m"

[people.alice]
name = "Alice Ng"
user = "alice"
roles = ["commander"]

[people.dba]
name = "Priya Shah"
user = "priya"
roles = ["operator"]

[people.ops]
name = "Omar Diaz"
user = "omar"
roles = ["operator"]

[people.sponsor]
name = "Sam Park"
user = "sam"
roles = ["approver"]

[people.carol]
name = "Carol Jones"
user = "carol"
roles = ["communicator"]

[people.viewer]
name = "Vic Watts"
user = "vic"
roles = ["watcher"]

[[step]]
id = "freeze"
title = "Freeze payroll changes"
owner = "dba"
duration = "15m"

[[step]]
id = "backup"
title = "Back up the payroll database"
owner = "dba"
duration = "30m"
after = ["freeze"]

[[step]]
id = "backup-ok"
kind = "checkpoint"
title = "Backup verified"
owner = "dba"
duration = "5m"
after = ["backup"]
verify = "Row count and checksum match"
on_fail = "rollback"

[[step]]
id = "go"
kind = "gate"
title = "Go / no-go"
owner = "alice"
duration = "5m"
after = ["backup-ok"]
criteria = ["backup-ok", "staff-ready"]
approvers = ["alice", "sponsor"]

[[step]]
id = "load"
title = "Load payroll data"
owner = "dba"
duration = "1h"
after = ["go"]

[[step]]
id = "switch"
title = "Switch the payroll service"
owner = "ops"
duration = "30m"
after = ["load"]

[[step]]
id = "observe"
title = "Audit watches the first payslip run"
owner = "viewer"
duration = "5m"
after = ["load"]

[[step]]
id = "announce"
kind = "comms"
title = "Tell HR payroll is live"
owner = "carol"
duration = "5m"
after = ["switch"]
template = "live"
to = ["hr"]

[[readiness]]
id = "staff-ready"
stream = "organisational"
item = "Payroll clerks trained"
owner = "carol"

[rollback]
owner = "alice"
rto = "45m"

[[rollback.step]]
id = "restore"
title = "Restore the backup"
owner = "dba"
duration = "30m"

[[rollback.step]]
id = "reopen"
title = "Reopen the old payroll"
owner = "ops"
duration = "10m"
after = ["restore"]

[[trigger]]
id = "load-stuck"
step = "load"
condition = "running-over"
limit = "1h30m"
action = "rollback"

[[audience]]
id = "hr"
name = "HR"
email = ["hr@example.com"]

[[template]]
id = "live"
subject = "{plan.title}: live at {now:%H:%M}"
body = "Payroll went live at {now:%H:%M}, {delta} against plan."
"""

PLAN = parse_plan(PLAN_TEXT).plan
T0 = PLAN.window.start


def at(hhmm: str) -> datetime:
    hours, minutes = (int(p) for p in hhmm.split(":"))
    day = T0 if hours >= 12 else T0 + timedelta(days=1)
    return day.replace(hour=hours, minute=minutes)


def started(*events: Event) -> list[Event]:
    return [RunStarted(actor="alice", at=at("22:00"), plan_id="payroll", key="run"), *events]


def freeze_done() -> list[Event]:
    return started(
        StepStarted(actor="dba", at=at("22:00"), step="freeze", key="freeze-start"),
        StepCompleted(actor="dba", at=at("22:15"), step="freeze", key="freeze-done"),
    )


def through_checkpoint() -> list[Event]:
    """freeze 22:00-22:15, backup 22:15-22:45, checkpoint passed 22:50."""
    return [
        *freeze_done(),
        StepStarted(actor="dba", at=at("22:15"), step="backup"),
        StepCompleted(actor="dba", at=at("22:45"), step="backup"),
        CheckpointPassed(actor="dba", at=at("22:50"), step="backup-ok", evidence="counts match"),
    ]


def through_gate() -> list[Event]:
    return [
        *through_checkpoint(),
        ReadinessMarked(actor="carol", at=at("22:50"), item="staff-ready", status="met"),
        GateDecided(actor="alice", at=at("22:52"), step="go", approver="alice", decision="go"),
        GateDecided(actor="sponsor", at=at("22:55"), step="go", approver="sponsor", decision="go"),
    ]


def reason(events: list[Event], event: Event) -> str | None:
    return check(fold(PLAN, events), event)


# -- illegal transitions ----------------------------------------------------------------------


def test_completing_a_step_that_never_started() -> None:
    done = StepCompleted(actor="dba", at=at("22:05"), step="freeze")
    assert reason(started(), done) == "'freeze' has not started; start it before you complete it"
    failed = StepFailed(actor="dba", at=at("22:05"), step="freeze", reason="disk full")
    assert reason(started(), failed) == "'freeze' has not started; start it before you fail it"


def test_closing_a_step_twice_names_who_closed_it_and_when() -> None:
    again = StepCompleted(actor="alice", at=at("22:16"), step="freeze")
    assert reason(freeze_done(), again) == (
        "'freeze' was already completed by Priya Shah (dba) at 22:15"
    )
    restart = StepStarted(actor="dba", at=at("22:16"), step="freeze")
    assert reason(freeze_done(), restart) == (
        "'freeze' was already completed by Priya Shah (dba) at 22:15"
    )


def test_starting_a_step_whose_predecessors_are_open() -> None:
    backup = StepStarted(actor="dba", at=at("22:01"), step="backup")
    assert reason(started(), backup) == "'backup' waits for 'freeze' to finish"
    running = started(StepStarted(actor="dba", at=at("22:00"), step="freeze"))
    assert reason(running, backup) == "'backup' waits for 'freeze' to finish"
    assert reason(freeze_done(), backup.model_copy(update={"at": at("22:16")})) is None
    # A checkpoint passed straight away is held to its predecessors too.
    passed = CheckpointPassed(actor="dba", at=at("22:20"), step="backup-ok", evidence="ok")
    assert reason(freeze_done(), passed) == "'backup-ok' waits for 'backup' to finish"


def test_a_gate_decision_by_someone_who_is_not_an_approver() -> None:
    events = through_checkpoint()
    own = GateDecided(actor="dba", at=at("22:52"), step="go", approver="dba", decision="go")
    assert reason(events, own) == (
        "Priya Shah (dba) is not an approver of 'go' (approvers: alice, sponsor)"
    )
    for_someone = GateDecided(
        actor="dba", at=at("22:52"), step="go", approver="sponsor", decision="go"
    )
    assert reason(events, for_someone) == (
        "Priya Shah (dba) may record only their own decision, not Sam Park (sponsor)'s"
    )
    # The commander may record an approver's decision (taken on the phone) for them.
    by_phone = GateDecided(
        actor="alice", at=at("22:52"), step="go", approver="sponsor", decision="no-go", reason="x"
    )
    assert reason(events, by_phone) is None


def test_gate_decisions_follow_the_gate_rules() -> None:
    early = GateDecided(actor="alice", at=at("22:20"), step="go", approver="alice", decision="go")
    assert reason(freeze_done(), early) == "gate 'go' waits for 'backup-ok' to finish"
    events = through_checkpoint()  # staff-ready not yet met
    assert reason(events, early) == (
        "a go needs every criterion met; open: staff-ready "
        "(record a conditional go with the accepted risks, or a no-go)"
    )
    no_go = GateDecided(
        actor="alice", at=at("22:52"), step="go", approver="alice", decision="no-go"
    )
    assert reason(events, no_go) == "a no-go must say why"
    on_task = GateDecided(
        actor="alice", at=at("22:52"), step="load", approver="alice", decision="go"
    )
    assert reason(events, on_task) == "'load' is a task, not a gate"
    # One approver's no-go fails the gate at once.
    stop = no_go.model_copy(update={"reason": "clerks not trained"})
    state = fold(PLAN, [*events, stop])
    assert state.gates["go"].outcome == "no-go"
    assert state.status["go"].status == "failed"
    assert check(state, early.model_copy(update={"approver": "sponsor", "actor": "sponsor"})) == (
        "gate 'go' was already decided: no-go"
    )
    # A go by both approvers closes it when the second decides.
    state = fold(PLAN, through_gate()[:-1])
    assert state.status["go"].status == "running" and state.gates["go"].outcome is None
    state = fold(PLAN, through_gate())
    assert state.status["go"].status == "done" and state.gates["go"].outcome == "go"
    assert state.status["go"].started_at == at("22:52")
    assert state.status["go"].finished_at == at("22:55")


def test_nothing_after_the_run_ended() -> None:
    ended = [*freeze_done(), RunEnded(actor="alice", at=at("22:20"), outcome="aborted")]
    state = fold(PLAN, ended)
    why = (
        "the run ended (aborted) at 22:20; it takes only review "
        "remarks (cutover do RUN note --kind review --note ...), what is done after the night "
        "(cutover do RUN validated|close-access|accept-handover|runbook-updated ...), the open "
        "incidents' updates and resolution, and a rehearsal's exclusion"
    )
    late = at("22:21")
    for event in (
        StepStarted(actor="dba", at=late, step="backup"),
        StepStarted(actor="alice", at=late, step="backup"),
        NoteAdded(actor="alice", at=late, text="one more thing"),
        ReadinessMarked(actor="carol", at=late, item="staff-ready", status="met"),
        EstimateChanged(actor="alice", at=late, step="load", duration_s=60, reason="r"),
        RollbackInvoked(actor="alice", at=late, reason="changed my mind"),
        RunEnded(actor="alice", at=late, outcome="completed"),
        RunStarted(actor="alice", at=late, plan_id="payroll"),
        TriggerFired(
            actor="conductor",
            at=late,
            trigger="load-stuck",
            step="load",
            action="rollback",
            reason="r",
        ),
    ):
        assert check(state, event) == why, event.type
    with pytest.raises(Refused, match="it takes only review remarks"):
        require(state, NoteAdded(actor="alice", at=late, text="x"))


def test_an_operator_on_someone_elses_step() -> None:
    start = StepStarted(actor="ops", at=at("22:01"), step="freeze")
    assert reason(started(), start) == (
        "Omar Diaz (ops) [operator] may not start 'freeze': "
        "only the commander (Alice Ng (alice)) or its owner, Priya Shah (dba) may"
    )
    running = started(StepStarted(actor="dba", at=at("22:00"), step="freeze"))
    done = StepCompleted(actor="ops", at=at("22:15"), step="freeze")
    assert reason(running, done) == (
        "Omar Diaz (ops) [operator] may not complete 'freeze': "
        "only the commander (Alice Ng (alice)) or its owner, Priya Shah (dba) may"
    )
    # Its owner and the commander may.
    assert reason(running, done.model_copy(update={"actor": "dba"})) is None
    assert reason(running, done.model_copy(update={"actor": "alice"})) is None
    # Someone who is not in the plan's people reads only.
    stranger = StepStarted(actor="mallory", at=at("22:01"), step="freeze")
    assert reason(started(), stranger) == (
        "mallory [not in the plan's people, so read-only] may not start 'freeze': "
        "only the commander (Alice Ng (alice)) or its owner, Priya Shah (dba) may"
    )


def test_a_watcher_only_watches_even_on_their_own_step() -> None:
    events = [*through_gate(), StepStarted(actor="dba", at=at("22:55"), step="load")]
    events.append(StepCompleted(actor="dba", at=at("23:55"), step="load"))
    watch = StepStarted(actor="viewer", at=at("23:55"), step="observe")
    assert reason(events, watch) == (
        "Vic Watts (viewer) [watcher] may not start 'observe': "
        "only the commander (Alice Ng (alice)) may; a watcher only watches, even on their own step"
    )
    note = NoteAdded(actor="viewer", at=at("23:55"), text="looks fine")
    assert reason(events, note) == (
        "Vic Watts (viewer) [watcher] may not add a note: "
        "only someone with a role tonight other than watcher, or the owner of the step, may"
    )


def test_only_the_commander_runs_the_night() -> None:
    by_operator = RunStarted(actor="dba", at=at("22:00"), plan_id="payroll")
    assert reason([], by_operator) == (
        "Priya Shah (dba) may not start this run: only the commander (Alice Ng (alice)) may"
    )
    again = started()[0].model_copy(update={"key": "run-again"})  # the same key is a repeat
    assert reason(started(), again) == ("the run was already started by Alice Ng (alice) at 22:00")
    assert reason([], StepStarted(actor="dba", at=at("22:00"), step="freeze")) == (
        "the run has not started yet"
    )
    invoke = RollbackInvoked(actor="ops", at=at("22:05"), reason="smells wrong")
    assert reason(started(), invoke) == (
        "Omar Diaz (ops) [operator] may not invoke rollback: only the commander (Alice Ng (alice)) may"
    )
    # A rehearsal may be started by anyone, who then commands it.
    rehearsal = [by_operator.model_copy(update={"mode": "rehearsal"})]
    assert reason([], rehearsal[0]) is None
    assert reason(rehearsal, StepStarted(actor="dba", at=at("22:01"), step="freeze")) is None
    assert fold(PLAN, rehearsal).is_commander("dba")


def test_derived_events_are_the_conductors_alone() -> None:
    running = [*through_gate(), StepStarted(actor="dba", at=at("22:55"), step="load")]
    flag = BudgetExceeded(actor="alice", at=at("23:55"), step="load")
    assert reason(running, flag) == "only the conductor records budget-exceeded"
    assert reason(running, flag.model_copy(update={"actor": "conductor"})) is None
    by_conductor = StepCompleted(actor="conductor", at=at("23:55"), step="load")
    assert reason(running, by_conductor) == "the conductor does not record step-completed"
    fire = TriggerFired(
        actor="conductor",
        at=at("00:25"),
        trigger="load-stuck",
        step="load",
        action="rollback",
        reason="r",
    )
    assert reason(running, fire) is None
    assert reason([*running, fire], fire) == "trigger 'load-stuck' already fired at 00:25"


def test_step_kinds_and_states_have_their_own_commands() -> None:
    events = [*freeze_done(), StepStarted(actor="dba", at=at("22:15"), step="backup")]
    suspend = StepSuspended(
        actor="dba", at=at("22:20"), step="backup", reason="storage array alarm", eta=at("22:40")
    )
    state = fold(PLAN, [*events, suspend])
    assert check(state, StepCompleted(actor="dba", at=at("22:30"), step="backup")) == (
        "'backup' is suspended since 22:20; resume it before you complete it"
    )
    assert check(state, StepSkipped(actor="alice", at=at("22:30"), step="backup", reason="r")) == (
        "'backup' is running (started 22:15 by Priya Shah (dba)); fail or complete it first"
    )
    assert reason(events, StepResumed(actor="dba", at=at("22:30"), step="backup")) == (
        "'backup' is not suspended"
    )
    assert reason(events, suspend.model_copy(update={"eta": at("22:10")})) == (
        "the ETA 22:10 is not after now (22:20)"
    )
    assert reason(events, StepSkipped(actor="alice", at=at("22:30"), step="load", reason=" ")) == (
        "say why the step is skipped: it goes into the review"
    )
    checkpoint = [
        *through_checkpoint()[:-1],
        StepStarted(actor="dba", at=at("22:45"), step="backup-ok"),
    ]
    assert reason(checkpoint, StepCompleted(actor="dba", at=at("22:50"), step="backup-ok")) == (
        "'backup-ok' is a checkpoint: record its result with pass or fail"
    )
    assert reason(events, CheckpointPassed(actor="dba", at=at("22:20"), step="freeze")) == (
        "'freeze' is a task, not a checkpoint"
    )
    assert reason(events, StepStarted(actor="alice", at=at("22:20"), step="go")) == (
        "'go' is a gate: record the approvers' decisions instead"
    )
    assert reason(events, StepStarted(actor="dba", at=at("22:20"), step="freez")) == (
        "there is no step 'freez'; did you mean 'freeze'?"
    )


def test_rollback_has_its_own_order() -> None:
    events = [*freeze_done(), StepStarted(actor="dba", at=at("22:15"), step="backup")]
    restore = StepStarted(actor="dba", at=at("22:30"), step="restore")
    assert reason(events, restore) == "'restore' is a rollback step; rollback has not been invoked"
    assert reason(events, RunEnded(actor="alice", at=at("22:30"), outcome="rolled-back")) == (
        "the run can end rolled back only after rollback was invoked"
    )
    assert reason(events, RunEnded(actor="alice", at=at("22:30"), outcome="completed")) == (
        "7 steps are still open (backup, backup-ok, go, load, switch …); "
        "skip them or end the run aborted"
    )
    assert reason(events, RollbackInvoked(actor="alice", at=at("22:30"), reason=" ")) == (
        "say why: the reason goes to every audience and into the review"
    )
    invoked = [*events, RollbackInvoked(actor="alice", at=at("22:30"), reason="array alarm")]
    assert reason(invoked, restore) is None
    assert reason(invoked, StepCompleted(actor="dba", at=at("22:31"), step="backup")) == (
        "rollback is under way since 22:30; plan steps are closed"
    )
    assert reason(invoked, invoked[-1]) == "rollback was already invoked at 22:30"


def test_once_rollback_is_invoked_no_plan_step_moves() -> None:
    # Regression: a gate decision, a resume and a comms step's message were accepted on plan
    # steps after rollback was invoked (only start, complete, fail, skip and checkpoints were
    # held back), so a plan gate could open or a suspended plan step run again mid-rollback.
    closed = "rollback is under way since 22:56; plan steps are closed"
    gate_ready = [
        *through_checkpoint(),
        ReadinessMarked(actor="carol", at=at("22:50"), item="staff-ready", status="met"),
    ]
    invoke = RollbackInvoked(actor="alice", at=at("22:56"), reason="storage array alarm")
    decide = GateDecided(actor="alice", at=at("22:57"), step="go", approver="alice", decision="go")
    assert reason(gate_ready, decide) is None
    assert reason([*gate_ready, invoke], decide) == closed
    by_sponsor = decide.model_copy(update={"actor": "sponsor", "approver": "sponsor"})
    assert reason([*gate_ready, invoke], by_sponsor) == closed

    suspended = [
        *through_gate(),
        StepStarted(actor="dba", at=at("22:55"), step="load"),
        StepSuspended(actor="dba", at=at("22:56"), step="load", reason="array alarm"),
    ]
    resume = StepResumed(actor="dba", at=at("22:58"), step="load")
    assert reason(suspended, resume) is None
    assert reason([*suspended, invoke], resume) == closed

    announce = CommsSent(
        actor="carol",
        at=at("22:58"),
        step="announce",
        template="live",
        to=["hr"],
        subject="Payroll is live",
        body="…",
    )
    assert reason([*gate_ready, invoke], announce) == closed
    # A message that is not a plan step's still goes out: the rollback has news to tell.
    assert reason([*gate_ready, invoke], announce.model_copy(update={"step": None})) is None
    # And the rollback's own steps move as usual.
    restore = StepStarted(actor="dba", at=at("22:57"), step="restore")
    assert reason([*gate_ready, invoke], restore) is None


# -- idempotency keys ------------------------------------------------------------------------


def test_a_repeated_command_is_answered_not_refused() -> None:
    state = fold(PLAN, freeze_done())
    assert {"run", "freeze-start", "freeze-done"} <= state.keys
    # The same completion sent again (a retry after a lost reply): not an error, and the
    # journal answers it from the event already recorded.
    repeat = StepCompleted(actor="dba", at=at("22:16"), step="freeze", key="freeze-done")
    assert check(state, repeat) is None
    # The same completion under a new key is a second close, refused with who and when.
    other = repeat.model_copy(update={"key": "freeze-done-2"})
    assert check(state, other) == "'freeze' was already completed by Priya Shah (dba) at 22:15"
    # Keys come back with every fold, and from apply one event at a time.
    incremental = initial_state(PLAN)
    for event in freeze_done():
        apply(incremental, event)
    assert incremental.keys == state.keys
    assert state.event_count == 3


# -- live amendments -------------------------------------------------------------------------


def backup_running() -> list[Event]:
    """Freeze done 22:15; backup running since 22:15 (on budget at 22:20)."""
    return [*freeze_done(), StepStarted(actor="dba", at=at("22:15"), step="backup")]


def amended(*amendments: Event) -> RunState:
    return fold(PLAN, [*backup_running(), *amendments])


def test_a_step_added_live_changes_tonight_not_the_plan() -> None:
    before = PLAN.model_dump()
    vacuum = StepAdded(
        actor="alice",
        at=at("22:20"),
        step="vacuum",
        title="Vacuum the payroll tables",
        owner="dba",
        duration_s=15 * 60,
        after=["load"],
        before=["switch"],
        reason="table bloat seen in rehearsal 3",
    )
    state = amended(vacuum)
    assert state.steps["vacuum"].added and state.order[-1] == "vacuum"
    assert state.steps["switch"].after == ["load", "vacuum"]
    assert state.revision == 1
    sched = schedule(state, at("22:20"))
    # backup ends 22:45 on budget; checkpoint -22:50, gate -22:55, load -23:55, then the
    # vacuum 23:55-00:10 before the switch 00:10-00:40 and the announcement -00:45.
    assert (sched.steps["vacuum"].start, sched.steps["vacuum"].finish) == (at("23:55"), at("00:10"))
    assert sched.steps["vacuum"].baseline_finish == at("00:10")  # after load's baseline 23:55
    assert sched.steps["switch"].start == at("00:10")
    assert sched.projected_finish == at("00:45")
    assert sched.baseline_finish == at("00:30")  # the plan as written
    assert sched.delta == timedelta(minutes=15)
    # The file's plan is untouched, and so is every other fold of it.
    assert PLAN.model_dump() == before
    assert [s.id for s in PLAN.step][-1] == "announce"
    assert PLAN.step_by_id["switch"].after == ["load"]
    plain = fold(PLAN, backup_running())
    assert "vacuum" not in plain.steps and plain.steps["switch"].after == ["load"]
    assert schedule(plain, at("22:20")).projected_finish == at("00:30")
    # The added step is a step like any other.
    assert check(state, StepStarted(actor="dba", at=at("22:21"), step="vacuum")) == (
        "'vacuum' waits for 'load' to finish"
    )


def test_an_estimate_changed_live_moves_the_projection() -> None:
    longer = EstimateChanged(
        actor="alice", at=at("22:20"), step="load", duration_s=90 * 60, reason="twice the rows"
    )
    state = amended(longer)
    assert state.steps["load"].duration == timedelta(minutes=90)
    assert PLAN.step_by_id["load"].duration == timedelta(hours=1)
    sched = schedule(state, at("22:20"))
    assert sched.steps["load"].finish == at("00:25")  # 22:55 + 1h30m
    assert sched.projected_finish == at("01:00")
    assert sched.delta == timedelta(minutes=30)
    # On a running step, the new estimate is what is left of it from its start: load started
    # 22:55; at 23:30, re-estimated to 2h, it ends 22:55 + 2h = 00:55.
    events = [*through_gate(), StepStarted(actor="dba", at=at("22:55"), step="load")]
    again = EstimateChanged(
        actor="alice", at=at("23:30"), step="load", duration_s=2 * 3600, reason="slow disk"
    )
    sched = schedule(fold(PLAN, [*events, again]), at("23:30"))
    assert sched.steps["load"].finish == at("00:55")
    assert sched.projected_finish == at("01:30")
    assert sched.steps["load"].budget_used == pytest.approx(35 / 120)


def test_a_dependency_changed_live_reshapes_the_graph() -> None:
    parallel = DependencyChanged(
        actor="alice", at=at("22:20"), step="switch", after=["go"], reason="switch reads old data"
    )
    state = amended(parallel)
    assert state.steps["switch"].after == ["go"]
    assert PLAN.step_by_id["switch"].after == ["load"]
    sched = schedule(state, at("22:20"))
    # The switch now runs beside the load: 22:55-23:25, announce -23:30; load ends 23:55.
    assert sched.steps["switch"].start == at("22:55")
    assert sched.steps["announce"].finish == at("23:30")
    assert sched.projected_finish == at("00:00")  # observe, 5m after the load
    assert sched.delta == timedelta(minutes=-30)
    assert sched.critical_path == ("backup", "backup-ok", "go", "load", "observe")


def test_amendments_are_checked() -> None:
    events = backup_running()

    def why(event: Event) -> str | None:
        return reason(events, event)

    at_ = at("22:20")
    assert why(EstimateChanged(actor="alice", at=at_, step="load", duration_s=60, reason="")) == (
        "a live amendment must say why: it goes into the review"
    )
    assert why(EstimateChanged(actor="alice", at=at_, step="load", duration_s=0, reason="r")) == (
        "an estimate must be positive"
    )
    assert why(
        EstimateChanged(actor="alice", at=at_, step="freeze", duration_s=60, reason="r")
    ) == ("'freeze' was already completed by Priya Shah (dba) at 22:15")
    assert why(EstimateChanged(actor="dba", at=at_, step="load", duration_s=60, reason="r")) == (
        "Priya Shah (dba) [operator] may not change an estimate: only the commander (Alice Ng (alice)) may"
    )
    assert why(DependencyChanged(actor="alice", at=at_, step="backup", after=[], reason="r")) == (
        "'backup' has already started; its dependencies no longer matter"
    )
    assert why(
        DependencyChanged(actor="alice", at=at_, step="load", after=["switch"], reason="r")
    ) == ("that would make a dependency cycle")
    assert why(
        DependencyChanged(actor="alice", at=at_, step="reopen", after=["load"], reason="r")
    ) == ("rollback steps and plan steps are separate graphs")

    def add(**fields: object) -> StepAdded:
        base: dict = {
            "actor": "alice",
            "at": at_,
            "step": "extra",
            "title": "Extra",
            "owner": "dba",
            "duration_s": 300,
            "reason": "r",
        }
        return StepAdded(**{**base, **fields})

    assert why(add()) is None
    assert why(add(step="load")) == "there is already a step or item 'load'"
    assert why(add(step="staff-ready")) == "there is already a step or item 'staff-ready'"
    assert why(add(owner="nobody")) == "'nobody' is not in the plan's people"
    assert why(add(duration_s=0)) == "the new step needs a positive duration"
    assert why(add(before=["backup"])) == (
        "'backup' has already started; a new step cannot come before it"
    )
    assert why(add(after=["switch"], before=["load"])) == "that would make a dependency cycle"
    assert why(add(actor="dba")) == (
        "Priya Shah (dba) [operator] may not add a step: only the commander (Alice Ng (alice)) may"
    )
    # Regression: a plan step added after a rollback step was accepted; the schedule left the
    # dependency out (and listed the step as ready) while check refused to start it until the
    # rollback step was done, which can only happen after the plan is closed.
    separate = "rollback steps and plan steps are separate graphs"
    assert why(add(after=["restore"])) == separate
    assert why(add(before=["reopen"])) == separate


def test_amended_states_share_nothing_with_their_plan() -> None:
    # A state folded with an amendment, then one without: the second sees the file's plan
    # even though both started from the same cached template.
    longer = EstimateChanged(
        actor="alice", at=at("22:20"), step="backup", duration_s=3600, reason="r"
    )
    first = amended(longer)
    assert schedule(first, at("22:20")).projected_finish == at("01:00")
    second = fold(PLAN, backup_running())
    assert second.steps["backup"].duration == timedelta(minutes=30)
    assert schedule(second, at("22:20")).projected_finish == at("00:30")
    assert schedule(first, at("22:20")).projected_finish == at("01:00")


# -- fold and apply agree ----------------------------------------------------------------------


def eventful_night() -> list[Event]:
    """Restarts after a failure, suspensions, monotonic readings, skips, comms, a no-go."""
    return [
        *started(),
        StepStarted(actor="dba", at=at("22:00"), step="freeze", mono=100.0, boot="b1"),
        StepFailed(
            actor="dba", at=at("22:05"), step="freeze", reason="lock held", mono=400.0, boot="b1"
        ),
        StepStarted(actor="dba", at=at("22:06"), step="freeze", mono=460.0, boot="b1"),
        StepCompleted(actor="dba", at=at("22:20"), step="freeze", mono=1300.0, boot="b1"),
        StepStarted(actor="dba", at=at("22:20"), step="backup", mono=1300.0, boot="b1"),
        StepSuspended(actor="dba", at=at("22:25"), step="backup", reason="alarm", eta=at("22:40")),
        StepResumed(actor="dba", at=at("22:35"), step="backup"),
        StepCompleted(actor="dba", at=at("23:00"), step="backup", mono=2.0, boot="b2"),
        StepStarted(actor="dba", at=at("23:00"), step="backup-ok"),
        CheckpointFailed(actor="dba", at=at("23:05"), step="backup-ok", evidence="checksum"),
        StepStarted(actor="dba", at=at("23:06"), step="backup-ok"),
        CheckpointPassed(actor="dba", at=at("23:10"), step="backup-ok", evidence="ok"),
        ReadinessMarked(
            actor="carol", at=at("23:10"), item="staff-ready", status="waived", note="on call"
        ),
        GateDecided(actor="alice", at=at("23:12"), step="go", approver="alice", decision="go"),
        GateDecided(actor="sponsor", at=at("23:15"), step="go", approver="sponsor", decision="go"),
        StepStarted(actor="dba", at=at("23:15"), step="load"),
        BudgetExceeded(actor="conductor", at=at("00:15"), step="load"),
        StepCompleted(actor="dba", at=at("00:20"), step="load"),
        StepSkipped(actor="alice", at=at("00:20"), step="observe", reason="audit asleep"),
        StepStarted(actor="ops", at=at("00:20"), step="switch"),
    ]


def test_fold_equals_apply_one_event_at_a_time() -> None:
    events = eventful_night()
    state = initial_state(PLAN)
    for event in events:
        assert check(state, event) is None, event
        apply(state, event)
    folded = fold(PLAN, events)
    assert folded.status == state.status
    assert folded.keys == state.keys and folded.event_count == state.event_count == len(events)
    numbered = [e.model_copy(update={"seq": 10 + n}) for n, e in enumerate(events)]
    streamed = fold(PLAN, (e for e in numbered))  # any iterable, read once
    assert streamed.status == state.status and streamed.last_seq == 10 + len(events) - 1
    freeze = folded.status["freeze"]
    # Restarted after its failure: the second attempt's start, the first failure kept.
    assert (freeze.attempts, freeze.started_at, freeze.failed_at) == (2, at("22:06"), at("22:05"))
    assert freeze.actual == timedelta(seconds=840)  # monotonic: 1300 - 460
    backup = folded.status["backup"]
    assert backup.paused == timedelta(minutes=10)
    assert backup.actual == timedelta(minutes=30)  # across a reboot: wall clock, less the pause
    assert folded.status["backup-ok"].attempts == 2
    assert folded.status["load"].over_budget_attempt == 1
    assert folded.status["observe"].status == "skipped"
    assert folded.status["switch"].status == "running"
    assert folded.status["announce"] == state.status["announce"]
    assert folded.status["announce"].status == "pending"


def test_a_schedule_keeps_its_moment_while_the_state_moves_on() -> None:
    # A follower applies each new event to its state in place; a Schedule made before builds
    # its StepTimes on first access. Regression: those were built from the state as it is
    # now, so a step resumed since read as suspended with no suspension time (a TypeError),
    # a step completed since kept its old projection under its new status, and a step added
    # since was listed with no times (KeyError).
    events = [
        *freeze_done(),
        StepStarted(actor="dba", at=at("22:15"), step="backup"),
        StepSuspended(actor="dba", at=at("22:20"), step="backup", reason="array alarm"),
    ]
    state = fold(PLAN, events)
    before = schedule(state, at("22:30"))
    for event in (
        StepResumed(actor="dba", at=at("22:31"), step="backup"),
        StepCompleted(actor="dba", at=at("22:40"), step="backup"),
        StepAdded(
            actor="alice",
            at=at("22:41"),
            step="vacuum",
            title="Vacuum the payroll tables",
            owner="dba",
            duration_s=600,
            after=["load"],
            reason="table bloat",
        ),
    ):
        assert check(state, event) is None
        apply(state, event)
    # As it stood at 22:30: backup suspended 5m into 30m, resumed now: 25m left, -22:55.
    backup = before.steps["backup"]
    assert (backup.status, backup.start, backup.finish) == ("suspended", at("22:15"), at("22:55"))
    assert backup.budget_used == pytest.approx(5 / 30)
    assert list(before.steps) == [*(s.id for s in PLAN.step), "restore", "reopen"]
    assert "vacuum" not in before.steps
    assert {sid: t.status for sid, t in before.steps.items()}["freeze"] == "done"
    # And the state's own schedule has moved on.
    after = schedule(state, at("22:41"))
    assert after.steps["backup"].status == "done"
    assert after.steps["backup"].finish == at("22:40")
    # backup-ok 22:41-22:46, go -22:51, load -23:51, then the vacuum.
    assert after.steps["vacuum"].start == at("23:51")


def test_steps_nothing_happened_to_share_one_read_only_state() -> None:
    # Every step starts from one shared fresh StepState (a 5,000-step plan need not
    # make 5,000); an event replaces its step's state instead of editing it, so the shared
    # one stays fresh whatever is folded or applied.
    folded = fold(PLAN, eventful_night())
    applied = initial_state(PLAN)
    for event in eventful_night():
        apply(applied, event)
    for state in (folded, applied):
        fresh = state.status["announce"]
        assert fresh is state.status["restore"] is state.status["reopen"]
        assert fresh == StepState() and StepState() == fresh
        assert repr(fresh) == repr(StepState())
        with pytest.raises(AttributeError, match="replace it"):
            fresh.status = "running"  # type: ignore[misc]
        assert state.status["switch"] is not fresh and state.status["switch"].status == "running"
    # Being read-only, it is one object for every state of every plan: the schedule tells a
    # step nothing happened to by identity.
    assert fold(PLAN, []).status["announce"] is folded.status["announce"] is FRESH


def test_a_step_done_in_one_go_reads_like_any_other_and_is_copied_to_change() -> None:
    # fold keeps a step started and completed with nothing between as its two events; it
    # must read field by field like the StepState apply makes, and change only as a copy.
    events = started(
        StepStarted(actor="alice", at=at("22:00"), step="freeze", mono=10.0, boot="b1"),
        StepCompleted(actor="dba", at=at("22:12"), step="freeze", mono=730.0, boot="b1"),
        StepStarted(actor="dba", at=at("22:12"), step="backup", mono=5.0, boot="b1"),
        StepCompleted(actor="dba", at=at("22:40"), step="backup", mono=3.0, boot="b2"),
    )
    folded = fold(PLAN, events)
    applied = initial_state(PLAN)
    for event in events:
        apply(applied, event)
    freeze, backup = folded.status["freeze"], folded.status["backup"]
    assert type(freeze) is not StepState  # the compact kind, or this test tests nothing
    assert freeze == applied.status["freeze"] and repr(freeze) == repr(applied.status["freeze"])
    assert (freeze.started_by, freeze.finished_by, freeze.attempts) == ("alice", "dba", 1)
    assert freeze.started_mono == ("b1", 10.0) and freeze.actual == timedelta(seconds=720)
    assert backup.ran_mono is None and backup.actual == timedelta(minutes=28)  # two boots
    assert backup == applied.status["backup"]

    before = schedule(folded, at("22:45"))
    apply(folded, BudgetExceeded(actor="conductor", at=at("22:45"), step="freeze", attempt=1))
    changed = folded.status["freeze"]
    assert type(changed) is StepState and changed is not freeze
    assert changed.over_budget_attempt == 1 and changed.finished_by == "dba"
    assert changed.ran_mono == timedelta(seconds=720) and changed.status == "done"
    assert freeze.over_budget_attempt == 0  # the folded state was replaced, not edited
    assert before.steps["freeze"].finish == at("22:12")


def test_a_gate_half_decided_is_closed_only_by_its_other_approvers() -> None:
    # Regression: the first decision opens a gate ("running"), and a plain complete, fail or
    # suspend on it was accepted: the gate closed as done without the sponsor's go.
    state = fold(PLAN, through_gate()[:-1])  # alice said go; the sponsor has not decided
    assert state.status["go"].status == "running"
    for event in (
        StepCompleted(actor="alice", at=at("22:53"), step="go"),
        StepFailed(actor="alice", at=at("22:53"), step="go", reason="changed my mind"),
        StepSuspended(actor="alice", at=at("22:53"), step="go", reason="wait"),
    ):
        reason = check(state, event)
        assert reason is not None and reason.startswith("'go' is a gate: its approvers decide it")
        assert reason.endswith("waiting for Sam Park (sponsor)")
    sponsor = GateDecided(
        actor="sponsor", at=at("22:55"), step="go", approver="sponsor", decision="go"
    )
    assert check(state, sponsor) is None
    apply(state, sponsor)
    assert state.status["go"].status == "done" and state.gates["go"].outcome == "go"


def test_a_trigger_is_recorded_only_while_its_condition_holds() -> None:
    # A conductor works from the state it last read: if the step was closed since, within
    # its limit, the journal's check refuses the trigger the journal itself contradicts.
    loading = [*through_gate(), StepStarted(actor="dba", at=at("23:00"), step="load")]
    stuck = TriggerFired(
        actor="conductor",
        at=at("00:30"),
        trigger="load-stuck",
        step="load",
        action="rollback",
        reason="'load' has run 1h30m",
    )
    assert reason(loading, stuck) is None  # still running at 00:30: it did run over
    done = [*loading, StepCompleted(actor="dba", at=at("00:10"), step="load")]
    assert reason(done, stuck) == "'load' ran 23:00-00:10, within its 1h30m limit"
    assert reason(through_gate(), stuck) == "'load' has not run, so it cannot have run over"
    late = [*loading, StepCompleted(actor="dba", at=at("00:45"), step="load")]
    assert reason(late, stuck) is None  # closed, but after its limit: it did fire

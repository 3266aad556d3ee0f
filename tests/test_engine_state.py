"""fold and check: what may happen, who may do it, and what live amendments change."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cutover_tui.engine.events import (
    DependencyChanged,
    EstimateChanged,
    GateDecided,
    NoteAdded,
    RunEnded,
    StepAdded,
    StepCompleted,
    StepStarted,
)
from cutover_tui.engine.schedule import schedule
from cutover_tui.engine.state import Refused, apply, check, fold, require
from tests.warroom_support import PLAN, at, started, through_backup, through_gate


def refused(events, event) -> str:
    reason = check(fold(PLAN, events), event)
    assert reason is not None, f"{event.type} should have been refused"
    return reason


def test_completing_a_step_that_never_started() -> None:
    reason = refused(started(), StepCompleted(actor="dba", at=at(5), step="freeze"))
    assert "freeze" in reason and "not" in reason


def test_starting_a_step_whose_predecessors_are_open() -> None:
    reason = refused(started(), StepStarted(actor="dba", at=at(1), step="backup-ok"))
    assert "backup" in reason  # names the open predecessor


def test_a_decision_by_someone_who_is_not_an_approver() -> None:
    events = [*through_backup()]
    decision = GateDecided(actor="dba", at=at(45), step="go", approver="dba", decision="go")
    reason = refused(events, decision)
    assert "may not" in reason or "approver" in reason


def test_an_operator_on_someone_elses_step() -> None:
    reason = refused(started(), StepStarted(actor="ops", at=at(1), step="freeze"))
    assert "may not" in reason and "owner" in reason


def test_nothing_after_the_run_ended() -> None:
    events = [*started(), RunEnded(actor="alice", at=at(2), outcome="aborted", reason="test")]
    reason = refused(events, NoteAdded(actor="alice", at=at(3), text="too late"))
    assert "ended" in reason


def test_unknown_step_gets_the_nearest_id() -> None:
    reason = refused(started(), StepStarted(actor="alice", at=at(1), step="freez"))
    assert "freeze" in reason


def test_require_raises_refused_with_the_reason() -> None:
    with pytest.raises(Refused, match="freeze"):
        require(fold(PLAN, started()), StepCompleted(actor="dba", at=at(5), step="freeze"))


def test_idempotency_keys_are_remembered() -> None:
    state = fold(PLAN, started())
    apply(state, StepStarted(actor="dba", at=at(1), step="freeze", key="k1"))
    assert "k1" in state.keys and "start" in state.keys


def test_live_amendments_change_tonight_not_the_plan() -> None:
    before = PLAN.model_dump()
    events = [
        *through_gate(),
        EstimateChanged(actor="alice", at=at(48), step="load", duration_s=7200, reason="bigger"),
        StepAdded(
            actor="alice",
            at=at(48),
            step="vacuum",
            title="Vacuum the payroll tables",
            owner="dba",
            duration_s=900,
            after=["load"],
            before=["switch"],
            reason="found bloat in rehearsal 3",
        ),
    ]
    state = fold(PLAN, events)
    assert state.steps["load"].duration == timedelta(hours=2)
    assert "switch" in [s for s in state.steps] and "vacuum" in state.steps["switch"].after
    assert PLAN.model_dump() == before  # the file's plan is untouched
    assert PLAN.step_by_id["load"].duration == timedelta(hours=1)
    sched = schedule(state, at(48))
    # The load now takes 2h and the vacuum 15m sits between it and the switch.
    assert sched.steps["vacuum"].start == sched.steps["load"].finish
    assert sched.steps["switch"].start >= sched.steps["vacuum"].finish
    base = schedule(fold(PLAN, through_gate()), at(48))
    assert sched.projected_finish - base.projected_finish == timedelta(hours=1, minutes=15)


def test_a_dependency_change_that_would_make_a_cycle_is_refused() -> None:
    events = through_gate()
    change = DependencyChanged(
        actor="alice", at=at(48), step="freeze", after=["switch"], reason="oops"
    )
    assert "started" in refused(events, change) or "cycle" in refused(events, change)
    pending_cycle = DependencyChanged(
        actor="alice", at=at(48), step="load", after=["switch"], reason="oops"
    )
    assert "cycle" in refused(events, pending_cycle)


def test_amendments_need_a_reason_and_the_commander() -> None:
    events = through_gate()
    no_reason = EstimateChanged(actor="alice", at=at(48), step="load", duration_s=60, reason="")
    assert "reason" in refused(events, no_reason) or "why" in refused(events, no_reason)
    by_operator = EstimateChanged(
        actor="dba", at=at(48), step="load", duration_s=60, reason="slow disk"
    )
    assert "may not" in refused(events, by_operator)


def test_durations_come_from_the_monotonic_clock_within_one_boot() -> None:
    # The wall clock was stepped forward an hour while the load ran (NTP, a resumed VM):
    # by the wall it ran 2h, by the monotonic clock of the same boot 1h.
    start = StepStarted(actor="dba", at=at(0), step="freeze", mono=1000.0, boot="b1")
    done = StepCompleted(actor="dba", at=at(120), step="freeze", mono=4600.0, boot="b1")
    state = fold(PLAN, [*started(), start, done])
    assert state.status["freeze"].actual == timedelta(hours=1)
    # Across a reboot the readings cannot be compared: the wall clock decides.
    rebooted = done.model_copy(update={"boot": "b2"})
    state = fold(PLAN, [*started(), start, rebooted])
    assert state.status["freeze"].actual == timedelta(hours=2)
    # A late tick-off (no reading) is measured by the wall clock too.
    late = done.model_copy(update={"mono": None, "boot": None})
    assert fold(PLAN, [*started(), start, late]).status["freeze"].actual == timedelta(hours=2)

"""A host wall clock that jumps (NTP stepping it, `date -s`, a VM resumed) while a step runs:
its running-over trigger counts only the time that passed, so the jump alone calls for no
rollback, and a real overrun still does. The conductor on a real SQLite file, its clock's wall
time moved alone (its monotonic reading stands still), then the fold and the trigger's
arithmetic over any jump (a property)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import ClockJumped, RunStarted, StepStarted
from cutover_tui.engine.fold import fold
from cutover_tui.engine.schedule import schedule
from cutover_tui.engine.verdict import judge
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from cutover_tui.report.narrate import narrate
from tests.journal_support import at, new_run, plan_text

LIMIT = timedelta(minutes=30)  # the plan's slow-stuck: roll back if `slow` runs over 30m


def slow_started(tmp_path: Path) -> tuple[Journal, FixedClock, Conductor]:
    """`slow` started at 22:00; the conductor has looked at 22:10."""
    journal = new_run(tmp_path)
    journal.append(StepStarted(actor="op", at=at(0), step="slow", key="slow-start"))
    clock = FixedClock(at(10))
    conductor = Conductor(Journal(journal.path), clock, holder="A")
    assert conductor.tick() == []
    return journal, clock, conductor


def jump(clock: FixedClock, minutes: float) -> None:
    """The wall clock alone moves: no time passes on the monotonic clock."""
    clock.moment += timedelta(minutes=minutes)


def test_a_forward_jump_alone_calls_for_no_rollback_and_a_real_overrun_still_does(
    tmp_path: Path,
) -> None:
    journal, clock, conductor = slow_started(tmp_path)
    jump(clock, 25)  # 22:35 on the wall, 10 minutes into the step
    types = [e.type for e in conductor.tick()]
    assert "clock-jumped" in types and "trigger-fired" not in types
    state = Journal(journal.path).state()
    sched = schedule(state, clock.now())
    assert sched.fired == ()
    assert judge(state, sched, None, clock.now()).stage != "roll-back"
    (armed,) = [a for a in sched.armed if a.trigger == "slow-stuck"]
    assert armed.time_left == timedelta(minutes=20) and round(armed.closeness, 3) == 0.333
    said = [narrate(e).text for e in Journal(journal.path).events() if e.type == "clock-jumped"]
    assert said == ["host clock jumped +25m: running steps count only the time that passed"]
    clock.advance(timedelta(minutes=21))  # 31 minutes have really passed since the start
    fired = [e for e in conductor.tick() if e.type == "trigger-fired"]
    assert [(e.trigger, e.at) for e in fired] == [("slow-stuck", at(55))]
    assert fired[0].reason == (
        "'slow' has run 31m since 22:00, the host clock jumping +25m meanwhile, over its 30m limit"
    )
    # Nothing recorded is rewritten: the start keeps the time it was given.
    (start,) = [e for e in Journal(journal.path).events() if e.type == "step-started"]
    assert start.at == at(0)


def test_a_backward_jump_does_not_put_off_a_real_overrun(tmp_path: Path) -> None:
    _, clock, conductor = slow_started(tmp_path)
    jump(clock, -20)  # 21:50 on the wall, 10 minutes into the step
    assert [e.type for e in conductor.tick()] == ["clock-jumped"]
    clock.advance(timedelta(minutes=15))  # 25 minutes really run
    assert not [e for e in conductor.tick() if e.type == "trigger-fired"]
    clock.advance(timedelta(minutes=6))  # 31 minutes really run; 22:11 on the wall
    fired = [e for e in conductor.tick() if e.type == "trigger-fired"]
    assert [(e.trigger, e.at) for e in fired] == [("slow-stuck", at(10))]


def test_a_jump_whose_record_failed_is_recorded_on_the_next_heartbeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The heartbeat that sees a jump cannot write it (the file locked a moment; PostgreSQL
    away as the VM resumes): the detector sees a jump once, so it was lost, and the next
    heartbeat fired the rollback trigger on the jump alone. It is kept and written then."""
    journal, clock, conductor = slow_started(tmp_path)
    append, failures = conductor.journal.append, []

    def locked_once(event, **kwargs):
        if event.type == "clock-jumped" and not failures:
            failures.append(event)
            raise sqlite3.OperationalError("database is locked")
        return append(event, **kwargs)

    monkeypatch.setattr(conductor.journal, "append", locked_once)
    jump(clock, 25)  # 22:35 on the wall, 10 minutes into the step
    assert conductor.tick() == [] and conductor.problem == "cannot conduct: database is locked"
    clock.advance(timedelta(seconds=5))  # the next heartbeat
    types = [e.type for e in conductor.tick()]
    assert "clock-jumped" in types and "trigger-fired" not in types, types
    (recorded,) = [e for e in Journal(journal.path).events() if e.type == "clock-jumped"]
    assert recorded.seconds == 25 * 60 and recorded.key == failures[0].key
    state = Journal(journal.path).state()
    assert judge(state, schedule(state, clock.now()), None, clock.now()).stage != "roll-back"


PLAN = parse_plan(plan_text(steps=2), name="jt.toml").plan
MINUTE = 60


@settings(max_examples=200, deadline=None)
@given(
    jump_s=st.integers(-3 * 3600, 3 * 3600).filter(lambda s: abs(s) > 1),
    jump_after_s=st.integers(0, 90 * MINUTE),
    ran_s=st.integers(0, 90 * MINUTE),
)
def test_the_trigger_fires_on_the_time_that_passed_whatever_the_jump(
    jump_s: int, jump_after_s: int, ran_s: int
) -> None:
    """`slow` really runs `ran_s`; the wall clock jumps `jump_s` after `jump_after_s` of it
    (recorded only if that came before now): the trigger fires exactly when `ran_s` passes the
    limit, dated the start plus the limit plus the jumps recorded while it ran."""
    events = [
        RunStarted(actor="boss", at=at(0), plan_id="jt", key="run"),
        StepStarted(actor="op", at=at(0), step="slow", key="start"),
    ]
    jumped = timedelta(seconds=jump_s) if jump_after_s < ran_s else timedelta(0)
    if jumped:
        moment = at(0) + timedelta(seconds=jump_after_s) + jumped
        events.append(ClockJumped(actor="conductor", at=moment, seconds=jump_s, key="jump"))
    events = [e.model_copy(update={"seq": i + 1}) for i, e in enumerate(events)]
    now = at(0) + timedelta(seconds=ran_s) + jumped
    fired = [f for f in schedule(fold(PLAN, events), now).fired if f.trigger == "slow-stuck"]
    if timedelta(seconds=ran_s) > LIMIT:
        assert [f.fired_at for f in fired] == [at(0) + jumped + LIMIT]
    else:
        assert fired == []

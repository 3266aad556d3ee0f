"""A host wall clock that jumps while a step runs is not time it ran: the conductor writes no
over-budget alert on the jump alone, the Now pane, the schedule, the pace and the forecast
count only the time that passed, and a finished step's duration (the review's, the
rehearsal comparison's) leaves the jump out. The conductor on a real SQLite file with a
clock whose wall time alone moves, the war room under Pilot, then the fold's arithmetic over
any sequence of starts, suspensions, jumps, resumptions and completions (a property)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.widgets import OptionList

from cutover_tui.clock.conductor import Conductor
from cutover_tui.clock.due import derived_events
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import (
    ClockJumped,
    Event,
    RunStarted,
    StepCompleted,
    StepResumed,
    StepStarted,
    StepSuspended,
)
from cutover_tui.engine.fold import fold
from cutover_tui.engine.forecast_running import running_finish
from cutover_tui.engine.pace import infer_pace
from cutover_tui.engine.schedule import schedule
from cutover_tui.journal.run import JournalRun
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from cutover_tui.rehearse.compare import step_actual
from cutover_tui.report.timeline import step_lines
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.widgets.now import NowPane
from tests.journal_support import at, new_run, plan_text
from tests.warroom_support import notices, settle

BUDGET = timedelta(minutes=15)  # the plan's `slow`


def slow_started(tmp_path: Path) -> tuple[Journal, FixedClock, Conductor]:
    """`slow` (a 15m budget) started at 22:00; the conductor has looked at 22:10."""
    journal = new_run(tmp_path)
    journal.append(StepStarted(actor="op", at=at(0), step="slow", key="slow-start"))
    clock = FixedClock(at(10))
    conductor = Conductor(journal.reopen(), clock, holder="A")
    assert conductor.tick() == []
    return journal, clock, conductor


def test_a_jump_alone_writes_no_over_budget_alert_and_a_real_overrun_still_does(
    tmp_path: Path,
) -> None:
    journal, clock, conductor = slow_started(tmp_path)
    clock.moment += timedelta(minutes=25)  # the wall clock alone moves: 22:35, 10m run
    assert [e.type for e in conductor.tick()] == ["clock-jumped"]
    state = Journal(journal.path).state()
    assert state.status["slow"].ran_by(clock.now()) == timedelta(minutes=10)
    sched = schedule(state, clock.now())
    assert not sched.steps["slow"].overrun
    # The forecast draws its finish from 10 minutes run, not 35 (past its 15m range's top).
    u = np.full(64, 0.5)
    now_s = (clock.now() - state.plan.window.start).total_seconds()
    finish = running_finish(state, "slow", state.plan.window.start, now_s, 1.0, u)
    assert (finish - now_s < 15 * 60).all() and (finish > now_s).all()
    # The pace reads the step as running 10 minutes of its 15, not 35.
    (running,) = [e for e in infer_pace(state, clock.now()).steps if e.step == "slow"]
    assert running.actual == timedelta(minutes=10) and running.finished_at is None
    clock.advance(timedelta(minutes=4))  # 14 minutes really run
    assert conductor.tick() == []
    clock.advance(timedelta(minutes=2))  # 16 minutes: over its 15m budget
    (over,) = [e for e in conductor.tick() if e.type == "budget-exceeded"]
    assert over.step == "slow" and over.at == at(0) + timedelta(minutes=25) + BUDGET


def test_a_finished_steps_duration_leaves_the_jump_out(tmp_path: Path) -> None:
    journal, clock, conductor = slow_started(tmp_path)
    clock.moment += timedelta(minutes=25)
    conductor.tick()
    clock.advance(timedelta(minutes=2))  # 12 minutes really run; 22:37 on the wall
    journal.append(StepCompleted(actor="op", at=clock.now(), step="slow", key="slow-done"))
    state = Journal(journal.path).state()
    assert state.status["slow"].actual == timedelta(minutes=12)
    (line,) = [x for x in step_lines(state, clock.now()) if x.id == "slow"]
    assert line.actual == timedelta(minutes=12)  # the review's step table
    assert step_actual(state, "slow") == timedelta(minutes=12)  # the rehearsal comparison
    assert not schedule(state, clock.now()).steps["slow"].overrun


async def test_the_now_pane_counts_only_the_time_that_passed(tmp_path: Path) -> None:
    journal, clock, conductor = slow_started(tmp_path)
    source = JournalRun(Journal(journal.path), "boss", now=clock.now, monotonic=clock.monotonic)
    app = WarRoomApp(source, clock, tick_seconds=3600, poll_seconds=3600)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: app.frame is not None)
        clock.moment += timedelta(minutes=25)  # 22:35 on the wall, 10 minutes run
        conductor.tick()  # the conductor records the jump; the war room reads it
        app.poll_journal()
        app.tick()
        await settle(pilot, lambda: app.frame.now == at(35))

        def slow_row() -> str:
            options = app.query_one(NowPane).query_one(OptionList)
            return str(options.get_option("slow").prompt)

        await settle(pilot, lambda: "elapsed 10m of 15m" in slow_row())
        assert not app.frame.sched.steps["slow"].overrun
        await pilot.pause()
        assert not [n for n in notices(app) if "budget" in n]


PLAN = parse_plan(plan_text(steps=2), name="jt.toml").plan
MOVES = st.lists(
    st.tuples(
        st.sampled_from(["pass", "jump", "suspend", "resume", "complete"]),
        st.integers(-3 * 3600, 3 * 3600).filter(lambda s: s != 0),
    ),
    max_size=16,
)


@settings(max_examples=300, deadline=None)
@given(moves=MOVES)
def test_time_run_is_the_time_that_passed_running_whatever_the_jumps(moves: list) -> None:
    """`slow` started at 22:00; then time passes, the wall clock jumps (the conductor records
    each at once), the step is suspended, resumed and completed in any order. Whatever was
    recorded, the fold's time run equals the time that passed while it ran (a model on the
    monotonic clock), and its time suspended the time that passed while it was suspended:
    a jump during a suspension is counted once, not in `paused` and again in `jumped`."""
    wall, jumps, ran, held = at(0), timedelta(0), timedelta(0), timedelta(0)
    status = "running"
    events: list[Event] = [
        RunStarted(actor="boss", at=at(0), plan_id="jt", key="run"),
        StepStarted(actor="op", at=at(0), step="slow", key="start"),
    ]
    for i, (kind, seconds) in enumerate(moves):
        key = f"m{i}"
        if kind == "pass":
            passed = timedelta(seconds=abs(seconds))
            wall += passed
            if status == "running":
                ran += passed
            elif status == "suspended":
                held += passed
        elif kind == "jump":
            wall += timedelta(seconds=seconds)
            if status in ("running", "suspended"):
                jumps += timedelta(seconds=seconds)
            events.append(ClockJumped(actor="conductor", at=wall, seconds=seconds, key=key))
        elif kind == "suspend" and status == "running":
            status = "suspended"
            events.append(StepSuspended(actor="op", at=wall, step="slow", reason="x", key=key))
        elif kind == "resume" and status == "suspended":
            status = "running"
            events.append(StepResumed(actor="op", at=wall, step="slow", key=key))
        elif kind == "complete" and status == "running":
            status = "done"
            events.append(StepCompleted(actor="op", at=wall, step="slow", key=key))
        _check(events, wall, status, ran, held, jumps)


def _check(
    events: list[Event],
    now: datetime,
    status: str,
    ran: timedelta,
    held: timedelta,
    jumps: timedelta,
) -> None:
    numbered = [e.model_copy(update={"seq": i + 1}) for i, e in enumerate(events)]
    state = fold(PLAN, numbered)
    sf = state.status["slow"]
    assert sf.status == status
    assert sf.jumped == jumps
    assert sf.ran_by(now) == ran
    sched = schedule(state, now)
    assert sched.steps["slow"].overrun == (ran > BUDGET)
    if status == "done":
        assert sf.actual == ran and sf.paused == held
    elif status == "running":
        assert sf.paused == held
        assert now - sf.started_at - sf.off_clock == ran  # the Now pane's elapsed
        # The budget runs out when the time run reaches it, on the wall clock as it stands.
        over = derived_events(state, sched, now)
        crossed = [e.at for e in over if e.type == "budget-exceeded"]
        assert crossed == ([now + BUDGET - ran] if ran >= BUDGET else [])

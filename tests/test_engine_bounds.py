"""Recorded times within the run's life (engine/times.py) and event sizes (engine/sizes.py),
through `check` itself: what the journal, the war room and `verify` all apply.

Issue 11: `cutover do --at` accepted a completion 5 h before the step's start, a start 11
days before the run and a start in the future. Issue 12: a 10 MB note pinned every war room;
`estimate --duration 300d` was accepted.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from cutover_tui.engine.events import (
    BudgetExceeded,
    CheckpointPassed,
    EstimateChanged,
    GateDecided,
    NoteAdded,
    RollbackInvoked,
    RunStarted,
    StepAdded,
    StepCompleted,
    StepFailed,
    StepResumed,
    StepStarted,
    StepSuspended,
)
from cutover_tui.engine.state import RunState, apply, check, fold
from cutover_tui.engine.times import CLOCK_SKEW
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from cutover_tui.plan.limits import MAX_EVIDENCE_CHARS, MAX_TEXT_CHARS
from tests.journal_support import T0, at, new_run, plan_text

PLAN = parse_plan(plan_text(steps=2, commander_login="tester"), name="jt.toml").plan


def key() -> str:
    return uuid.uuid4().hex


def running_night() -> RunState:
    """The run started at T0 (by its commander, boss); nothing else yet."""
    return fold(PLAN, [RunStarted(actor="boss", at=T0, plan_id="jt", key=key(), seq=1)])


def record(state: RunState, event) -> None:
    reason = check(state, event)
    assert reason is None, reason
    apply(state, event)


def started(state: RunState, step: str, minutes: float) -> None:
    record(
        state,
        StepStarted(actor="boss", step=step, at=at(minutes), recorded_at=at(minutes), key=key()),
    )


# -- the three cases of issue 11 ---------------------------------------------------------------


def test_a_completion_five_hours_before_the_steps_start_is_refused_naming_who_and_when() -> None:
    state = running_night()
    started(state, "s0", 360)  # 04:00
    late = StepCompleted(actor="boss", step="s0", at=at(60), recorded_at=at(370), key=key())
    assert check(state, late) == (
        "The Boss (boss) dated the completion of 's0' 23:00, before it started at 04:00"
    )


def test_a_start_eleven_days_before_the_run_is_refused_with_its_date() -> None:
    state = running_night()
    early = StepStarted(
        actor="boss", step="s0", at=T0 - timedelta(days=11), recorded_at=at(5), key=key()
    )
    assert check(state, early) == (
        "The Boss (boss) dated the start 2026-11-16 22:00, before the run started at 22:00"
    )


def test_a_start_in_the_future_is_refused_but_the_clock_skew_is_allowed() -> None:
    state = running_night()
    now = at(30)
    ahead = StepStarted(actor="boss", step="s0", at=at(45), recorded_at=now, key=key())
    assert check(state, ahead) == (
        "The Boss (boss) dated the start 22:45, later than now (22:30); "
        "a time may be at most 2m ahead"
    )
    within = StepStarted(actor="boss", step="s0", at=now + CLOCK_SKEW, recorded_at=now, key=key())
    assert check(state, within) is None


def test_a_late_tick_off_inside_the_bounds_is_accepted() -> None:
    state = running_night()
    started(state, "s0", 10)
    late = StepCompleted(actor="boss", step="s0", at=at(25), recorded_at=at(95), key=key())
    assert check(state, late) is None


# -- the other moments a step's events are bound by ------------------------------------------


def test_a_resume_before_the_suspension_is_refused() -> None:
    state = running_night()
    started(state, "s0", 10)
    record(state, StepSuspended(actor="boss", step="s0", reason="x", at=at(20), key=key()))
    back = StepResumed(actor="boss", step="s0", at=at(15), recorded_at=at(30), key=key())
    assert "before it was suspended at 22:20" in (check(state, back) or "")


def test_an_eta_years_away_is_refused() -> None:
    # A resume ETA years away (a typo, or a forged row) is held to a window's length.
    state = running_night()
    started(state, "s0", 10)
    far = StepSuspended(
        actor="boss",
        step="s0",
        reason="x",
        eta=at(61 * 24 * 60),
        at=at(20),
        recorded_at=at(20),
        key=key(),
    )
    assert "more than 60 days after the suspension" in (check(state, far) or "")
    near = far.model_copy(update={"eta": at(59 * 24 * 60)})
    assert check(state, near) is None


def test_a_retry_before_the_failure_is_refused() -> None:
    state = running_night()
    started(state, "s0", 10)
    record(state, StepFailed(actor="boss", step="s0", reason="lock", at=at(20), key=key()))
    retry = StepStarted(actor="boss", step="s0", at=at(15), recorded_at=at(30), key=key())
    assert "before it failed at 22:20" in (check(state, retry) or "")


def test_a_rollback_step_before_rollback_was_invoked_is_refused() -> None:
    state = running_night()
    record(state, RollbackInvoked(actor="boss", reason="bad", at=at(40), key=key()))
    early = StepStarted(actor="boss", step="rb", at=at(35), recorded_at=at(45), key=key())
    assert "before rollback was invoked at 22:40" in (check(state, early) or "")


def test_a_note_or_a_decision_before_the_run_is_refused() -> None:
    state = running_night()
    note = NoteAdded(actor="boss", text="hello", at=at(-5), recorded_at=at(1), key=key())
    assert "before the run started at 22:00" in (check(state, note) or "")


def test_the_conductors_times_are_not_bound_by_the_run_start() -> None:
    # A derived event's time is when it came due, worked out from the plan, not typed.
    state = running_night()
    started(state, "s0", 0)
    flagged = BudgetExceeded(actor="conductor", step="s0", at=at(10), recorded_at=at(11), key=key())
    assert check(state, flagged) is None


@settings(max_examples=200, deadline=None)
@given(
    start=st.integers(min_value=-3000, max_value=3000),
    start_rec=st.integers(min_value=0, max_value=3000),
    end=st.integers(min_value=-3000, max_value=6000),
    end_delay=st.integers(min_value=0, max_value=3000),
)
@example(start=0, start_rec=0, end=0, end_delay=0)
@example(start=10, start_rec=8, end=12, end_delay=0)
def test_random_times_around_the_runs_life(
    start: int, start_rec: int, end: int, end_delay: int
) -> None:
    """A start and a completion at random minutes, recorded at random later moments: each is
    accepted exactly when it lies after what it follows and at most the skew ahead of now."""
    state = running_night()
    skew = CLOCK_SKEW / timedelta(minutes=1)
    begin = StepStarted(actor="boss", step="s0", at=at(start), recorded_at=at(start_rec), key=key())
    begin_ok = 0 <= start <= start_rec + skew
    assert (check(state, begin) is None) == begin_ok
    if not begin_ok:
        return
    apply(state, begin)
    end_rec = start_rec + end_delay  # recorded after the start was; `end` may lie beyond
    finish = StepCompleted(actor="boss", step="s0", at=at(end), recorded_at=at(end_rec), key=key())
    assert (check(state, finish) is None) == (start <= end <= end_rec + skew)


# -- sizes ------------------------------------------------------------------------------------


def test_a_note_past_the_limit_is_refused_naming_it() -> None:
    state = running_night()
    ok = NoteAdded(actor="boss", text="x" * MAX_TEXT_CHARS, at=at(1), key=key())
    assert check(state, ok) is None
    long = NoteAdded(actor="boss", text="x" * (MAX_TEXT_CHARS + 1), at=at(1), key=key())
    assert check(state, long) == "the note is 4,001 characters long; 4,000 is the limit"


def test_evidence_may_be_longer_than_a_note_but_not_unbounded() -> None:
    state = running_night()
    pasted = CheckpointPassed(
        actor="boss", step="s0", evidence="y" * MAX_EVIDENCE_CHARS, at=at(1), key=key()
    )
    assert check(state, pasted) != "the evidence is 16,000 characters long; 16,000 is the limit"
    assert "evidence" not in (check(state, pasted) or "")
    more = pasted.model_copy(update={"evidence": "y" * (MAX_EVIDENCE_CHARS + 1)})
    assert check(state, more) == "the evidence is 16,001 characters long; 16,000 is the limit"


def test_a_thousand_and_one_accepted_risks_are_refused() -> None:
    state = running_night()
    risks = [f"risk {i}" for i in range(1001)]
    decision = GateDecided(
        actor="boss",
        step="s0",
        approver="boss",
        decision="conditional-go",
        risks=risks,
        at=at(1),
        key=key(),
    )
    assert check(state, decision) == "the accepted risks name 1,001 items; 1,000 is the limit"


def test_a_ten_megabyte_note_is_refused_by_the_journal_at_once(tmp_path) -> None:
    journal: Journal = new_run(tmp_path, steps=2)
    huge = NoteAdded(actor="boss", text="x" * 10_000_000, at=at(1), key=key())
    started_at = time.perf_counter()
    try:
        journal.append(huge)
    except Exception as refusal:  # Refused
        assert "10,000,000 characters long; 4,000 is the limit" in str(refusal)
    else:
        raise AssertionError("a 10 MB note was recorded")
    assert time.perf_counter() - started_at < 5
    assert all(e.type != "note-added" for e in journal.events())


def test_an_estimate_of_300_days_or_nan_is_refused_and_a_week_is_not() -> None:
    state = running_night()
    for seconds in (300 * 86400, float("nan"), float("inf"), 1e300):
        change = EstimateChanged(
            actor="boss", step="s1", duration_s=seconds, reason="x", at=at(1), key=key()
        )
        assert "the most a step may take (7 days, or the window if longer)" in (
            check(state, change) or ""
        )
    week = EstimateChanged(
        actor="boss", step="s1", duration_s=7 * 86400, reason="x", at=at(1), key=key()
    )
    assert check(state, week) is None
    added = StepAdded(
        actor="boss",
        step="extra",
        title="t",
        owner="boss",
        duration_s=8 * 86400,
        reason="x",
        at=at(1),
        key=key(),
    )
    assert "longer than 7d0h00m" in (check(state, added) or "")


def test_a_refusal_in_the_repeated_hour_names_which_one() -> None:
    # Europe/London repeats 01:00-02:00 on 2026-10-25: a completion at 01:30 BST before a
    # start at 01:20 GMT read "01:30, before it started at 01:20", which looks like no fault.
    midnight = T0.replace(month=10, day=25, hour=0)  # written without a zone: plan time
    text = plan_text(steps=2, commander_login="tester", window_start=midnight)
    text = text.replace('timezone = "UTC"', 'timezone = "Europe/London"', 1)
    plan = parse_plan(text, name="jt.toml").plan
    opened = plan.window.start  # 00:00 BST, 23:00 UTC the day before
    state = fold(plan, [RunStarted(actor="boss", at=opened, plan_id="jt", key=key(), seq=1)])
    record(state, StepStarted(actor="boss", at=opened + timedelta(minutes=140), step="slow"))
    done = StepCompleted(actor="boss", at=opened + timedelta(minutes=90), step="slow")
    assert check(state, done) == (
        "The Boss (boss) dated the completion of 'slow' 01:30 BST, before it started at 01:20 GMT"
    )

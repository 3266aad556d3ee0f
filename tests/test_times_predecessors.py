"""A step cannot have begun before the steps it waits for ended (engine/times.py).

Found by a hostile user pass (2026-12-02): `cutover do RUN start transform-catalog --at 07:51`
was recorded although its predecessor had completed at 07:56, and the timeline drew the two
overlapping. Now the start is refused with both times; a start recorded live keeps the clock
skew a time ahead is allowed (the predecessor may have been closed from a host whose clock
runs ahead), a late one (`--at`) does not.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from cutover_tui.engine.events import CheckpointPassed, GateDecided, StepCompleted, StepStarted
from cutover_tui.engine.times import CLOCK_SKEW
from tests.test_engine_state import at, freeze_done, reason, started, through_checkpoint

LATE = "Priya Shah (dba) dated the start of 'backup' 22:10, before its predecessor 'freeze' ended at 22:15"


def late_start(minute: str, recorded: str | None = None) -> StepStarted:
    """A start of `backup` dated `minute`, recorded at `recorded` (a late tick-off) or live."""
    moment = at(minute)
    return StepStarted(
        actor="dba", at=moment, step="backup", recorded_at=at(recorded or minute), key="b"
    )


def test_a_late_start_before_its_predecessor_ended_is_refused() -> None:
    assert reason(freeze_done(), late_start("22:10", recorded="22:30")) == LATE


def test_a_start_at_or_after_the_predecessor_ended_is_accepted() -> None:
    assert reason(freeze_done(), late_start("22:15", recorded="22:30")) is None
    assert reason(freeze_done(), late_start("22:20", recorded="22:30")) is None


def test_a_live_start_keeps_the_clock_skew_allowed_ahead() -> None:
    # freeze closed at 22:15 by a host ahead; this host says 22:14 as it starts the next step.
    assert reason(freeze_done(), late_start("22:14")) is None
    refused = reason(freeze_done(), late_start("22:10"))  # further off than the skew allows
    assert refused is not None and "before its predecessor 'freeze' ended at 22:15" in refused


def test_a_checkpoint_passed_straight_away_is_held_to_its_predecessor_too() -> None:
    events = [
        *freeze_done(),
        StepStarted(actor="dba", at=at("22:15"), step="backup", key="b1"),
        StepCompleted(actor="dba", at=at("22:45"), step="backup", key="b2"),
    ]
    early = CheckpointPassed(
        actor="dba", at=at("22:40"), step="backup-ok", evidence="ok", recorded_at=at("22:50")
    )
    refused = reason(events, early)
    assert refused is not None and "before its predecessor 'backup' ended at 22:45" in refused


def test_a_gate_decided_before_its_checkpoint_passed_is_refused() -> None:
    early = GateDecided(
        actor="alice",
        at=at("22:48"),
        step="go",
        approver="alice",
        decision="no-go",
        reason="staff not ready",
        recorded_at=at("22:55"),
    )
    refused = reason(through_checkpoint(), early)
    assert refused is not None and "before its predecessor 'backup-ok' ended at 22:50" in refused


@given(st.integers(min_value=-15, max_value=60), st.booleans())  # the run began 22:00
def test_the_rule_is_the_predecessor_s_end_less_the_allowance(offset: int, live: bool) -> None:
    """Any start `offset` minutes from freeze's end (22:15): refused exactly when it comes
    before the end by more than the allowance (the skew when live, nothing when late)."""
    moment = at("22:15") + timedelta(minutes=offset)
    recorded = moment if live else at("23:30")
    start = StepStarted(actor="dba", at=moment, step="backup", recorded_at=recorded, key="b")
    allowance = CLOCK_SKEW if live else timedelta(0)
    refused = reason(freeze_done(), start)
    if moment + allowance < at("22:15"):
        assert refused is not None and "before its predecessor 'freeze' ended" in refused
    elif moment <= at("23:30"):
        assert refused is None or "before its predecessor" not in refused


def chained_run_begun_last_night(tmp_path) -> tuple[str, Path]:
    """A real run file: s0 then s1 (s1 after s0), begun last night at 22:00 (as
    tests/test_cli_run.begun_last_night, whose own steps are independent)."""
    from tests.journal_support import plan_text
    from tests.test_cli_run import LAST_NIGHT, begun_last_night

    return begun_last_night(tmp_path, plan_text(steps=0, window_start=LAST_NIGHT) + CHAIN)


CHAIN = """
[[step]]
id = "s0"
title = "First"
owner = "boss"
duration = "10m"
[[step]]
id = "s1"
title = "Second, after the first"
owner = "boss"
duration = "10m"
after = ["s0"]
"""


def test_the_cli_refuses_it_in_one_line_naming_both_times(tmp_path) -> None:
    from tests.test_cli_run import cutover, last_night

    run, runs = chained_run_begun_last_night(tmp_path)
    assert cutover("do", run, "start", "s0", "--at", last_night(0), runs=runs).returncode == 0
    assert cutover("do", run, "complete", "s0", "--at", last_night(12), runs=runs).returncode == 0
    early = cutover("do", run, "start", "s1", "--at", last_night(5), runs=runs)
    assert early.returncode == 1
    assert early.stderr.count("\n") == 1, early.stderr
    assert "before its predecessor 's0' ended at 22:12" in early.stderr
    assert cutover("do", run, "start", "s1", "--at", last_night(12), runs=runs).returncode == 0


def test_a_time_on_the_day_before_the_run_started_names_its_date() -> None:
    """Found by the same pass: `--at 2026-12-02T08:00+14:00` was refused as "dated 18:00,
    before the run started at 07:57": yesterday's 18:00, shown without its date."""
    from cutover_tui.engine.state import fold
    from cutover_tui.engine.times import stamp
    from tests.test_engine_state import PLAN, started

    state = fold(PLAN, started())  # began 22:00 on 27 November (UTC)
    assert stamp(state, at("21:00")) == "21:00"  # the same evening, before the start
    assert stamp(state, at("01:30")) == "01:30"  # after midnight, the same night
    morning = at("22:00") - timedelta(hours=14)  # 08:00 on the 27th: the start's own date
    assert stamp(state, morning) == "08:00"
    before_midnight = at("22:00") - timedelta(hours=22, minutes=30)  # 23:30 on the 26th
    assert stamp(state, before_midnight) == "2026-11-26 23:30"


def test_two_times_in_the_same_minute_are_said_with_their_seconds() -> None:
    """User pass (2026-12-02): "dated the completion of 'freeze-legacy' 16:59, before it
    started at 16:59" read as no reason at all."""
    begun = StepStarted(actor="dba", at=at("22:00") + timedelta(seconds=40), step="freeze")
    early = StepCompleted(
        actor="dba", at=at("22:00") + timedelta(seconds=10), step="freeze", key="f"
    )
    said = reason(started(begun), early)
    assert said == (
        "Priya Shah (dba) dated the completion of 'freeze' 22:00:10, before it started at 22:00:40"
    )
    assert reason(freeze_done(), late_start("22:10", recorded="22:30")) == LATE  # minutes apart

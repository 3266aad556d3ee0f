"""The one mapping from an action and its words to an event (engine/actions.py), and the two
time rules (engine/when.py) that the CLI and the war room share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cutover_tui.engine.actions import Words, event_for, ids
from cutover_tui.engine.events import (
    GateDecided,
    RollbackInvoked,
    StepAdded,
    StepFailed,
    StepStarted,
)
from cutover_tui.engine.when import moment_near, next_time_of_day, time_of_day
from cutover_tui.plan import load_plan

PLAN = load_plan(Path(__file__).parent / "plans" / "warroom.toml").plan  # Europe/London
BASE = {"actor": "alice", "at": PLAN.window.start, "key": "k1"}


def test_each_family_of_action_makes_its_event() -> None:
    assert isinstance(event_for("start", "freeze", Words(), **BASE), StepStarted)
    failed = event_for("fail", "backup", Words(reason="disk full"), **BASE)
    assert isinstance(failed, StepFailed)
    assert (failed.step, failed.reason) == ("backup", "disk full")
    gate = event_for("conditional-go", "go-live", Words(risks=("slow",)), **BASE)
    assert isinstance(gate, GateDecided)
    assert (gate.approver, gate.risks) == ("alice", ["slow"])
    added = event_for(
        "add-step",
        "extra",
        Words(title="Extra", owner="dba", duration="1h30m", after=("backup",), reason="late"),
        **BASE,
    )
    assert isinstance(added, StepAdded)
    assert (added.duration_s, added.after) == (5400.0, ["backup"])
    assert isinstance(event_for("rollback", None, Words(reason="bad"), **BASE), RollbackInvoked)


@pytest.mark.parametrize(
    ("action", "target", "words", "message"),
    [
        ("start", None, Words(), "start needs a STEP (or gate, or readiness item)"),
        ("fail", "backup", Words(), "fail needs --reason"),
        ("conditional-go", "go-live", Words(), "conditional-go needs at least one --risk"),
        ("estimate", "backup", Words(reason="x"), "estimate needs --duration"),
        ("comms", None, Words(template="t", subject="s"), "comms needs --to"),
        ("dance", "x", Words(), "unknown action 'dance'"),
    ],
)
def test_a_missing_word_is_named(action: str, target, words: Words, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        event_for(action, target, words, **BASE)


def test_ids_are_read_from_a_comma_separated_list() -> None:
    assert ids(" a, b,,c ") == ["a", "b", "c"]
    assert ids("") == []


NOWS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
HHMM = st.tuples(st.integers(0, 23), st.integers(0, 59))


@given(now=NOWS, hhmm=HHMM)
def test_hh_mm_near_now_is_within_half_a_day_and_reads_as_typed(now, hhmm) -> None:
    text = f"{hhmm[0]:02d}:{hhmm[1]:02d}"
    moment = moment_near(text, PLAN, now)
    local = moment.astimezone(PLAN.zone)
    assert (local.hour, local.minute) == hhmm or _in_a_gap(moment)
    assert abs(moment - now) <= timedelta(hours=13)  # 12 h, and a DST hour either way


@given(now=NOWS, hhmm=HHMM)
def test_the_next_hh_mm_is_after_now_and_within_a_day(now, hhmm) -> None:
    text = f"{hhmm[0]:02d}:{hhmm[1]:02d}"
    try:
        moment = next_time_of_day(text, PLAN, now)
    except ValueError as refused:  # a time of day gone by within six hours: a slip, refused
        assert str(refused).startswith(f"{text} has passed (it was ")
        return
    # Never one that came round within the last six hours (18 h ahead, and a DST hour).
    assert now < moment <= now + timedelta(hours=19)


def _in_a_gap(moment: datetime) -> bool:
    """A wall time skipped by a DST change (01:30 on the spring-forward night)."""
    return (
        moment.astimezone(PLAN.zone).utcoffset()
        != (moment - timedelta(hours=2)).astimezone(PLAN.zone).utcoffset()
    )


@pytest.mark.parametrize(
    ("text", "expected"), [("23:40", (23, 40)), ("0:05", (0, 5)), ("soon", None), ("1:2:3", None)]
)
def test_time_of_day_reads_hh_mm_only(text: str, expected) -> None:
    assert time_of_day(text) == expected


def test_a_time_of_day_out_of_range_is_said() -> None:
    with pytest.raises(ValueError, match="'24:00' is not a time of day"):
        time_of_day("24:00")

"""`cutover do suspend --eta HH:MM` reads the next such time after the suspension, as the war
room's form does (engine/when.eta_after).

Found by a hostile user pass (2026-12-02): `--eta 20:30` typed at 08:08 was read as the
nearest 20:30, yesterday's, and the suspension refused as "the ETA 20:30 is not after now".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cutover_tui.engine.when import RECENTLY_PASSED, eta_after, next_time_of_day
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from tests.journal_support import plan_text
from tests.test_cli_run import begun_last_night, cutover, last_night

PLAN = parse_plan(plan_text(steps=1), name="jt.toml").plan  # its zone: UTC


@given(
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1)),
    st.integers(0, 23),
    st.integers(0, 59),
)
def test_an_hhmm_eta_is_the_next_such_moment_after_the_suspension(
    moment: datetime, hours: int, minutes: int
) -> None:
    at = moment.replace(tzinfo=UTC)
    text = f"{hours:02d}:{minutes:02d}"
    passed = at.replace(hour=hours, minute=minutes, second=0, microsecond=0)
    if passed > at:
        passed -= timedelta(days=1)
    if at - passed < RECENTLY_PASSED:  # a time of day just gone: a slip, refused
        with pytest.raises(ValueError, match=f"^{text} has passed"):
            eta_after(text, PLAN, at)
        return
    eta = eta_after(text, PLAN, at)
    assert at < eta <= at + timedelta(days=1) - RECENTLY_PASSED
    assert (eta.hour, eta.minute) == (hours, minutes)
    assert eta == next_time_of_day(text, PLAN, at)  # the war room's


def test_an_eta_that_passed_an_hour_ago_is_refused_not_read_as_tomorrow() -> None:
    """User pass (2026-12-02): `--eta 16:00` typed at 17:04 was taken as tomorrow's 16:00,
    and every screen said "resumes ~16:00" beside a finish a day late."""
    at = datetime(2026, 12, 2, 17, 4, tzinfo=UTC)
    with pytest.raises(ValueError) as refused:
        eta_after("16:00", PLAN, at)
    assert str(refused.value) == (
        "16:00 has passed (it was 1h04m ago); the next 16:00 is tomorrow, 22h56m away: "
        "if that is meant, write it with its date (2026-12-03T16:00)"
    )
    assert eta_after("2026-12-03T16:00", PLAN, at) == datetime(2026, 12, 3, 16, tzinfo=UTC)
    assert eta_after("00:20", PLAN, datetime(2026, 12, 2, 23, 50, tzinfo=UTC)).day == 3


def test_an_iso_eta_is_taken_as_written() -> None:
    at = datetime(2026, 12, 2, 8, 8, tzinfo=UTC)
    assert eta_after("2026-12-03T01:00", PLAN, at) == datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


def test_the_cli_reads_an_eta_more_than_twelve_hours_ahead_as_tonight(tmp_path) -> None:
    run, runs = begun_last_night(tmp_path)
    assert cutover("do", run, "start", "contested", runs=runs).returncode == 0
    ahead = datetime.now(UTC) + timedelta(hours=13)
    hhmm = ahead.strftime("%H:%M")
    said = cutover(
        "do", run, "suspend", "contested", "--reason", "vendor", "--eta", hhmm, runs=runs
    )
    assert said.returncode == 0, said.stderr
    eta = Journal(runs / f"{run}.db").events()[-1].eta
    assert eta is not None and timedelta(hours=12) < eta - datetime.now(UTC) < timedelta(hours=14)


def test_a_late_suspension_reads_its_eta_after_its_own_time(tmp_path) -> None:
    run, runs = begun_last_night(tmp_path)
    assert (
        cutover("do", run, "start", "contested", "--at", last_night(0), runs=runs).returncode == 0
    )
    said = cutover(
        "do", run, "suspend", "contested", "--reason", "vendor", "--at", last_night(5),
        "--eta", "22:30", runs=runs,
    )  # fmt: skip
    assert said.returncode == 0, said.stderr
    eta = Journal(runs / f"{run}.db").events()[-1].eta
    assert eta is not None and eta.strftime("%Y-%m-%dT%H:%M") == last_night(30)


def test_the_cli_refuses_an_eta_just_passed_in_one_line_and_records_nothing(tmp_path) -> None:
    run, runs = begun_last_night(tmp_path)
    assert cutover("do", run, "start", "contested", runs=runs).returncode == 0
    before = len(Journal(runs / f"{run}.db").events())
    gone = (datetime.now(UTC) - timedelta(hours=1)).strftime("%H:%M")
    said = cutover(
        "do", run, "suspend", "contested", "--reason", "vendor", "--eta", gone, runs=runs
    )
    assert said.returncode == 2
    assert said.stderr.startswith(f"cutover do: {gone} has passed (it was ")
    assert said.stderr.count("\n") == 1 and "Traceback" not in said.stderr
    assert len(Journal(runs / f"{run}.db").events()) == before


def test_an_empty_at_is_refused_not_read_as_now(tmp_path) -> None:
    """User pass (2026-12-02): `--at ''` was accepted and meant now."""
    run, runs = begun_last_night(tmp_path)
    said = cutover("do", run, "start", "contested", "--at", "", runs=runs)
    assert said.returncode == 2 and "'' is not a time" in said.stderr, said.stderr
    said = cutover("do", run, "start", "contested", "--eta", "", runs=runs)
    assert said.returncode == 2 and "'' is not a time" in said.stderr, said.stderr

"""`cutover do suspend --eta HH:MM` reads the next such time after the suspension, as the war
room's form does (engine/when.eta_after).

Found by a hostile user pass (2026-12-02): `--eta 20:30` typed at 08:08 was read as the
nearest 20:30, yesterday's, and the suspension refused as "the ETA 20:30 is not after now".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cutover_tui.engine.when import eta_after, next_time_of_day
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
    eta = eta_after(f"{hours:02d}:{minutes:02d}", PLAN, at)
    assert at < eta <= at + timedelta(days=1)
    assert (eta.hour, eta.minute) == (hours, minutes)
    assert eta == next_time_of_day(f"{hours:02d}:{minutes:02d}", PLAN, at)  # the war room's


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

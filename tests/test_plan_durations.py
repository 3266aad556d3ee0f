"""Durations, percentages and plan-local times, including the two clock changes a year."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cutover_tui.plan import PlanError, format_duration, parse_duration, parse_plan
from cutover_tui.plan.durations import localize, parse_percent
from cutover_tui.plan.errors import format_loc

VALID = Path(__file__).resolve().parent / "plans" / "valid-minimal.toml"
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("15m", timedelta(minutes=15)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("2h", timedelta(hours=2)),
        ("PT1H30M", timedelta(hours=1, minutes=30)),
        ("1d", timedelta(days=1)),
        ("1d2h", timedelta(days=1, hours=2)),
        ("1h0m30s", timedelta(hours=1, seconds=30)),
        ("PT45S", timedelta(seconds=45)),
        ("PT0.5S", timedelta(milliseconds=500)),
        ("P1D", timedelta(days=1)),
        ("P1DT2H", timedelta(days=1, hours=2)),
        ("pt15m", timedelta(minutes=15)),
        ("1H30M", timedelta(hours=1, minutes=30)),
        (" 15m ", timedelta(minutes=15)),
        ("0m", timedelta(0)),  # parses; the models reject a zero budget
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is not a duration"),
        ("15", "is not a duration"),
        ("15 minutes", "is not a duration"),
        ("1.5h", "is not a duration"),
        ("30m1h", "is not a duration"),
        ("h", "is not a duration"),
        ("P", "is not a duration"),
        ("PT", "is not a duration"),
        ("P1DT", "is not a duration"),
        ("-15m", "is negative"),
        ("-PT5M", "is negative"),
    ],
)
def test_parse_duration_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_duration(text)


@pytest.mark.parametrize("value", [15, 1.5, None, ["15m"], {"m": 15}, True])
def test_parse_duration_wants_a_string(value: object) -> None:
    with pytest.raises(ValueError, match="a duration is written as a string"):
        parse_duration(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(0), "0m"),
        (timedelta(seconds=30), "30s"),
        (timedelta(minutes=45), "45m"),
        (timedelta(hours=1, minutes=5), "1h05m"),
        (timedelta(hours=2), "2h00m"),
        (timedelta(days=2, hours=3), "51h00m"),
        (timedelta(days=1), "24h00m"),
        # Regression: past a day the minutes were dropped (35h35m printed as 1d11h).
        (timedelta(hours=35, minutes=35), "35h35m"),
        (timedelta(days=4, hours=2, minutes=5), "4d2h05m"),
        (timedelta(minutes=-5), "-5m"),
        (timedelta(hours=-1, minutes=-30), "-1h30m"),
        (timedelta(seconds=29.6), "30s"),
        # Regression (issue 11): minutes were cut, so 5m51s read 5m beside "ratio 1.17".
        (timedelta(minutes=5, seconds=51), "6m"),
        (timedelta(minutes=5, seconds=29), "5m"),
        (timedelta(minutes=5, seconds=30), "6m"),
        (timedelta(seconds=59.6), "1m"),
        (timedelta(seconds=90), "2m"),
        (timedelta(hours=1, minutes=59, seconds=45), "2h00m"),
        (timedelta(minutes=-5, seconds=-51), "-6m"),
        (timedelta(days=3, hours=23, minutes=59, seconds=31), "4d0h00m"),
    ],
)
def test_format_duration(delta: timedelta, text: str) -> None:
    assert format_duration(delta) == text


@given(st.floats(min_value=60, max_value=30 * 86400))
def test_a_duration_reads_within_half_a_minute_of_itself(seconds: float) -> None:
    """Rounded, never truncated: what the screen says is the nearest minute, so a budget
    of 5m and an actual of 5m51s read 5m and 6m, consistent with their ratio of 1.17."""
    shown = parse_duration(format_duration(timedelta(seconds=seconds)))
    assert abs(shown.total_seconds() - seconds) <= 30.5


def test_format_duration_signed() -> None:
    assert format_duration(timedelta(minutes=5), signed=True) == "+5m"
    assert format_duration(timedelta(minutes=-5), signed=True) == "-5m"
    assert format_duration(timedelta(0), signed=True) == "+0m"


@given(st.integers(min_value=0, max_value=240), st.integers(min_value=0, max_value=59))
def test_format_then_parse_round_trips_whole_minutes(hours: int, minutes: int) -> None:
    delta = timedelta(hours=hours, minutes=minutes)
    assert parse_duration(format_duration(delta)) == delta


@pytest.mark.parametrize(
    ("text", "value"), [("25%", 0.25), ("0%", 0.0), ("12.5%", 0.125), (" 10 % ", 0.10)]
)
def test_parse_percent(text: str, value: float) -> None:
    assert parse_percent(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["25", "25 percent", "-5%", "%", "100%", "150%", 25, None])
def test_parse_percent_rejects(text: object) -> None:
    with pytest.raises(ValueError):
        parse_percent(text)  # type: ignore[arg-type]


# --- plan-local times ----------------------------------------------------------------------


def test_a_local_time_is_read_in_the_plan_zone() -> None:
    assert localize(datetime(2026, 11, 27, 22, 0), LONDON) == datetime(
        2026, 11, 27, 22, 0, tzinfo=UTC
    )
    assert localize(datetime(2026, 7, 1, 22, 0), LONDON) == datetime(2026, 7, 1, 21, 0, tzinfo=UTC)


def test_an_offset_time_is_taken_as_written() -> None:
    written = datetime(2026, 7, 1, 22, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert localize(written, LONDON) == datetime(2026, 7, 1, 13, 0, tzinfo=UTC)


def test_a_time_in_the_spring_gap_does_not_exist() -> None:
    with pytest.raises(ValueError, match="does not exist in Europe/London"):
        localize(datetime(2027, 3, 28, 1, 30), LONDON)


def test_an_ambiguous_autumn_time_is_the_first_of_the_two() -> None:
    # 01:30 happens twice on 2026-10-25; the first is still BST (00:30 UTC).
    assert localize(datetime(2026, 10, 25, 1, 30), LONDON) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


def plan_with_window(start: str, end: str, timezone: str = "Europe/London") -> str:
    text = VALID.read_text(encoding="utf-8")
    for old, new in (
        ("start = 2026-11-27T22:00:00", f"start = {start}"),
        ("end = 2026-11-28T06:00:00", f"end = {end}"),
        ('timezone = "Europe/London"', f'timezone = "{timezone}"'),
    ):
        assert text.count(old) == 1
        text = text.replace(old, new)
    return text


def test_a_window_across_the_autumn_change_has_nine_real_hours() -> None:
    loaded = parse_plan(plan_with_window("2026-10-24T22:00:00", "2026-10-25T06:00:00"))
    window = loaded.plan.window
    assert window.length == timedelta(hours=9)
    assert window.start == datetime(2026, 10, 24, 21, 0, tzinfo=UTC)
    assert window.end == datetime(2026, 10, 25, 6, 0, tzinfo=UTC)


def test_a_window_across_the_spring_change_has_seven_real_hours() -> None:
    loaded = parse_plan(plan_with_window("2027-03-27T22:00:00", "2027-03-28T06:00:00"))
    window = loaded.plan.window
    assert window.length == timedelta(hours=7)
    assert window.buffer_time == timedelta(hours=1, minutes=45)


def test_offset_datetimes_in_the_window_are_taken_as_written() -> None:
    loaded = parse_plan(plan_with_window("2026-10-24T22:00:00+01:00", "2026-10-25T06:00:00+00:00"))
    assert loaded.plan.window.length == timedelta(hours=9)
    assert loaded.plan.window.start == datetime(2026, 10, 24, 21, 0, tzinfo=UTC)


def test_a_utc_plan_has_no_clock_change() -> None:
    loaded = parse_plan(plan_with_window("2026-10-24T22:00:00", "2026-10-25T06:00:00", "UTC"))
    assert loaded.plan.window.length == timedelta(hours=8)


def test_the_summary_shows_the_window_in_the_plan_zone(tmp_path: Path, capsys) -> None:
    from cutover_tui.cli import main

    path = tmp_path / "autumn.toml"
    path.write_text(plan_with_window("2026-10-24T22:00:00", "2026-10-25T06:00:00"))
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Sat 24 Oct 22:00 BST → Sun 25 Oct 06:00 GMT (9h00m)" in out


def test_a_window_start_in_the_spring_gap_is_a_located_error() -> None:
    text = plan_with_window("2027-03-28T01:30:00", "2027-03-28T06:00:00")
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "plan.toml")
    (problem,) = caught.value.problems
    assert format_loc(problem.loc) == "window.start"
    assert "does not exist in Europe/London" in problem.message
    assert problem.line == text.splitlines().index("start = 2027-03-28T01:30:00") + 1


def test_a_fixed_start_is_read_in_the_plan_zone() -> None:
    text = plan_with_window("2026-10-24T22:00:00", "2026-10-25T06:00:00").replace(
        'duration = "1h"\n', 'duration = "1h"\nnot_before = 2026-10-25T01:30:00\n', 1
    )
    step = parse_plan(text).plan.step_by_id["switch-over"]
    assert step.not_before == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)

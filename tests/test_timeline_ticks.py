"""The timeline's time axis for any span (tui/ticks.py): a night in hours, a weekend in days,
a multi-week plan in weeks. Issue 12, finding 2: a span over ten days had no interval and
crashed the war room (`RuntimeError: coroutine raised StopIteration`)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from cutover_tui.plan import parse_plan
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.source import MemoryRun
from cutover_tui.tui.ticks import MOST, clock_ticks
from cutover_tui.tui.widgets.timeline import Timeline
from tests.warroom_support import PLAN_PATH, StoppedClock, at, settle, started

LONDON = ZoneInfo("Europe/London")
T0 = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)


def test_a_night_is_labelled_in_hours() -> None:
    _ticks, labels = clock_ticks(T0, T0 + timedelta(hours=4), LONDON)
    assert labels == [
        "22:00",
        "22:30",
        "23:00",
        "23:30",
        "00:00",
        "00:30",
        "01:00",
        "01:30",
        "02:00",
    ]


def test_eleven_days_are_labelled_by_day() -> None:
    ticks, labels = clock_ticks(T0, T0 + timedelta(days=11), LONDON)
    assert labels[:3] == ["Sun 29", "Tue 01", "Thu 03"]
    assert len(ticks) <= MOST


def test_sixty_days_are_labelled_by_week() -> None:
    ticks, labels = clock_ticks(T0, T0 + timedelta(days=60), LONDON)
    assert labels[0] == "04 Dec" and all(
        b - a == timedelta(days=7) for a, b in itertools.pairwise(ticks)
    )


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2999, 1, 1)),
    seconds=st.floats(min_value=0, max_value=3e9),  # up to about 95 years
    zone=st.sampled_from(
        ["UTC", "Europe/London", "America/Chicago", "Asia/Kolkata", "Pacific/Chatham"]
    ),
)
@example(start=datetime(2026, 11, 27, 22), seconds=11 * 86400, zone="UTC")  # the crash
def test_any_span_gets_ordered_ticks_inside_it(start: datetime, seconds: float, zone: str) -> None:
    left = start.replace(tzinfo=UTC)
    right = left + timedelta(seconds=seconds)
    ticks, labels = clock_ticks(left, right, ZoneInfo(zone))
    assert len(ticks) == len(labels) <= MOST + 1
    assert all(left <= t <= right for t in ticks)
    assert ticks == sorted(ticks) and all(labels)
    if seconds >= 3600:
        assert len(ticks) >= 2  # an axis with something on it


async def test_the_war_room_draws_a_thirty_day_window() -> None:
    text = PLAN_PATH.read_text().replace("end = 2026-11-28T02:00:00", "end = 2026-12-27T22:00:00")
    plan = parse_plan(text).plan
    app = WarRoomApp(MemoryRun(plan, "alice", started()), StoppedClock(at(30)))
    async with app.run_test(size=(160, 48)) as pilot:
        timeline = app.query_one(Timeline)
        await settle(pilot, lambda: "deadline" in str(timeline.border_title))
        await settle(pilot, lambda: "Dec" in timeline.plt.build())  # the axis, in weeks
        assert app.is_running

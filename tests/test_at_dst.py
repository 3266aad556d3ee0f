"""`--at HH:MM` is the such moment nearest now counted in absolute time on a clock-change day,
and a time the clocks skipped is refused in one line.

Left from stop 13 (2026-12-03): `moment_near` took the difference of two times in the plan's
zone, which Python counts on the wall clock, and kept the fold of now. In Europe/Berlin on
25 Oct 2026 (02:00-03:00 came twice), 02:30 typed at 14:15 CET was its first pass, 12h45m
ago, though the second was 11h45m ago; on 29 Mar (02:00-03:00 skipped), 02:30 was taken as
03:30 CEST without a word.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cutover_tui.cli import do_commands, main, run_commands
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import RunStarted
from cutover_tui.engine.when import moment_near
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from cutover_tui.plan.model import Plan
from tests.journal_support import plan_text

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
# The four clock changes of 2026 in the two zones, as instants.
CHANGES = [
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # Berlin, forward
    datetime(2026, 10, 25, 1, 0, tzinfo=UTC),  # Berlin, back
    datetime(2026, 3, 8, 7, 0, tzinfo=UTC),  # New York, forward
    datetime(2026, 11, 1, 6, 0, tzinfo=UTC),  # New York, back
]


def _plan_text(zone: ZoneInfo, window_start: datetime) -> str:
    text = plan_text(steps=3, window_start=window_start.replace(tzinfo=None))
    return text.replace('timezone = "UTC"', f'timezone = "{zone.key}"')


def _plan(zone: ZoneInfo) -> Plan:
    return parse_plan(_plan_text(zone, datetime(2026, 10, 24, 22, 0)), name="jt.toml").plan


PLANS = {zone: _plan(zone) for zone in (BERLIN, NEW_YORK)}


def _nearest_on_the_clock(hhmm: tuple[int, int], zone: ZoneInfo, now: datetime) -> datetime:
    """The oracle: every instant within 15 hours whose reading in `zone` is HH:MM (both zones
    are whole hours from UTC), the nearest now, the later of two as near."""
    base = now.replace(minute=0, second=0, microsecond=0)
    readings = [base + timedelta(hours=hour, minutes=hhmm[1]) for hour in range(-15, 16)]
    shown = [t for t in readings if (t.astimezone(zone).hour, t.minute) == hhmm]
    return min(shown, key=lambda t: (abs(t - now), now - t))


def _skipped_near(hhmm: tuple[int, int], zone: ZoneInfo, now: datetime) -> bool:
    day = now.astimezone(zone).date()
    for shift in (-1, 0, 1):
        wall = datetime(*(day + timedelta(days=shift)).timetuple()[:3], *hhmm, tzinfo=zone)
        back = wall.astimezone(UTC).astimezone(zone)
        if (back.hour, back.minute) != hhmm:
            return True
    return False


@given(
    zone=st.sampled_from([BERLIN, NEW_YORK]),
    change=st.sampled_from(CHANGES),
    minutes=st.integers(-36 * 60, 36 * 60),
    hhmm=st.tuples(st.integers(0, 23), st.integers(0, 59)),
)
@example(zone=BERLIN, change=CHANGES[1], minutes=12 * 60 + 15, hhmm=(2, 30))  # 14:15 CET
@example(zone=BERLIN, change=CHANGES[1], minutes=11 * 60 + 30, hhmm=(1, 45))  # 13:30 CET
@example(zone=NEW_YORK, change=CHANGES[3], minutes=12 * 60 + 30, hhmm=(1, 45))  # 13:30 EST
def test_hh_mm_is_the_reading_nearest_now_in_absolute_time(
    zone: ZoneInfo, change: datetime, minutes: int, hhmm: tuple[int, int]
) -> None:
    now = change + timedelta(minutes=minutes)
    text = f"{hhmm[0]:02d}:{hhmm[1]:02d}"
    try:
        moment = moment_near(text, PLANS[zone], now)
    except ValueError as refused:  # only a reading the clocks skipped, in one line
        assert _skipped_near(hhmm, zone, now), refused
        assert str(refused).startswith(f"{text} does not exist in {zone.key} on ")
        assert "\n" not in str(refused)
        return
    assert moment == _nearest_on_the_clock(hhmm, zone, now)
    assert abs(moment - now) <= timedelta(hours=12, minutes=30)  # 12 h, half a 25-hour day


@pytest.mark.parametrize(
    ("zone", "now", "typed", "meant"),
    [
        # The second pass of 02:30 (CET), 11h45m ago; the first (CEST) was 12h45m ago.
        (BERLIN, datetime(2026, 10, 25, 14, 15, tzinfo=BERLIN), "02:30", "2026-10-25T01:30Z"),
        # 01:45 CEST was 12h45m ago, tomorrow's 01:45 CET is 12h15m ahead: the nearer.
        (BERLIN, datetime(2026, 10, 25, 13, 30, tzinfo=BERLIN), "01:45", "2026-10-26T00:45Z"),
        # 01:45 EST (the second pass), 11h45m ago; 01:45 EDT was 12h45m ago.
        (NEW_YORK, datetime(2026, 11, 1, 13, 30, tzinfo=NEW_YORK), "01:45", "2026-11-01T06:45Z"),
        # Typed in the repeated hour: the pass nearest now, before or after.
        (BERLIN, datetime(2026, 10, 25, 1, 40, tzinfo=UTC), "02:20", "2026-10-25T01:20Z"),
        (BERLIN, datetime(2026, 10, 25, 0, 40, tzinfo=UTC), "02:20", "2026-10-25T00:20Z"),
        # Across the spring change: 00:30 CET, 5h30m before 07:00 CEST.
        (BERLIN, datetime(2026, 3, 29, 7, 0, tzinfo=BERLIN), "00:30", "2026-03-28T23:30Z"),
        (NEW_YORK, datetime(2026, 3, 8, 7, 0, tzinfo=NEW_YORK), "00:30", "2026-03-08T05:30Z"),
        # An ISO time in the repeated hour, as in a plan file: the first pass, unless the
        # offset names the second.
        (BERLIN, datetime(2026, 10, 25, 1, 40, tzinfo=UTC), "2026-10-25T02:30", "2026-10-25T00:30Z"),
        (BERLIN, datetime(2026, 10, 25, 1, 40, tzinfo=UTC), "2026-10-25T02:30+01:00", "2026-10-25T01:30Z"),
    ],
)  # fmt: skip
def test_at_on_a_clock_change_day(zone: ZoneInfo, now: datetime, typed: str, meant: str) -> None:
    assert moment_near(typed, PLANS[zone], now) == datetime.fromisoformat(meant)


@pytest.mark.parametrize(
    ("zone", "now", "typed"),
    [
        (BERLIN, datetime(2026, 3, 29, 3, 10, tzinfo=BERLIN), "02:30"),
        (NEW_YORK, datetime(2026, 3, 8, 3, 10, tzinfo=NEW_YORK), "02:30"),
    ],
)
def test_a_time_the_clocks_skipped_is_refused(zone: ZoneInfo, now: datetime, typed: str) -> None:
    with pytest.raises(ValueError) as refused:
        moment_near(typed, PLANS[zone], now)
    day = "2026-03-29" if zone is BERLIN else "2026-03-08"
    assert str(refused.value) == (
        f"02:30 does not exist in {zone.key} on {day}: the clocks skip that hour; write 01:30"
        " (before the change) or 03:30 (after it)"
    )


def test_a_dated_time_the_clocks_skipped_is_refused_as_in_a_plan_file() -> None:
    now = datetime(2026, 3, 29, 3, 10, tzinfo=BERLIN)
    with pytest.raises(ValueError, match=r"^2026-03-29T02:30:00 does not exist in Europe/Berlin"):
        moment_near("2026-03-29T02:30", PLANS[BERLIN], now)


def test_the_cli_refuses_a_skipped_time_in_one_line(tmp_path: Path, capsys, monkeypatch) -> None:
    """`cutover do --at 02:30` at 03:10 CEST on 29 Mar: refused, nothing written (it was
    recorded as 03:30 CEST, in the future); `status --at 02:30` the same."""
    runs = tmp_path / "runs"
    begun = datetime(2026, 3, 28, 21, 0, tzinfo=BERLIN)  # till 01:00: 02:00 never came
    loaded = parse_plan(_plan_text(BERLIN, begun), name="jt.toml")
    journal = Journal.create(runs, loaded, rehearsal=False, created_by=os_login())
    journal.append(RunStarted(actor="boss", at=begun, plan_id="jt", key="go"))
    journal.close()
    clock = FixedClock(datetime(2026, 3, 29, 3, 10, tzinfo=BERLIN).astimezone(UTC))
    for module in (do_commands, run_commands):
        monkeypatch.setattr(module, "run_clock", lambda journal, speed=None: clock)
    run = journal.run_id
    capsys.readouterr()
    assert main(["do", run, "start", "s0", "--at", "02:30", "--runs", str(runs)]) == 2
    said = capsys.readouterr().err
    assert said == (
        "cutover do: 02:30 does not exist in Europe/Berlin on 2026-03-29: the clocks skip that"
        " hour; write 01:30 (before the change) or 03:30 (after it)\n"
    )
    assert len(Journal(runs / f"{run}.db").events()) == 1  # only the RunStarted
    assert main(["status", run, "--at", "02:30", "--runs", str(runs)]) == 2
    assert capsys.readouterr().err.startswith("cutover status: 02:30 does not exist in")

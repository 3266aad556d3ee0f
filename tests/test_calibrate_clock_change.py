"""`cutover calibrate` keeps a time in the repeated hour of a clock change where it was.

Regression: the calibrated plan wrote every time as a plain local time, and a plain local time
in the hour the clocks go back reads as the first of the two: a not-done-by trigger at the
second 01:30 (01:30 GMT) of 25 October in Europe/London came back as 01:30 BST, an hour
early. Real run files, the real CLI (its main), the calibrated plan read back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cutover_tui.cli import main
from cutover_tui.plan import load_plan
from tests.test_calibrate_says_warnings import slow_rehearsal
from tests.test_rehearse_gate_phases import plan_text

SECOND_0130 = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 GMT, after 01:30 BST


def clock_change_plan() -> str:
    text = (
        plan_text()
        .replace('timezone = "UTC"', 'timezone = "Europe/London"')
        .replace("start = 2026-11-27T22:00:00", "start = 2026-10-24T22:00:00")
        .replace("end = 2026-11-28T02:00:00", "end = 2026-10-25T02:00:00")
    )
    return text + (
        "[[trigger]]\n"
        'id = "b-late"\n'
        'step = "b"\n'
        'condition = "not-done-by"\n'
        "at = 2026-10-25T01:30:00+00:00\n"
        'action = "alert"\n'
    )


def test_the_second_0130_stays_the_second(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CUTOVER_RUNS", str(tmp_path / "runs"))
    plan = tmp_path / "gp.toml"
    plan.write_text(clock_change_plan())
    [trigger] = load_plan(plan).plan.trigger
    assert trigger.at == SECOND_0130
    slow_rehearsal(tmp_path / "runs", plan, a=70, b=25)
    out = tmp_path / "cal.toml"
    assert main(["calibrate", str(plan), "--out", str(out)]) == 0
    [trigger] = load_plan(out).plan.trigger
    assert trigger.at == SECOND_0130, trigger.at  # was 00:30 UTC: 01:30 BST
    assert "at = 2026-10-25 01:30:00+00:00" in out.read_text()
    # Times outside the repeated hour stay plain local times, as the original wrote them.
    assert "start = 2026-10-24 22:00:00" in out.read_text()


def test_local_time_keeps_a_zero_offset_of_the_repeated_hour() -> None:
    """plan.write.local_time given the second 01:30 with another offset (+01:00, as a plan
    may write it): London's offset in that hour is zero, which `local.utcoffset() or
    moment.utcoffset()` took for none, writing 01:30+01:00, an hour early. (calibrate's own
    values arrive in UTC, so the CLI above did not meet it.)"""
    from datetime import timedelta, timezone
    from zoneinfo import ZoneInfo

    from cutover_tui.plan.write import local_time

    paris_offset = SECOND_0130.astimezone(timezone(timedelta(hours=1)))  # 02:30+01:00
    written = local_time(paris_offset, ZoneInfo("Europe/London"))
    assert written == SECOND_0130 and written.utcoffset() == timedelta(0), written

"""A runbook's Start and End across a clock change: the time between them, not the wall clock's.

Left from a review (2026-12-03): a duration worked from Start and End written without an
offset was the wall-clock difference, an hour off across a change (00:30 to 03:00 the night
London's clocks go forward took 2h30m, not 1h30m), and a window end worked out from the steps
was added on the wall clock (an hour late the night the clocks go back). Both are now worked
in absolute time on the plan's clock; a plain time in the repeated hour is the first of the
two, as in a plan file (said in a warning), and one the clocks skip is refused in one line.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cutover_tui.cli import main
from cutover_tui.importers import ImportOptions, import_runbook
from cutover_tui.plan import load_plan, parse_plan
from cutover_tui.plan.write import local_time

HEAD = "ID,Task,Owner,Start,End,Duration,Predecessors\n"


def _import(capsys: pytest.CaptureFixture[str], sheet: Path) -> tuple[int, str, str]:
    code = main(
        ["import", str(sheet), "--timezone", "Europe/London", "--out", str(sheet) + ".toml"]
    )
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("rows", "durations", "window_end"),
    [
        (  # forward: 00:30 GMT to 03:00 BST is 1h30m (it was 2h30m)
            "a,A,boss,2026-03-29 00:30,2026-03-29 03:00,,\n",
            [timedelta(hours=1, minutes=30)],
            datetime(2026, 3, 29, 2, 30, tzinfo=UTC),  # 1h30m and 25%: 2h from 00:30 UTC
        ),
        (  # back: 00:00 BST to 02:00 GMT is 3h (it was 2h); then 1h more: 4h and 25%, 5h30m
            "a,A,boss,2026-10-25 00:00,2026-10-25 02:00,,\nb,B,boss,,,1h,a\n",
            [timedelta(hours=3), timedelta(hours=1)],
            datetime(2026, 10, 25, 4, 30, tzinfo=UTC),  # 23:00 UTC + 5h30m (it was 04:00 GMT)
        ),
    ],
)
def test_a_duration_and_the_window_are_worked_in_absolute_time(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    rows: str,
    durations: list[timedelta],
    window_end: datetime,
) -> None:
    sheet = tmp_path / "night.csv"
    sheet.write_text(HEAD + rows, encoding="utf-8")
    code, out, err = _import(capsys, sheet)
    assert code == 0, err
    plan = load_plan(str(sheet) + ".toml").plan
    assert [s.duration for s in plan.step] == durations
    assert plan.window.end == window_end
    assert "comes twice" not in out


def test_a_time_the_clocks_skip_is_refused_one_they_repeat_is_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "night.csv"
    sheet.write_text(HEAD + "a,A,boss,2026-03-29 00:30,2026-03-29 01:30,,\n", encoding="utf-8")
    code, _, err = _import(capsys, sheet)
    assert code == 1
    assert (
        f"{sheet} row 2, E (End): 2026-03-29 01:30 does not exist in Europe/London: the "
        "clocks skip that hour; write the time after the change or with its offset" in err
    )
    assert "Traceback" not in err
    sheet.write_text(HEAD + "a,A,boss,2026-10-25 01:30,2026-10-25 02:30,,\n", encoding="utf-8")
    code, out, err = _import(capsys, sheet)
    assert code == 0, err
    assert load_plan(str(sheet) + ".toml").plan.step[0].duration == timedelta(hours=2)
    assert (
        f"{sheet} row 2, D (Start): warning: 2026-10-25 01:30 comes twice in Europe/London: "
        "read as the first (01:30 BST); for the second write 2026-10-25 01:30+00:00" in out
    )


# Each zone's clock changes in 2026, as instants: forward in spring, back in autumn.
CHANGES = [
    ("Europe/London", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
    ("Europe/London", datetime(2026, 10, 25, 1, 0, tzinfo=UTC)),
    ("Europe/Berlin", datetime(2026, 10, 25, 1, 0, tzinfo=UTC)),
    ("America/New_York", datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),
    ("America/New_York", datetime(2026, 11, 1, 6, 0, tzinfo=UTC)),
]


def _cell(moment: datetime, zone: ZoneInfo) -> str:
    """`moment` as `cutover export` writes it: plain local, with its offset in a repeated hour."""
    local = local_time(moment, zone)
    return local.isoformat(sep=" ", timespec="minutes")


@settings(max_examples=25, deadline=None)
@given(
    change=st.sampled_from(CHANGES),
    start=st.integers(-150, 150),
    minutes=st.integers(1, 240),
)
@example(change=CHANGES[1], start=-30, minutes=120)  # 01:30 BST to 02:30 GMT: 2h, not 1h
def test_start_and_end_as_an_export_writes_them_give_the_time_between(
    tmp_path_factory: pytest.TempPathFactory,
    change: tuple[str, datetime],
    start: int,
    minutes: int,
) -> None:
    name, instant = change
    zone = ZoneInfo(name)
    begin = instant + timedelta(minutes=start)
    end = begin + timedelta(minutes=minutes)
    sheet = tmp_path_factory.mktemp("dst") / "night.csv"
    sheet.write_text(
        HEAD + f"a,A,boss,{_cell(begin, zone)},{_cell(end, zone)},,\n", encoding="utf-8"
    )
    result = import_runbook(sheet, ImportOptions(timezone=name))
    assert result.toml is not None, [str(p) for p in result.problems]
    plan = parse_plan(result.toml).plan
    assert plan.step[0].duration == end - begin
    assert plan.step[0].not_before == begin
    assert plan.window.start == begin and plan.window.end - begin >= end - begin


def test_a_rollback_sheets_starts_with_and_without_an_offset_give_its_rto(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The RTO worked from a Rollback sheet's steps compared a time with an offset to one
    without: a TypeError traceback out of `cutover import`."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Runbook"
    book.active.append(["ID", "Task", "Owner", "Duration"])
    book.active.append(["a", "A", "boss", "10m"])
    rollback = book.create_sheet("Rollback")
    rollback.append(["ID", "Task", "Owner", "Duration", "Start"])
    rollback.append(["r1", "R1", "boss", "10m", "2026-10-25 01:30+00:00"])  # the second 01:30
    rollback.append(["r2", "R2", "boss", "10m", "2026-10-25 02:30"])
    sheet = tmp_path / "night.xlsx"
    book.save(sheet)
    code = main(
        ["import", str(sheet), "--timezone", "Europe/London", "--start", "2026-10-24T23:00"]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "the RTO is taken as the rollback's critical path, 1h10m" in out

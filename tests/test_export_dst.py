"""plan -> sheet -> plan keeps a time in the hour a clock change repeats.

Left from stop 13 (2026-12-03), the pattern behind the calibrate fix (5c34eea): `cutover
export` wrote sheet times as plain local times, and `cutover import` reads a plain local time
in the repeated hour as the first of the two. In Europe/London on 25 Oct 2026 a trigger due
at the second 01:40 (GMT), a window ending at the second 01:45 and a step not before the
second 01:30 all came back an hour early, in a workbook (its Triggers and Plan sheets) and in
a CSV (its Start column). Such a time is now written with its UTC offset, which import reads
as written; every other time stays a plain date cell.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cutover_tui.cli import main
from cutover_tui.importers import ImportOptions, import_runbook
from cutover_tui.importers.export import write_csv, write_xlsx
from cutover_tui.plan import load_plan, parse_plan
from cutover_tui.plan.model import Plan
from cutover_tui.plan.write import dumps_plan, local_time

# The night each zone's clocks go back in 2026, as the instant of the change.
BACK = {
    "Europe/London": datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    "Europe/Berlin": datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    "America/New_York": datetime(2026, 11, 1, 6, 0, tzinfo=UTC),
}


def _plan_text(zone: str, not_before: datetime, due: datetime, end: datetime) -> str:
    """A plan whose step starts not before `not_before`, with a trigger due at `due` and a
    window ending at `end`, each written as the plan writes it (plan/write.local_time)."""
    tz = ZoneInfo(zone)
    start = BACK[zone] - timedelta(hours=4)
    data = {
        "format": 1,
        "plan": {"id": "dst", "title": "Clocks go back", "timezone": zone},
        "window": {"start": local_time(start, tz), "end": local_time(end, tz)},
        "people": {"boss": {"name": "Boss", "roles": ["commander"]}},
        "step": [
            {"id": "first", "title": "First", "owner": "boss", "duration": "10m"},
            {
                "id": "pinned", "title": "Pinned", "owner": "boss", "duration": "10m",
                "not_before": local_time(not_before, tz),
            },
        ],
        "trigger": [
            {
                "id": "late", "step": "pinned", "condition": "not-done-by",
                "at": local_time(due, tz), "action": "alert",
            }
        ],
    }  # fmt: skip
    return dumps_plan(data)


def _plan(zone: str, not_before: datetime, due: datetime, end: datetime) -> Plan:
    return parse_plan(_plan_text(zone, not_before, due, end)).plan


def _again(plan: Plan, sheet: Path) -> Plan:
    (write_xlsx if sheet.suffix == ".xlsx" else write_csv)(plan, sheet)
    start = None
    if sheet.suffix == ".csv":  # a CSV holds the steps alone: the window's start is given
        start = plan.window.start.astimezone(plan.zone).replace(tzinfo=None)
    result = import_runbook(sheet, ImportOptions(start=start, timezone=plan.plan.timezone))
    assert result.toml is not None, result.refused or [str(p) for p in result.problems]
    return parse_plan(result.toml).plan


MINUTE = timedelta(minutes=1)


@st.composite
def _times(draw: st.DrawFn) -> tuple[timedelta, timedelta, timedelta]:
    """Minutes from the change, within two hours either side (the repeated hour's both passes
    in): the step's start, its trigger's time, and the window's end, after the step's end."""
    end = draw(st.integers(-60, 120))
    return (
        draw(st.integers(-120, end - 10)) * MINUTE,
        draw(st.integers(-120, 120)) * MINUTE,
        end * MINUTE,
    )


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(zone=st.sampled_from(sorted(BACK)), times=_times())
@example(  # the second 01:30, 01:40 and 01:45 in London (GMT), all an hour early before
    zone="Europe/London", times=(30 * MINUTE, 40 * MINUTE, 45 * MINUTE)
)
def test_times_round_trip_through_a_workbook_and_a_csv(
    tmp_path: Path, zone: str, times: tuple[timedelta, timedelta, timedelta]
) -> None:
    change = BACK[zone]
    plan = _plan(zone, *(change + minutes for minutes in times))
    book = _again(plan, tmp_path / "plan.xlsx")
    assert book.window == plan.window
    assert [s.not_before for s in book.step] == [s.not_before for s in plan.step]
    assert [t.at for t in book.trigger] == [t.at for t in plan.trigger]
    sheet = _again(plan, tmp_path / "plan.csv")
    assert [s.not_before for s in sheet.step] == [s.not_before for s in plan.step]


def test_the_sheet_says_the_offset_only_in_the_repeated_hour(tmp_path: Path) -> None:
    """Readable: a plain time everywhere, and the offset beside each pass of the hour that
    comes twice (01:30 BST, then 01:30 GMT)."""
    change = BACK["Europe/London"]
    plan = _plan(
        "Europe/London", change + timedelta(minutes=30), change - timedelta(minutes=30),
        change + timedelta(hours=3),
    )  # fmt: skip
    write_csv(plan, tmp_path / "plan.csv")
    with (tmp_path / "plan.csv").open(encoding="utf-8-sig", newline="") as handle:
        starts = [row["Start"] for row in csv.DictReader(handle)]
    assert starts == ["", "2026-10-25 01:30+00:00"]
    write_xlsx(plan, tmp_path / "plan.xlsx")
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "plan.xlsx")
    header, *rows = list(book["Triggers"].iter_rows(values_only=True))
    assert rows[0][header.index("at")] == "2026-10-25 01:30+01:00"  # the first 01:30, BST
    window = dict(book["Plan"].iter_rows(values_only=True))
    assert window["window start"] == datetime(2026, 10, 24, 22, 0)  # a plain date cell
    assert window["window end"] == datetime(2026, 10, 25, 4, 0)  # GMT: 04:00 UTC


def test_cutover_export_then_import_keeps_the_second_pass(tmp_path: Path, capsys) -> None:
    change = BACK["Europe/London"]
    plan_file = tmp_path / "dst.toml"
    second = change + timedelta(minutes=30)  # 01:30 GMT, after 01:30 BST
    text = _plan_text(
        "Europe/London", second, second + timedelta(minutes=10), change + timedelta(hours=3)
    )
    plan_file.write_text(text, encoding="utf-8")
    plan = load_plan(plan_file).plan
    assert plan.step[1].not_before == second
    book, again = tmp_path / "dst.xlsx", tmp_path / "again.toml"
    assert main(["export", str(plan_file), "--xlsx", "--out", str(book)]) == 0
    assert main(["import", str(book), "--out", str(again)]) == 0
    capsys.readouterr()
    back = load_plan(again).plan
    assert back.step[1].not_before == second
    assert back.trigger[0].at == second + timedelta(minutes=10)
    assert back.window == plan.window


def test_import_reads_a_time_with_an_offset_or_refuses_it_in_one_line(tmp_path: Path) -> None:
    sheet = tmp_path / "hand.csv"
    sheet.write_text(
        "ID,Task,Owner,Duration,Start\n"
        "a,A,boss,10m,2026-10-25 01:30 +0000\n"
        "b,B,boss,10m,2026-10-25 01:30\n"
        "c,C,boss,10m,2026-10-25 25:30+00:00\n",
        encoding="utf-8",
    )
    result = import_runbook(sheet, ImportOptions(timezone="Europe/London"))
    [problem] = [p for p in result.problems if p.severity == "error"]
    assert str(problem) == (
        f"{sheet} row 4, E (Start): '2026-10-25 25:30+00:00' is not a date and time; write it"
        " like 2026-11-27 22:00, or with its offset, 2026-10-25 01:30+00:00"
    )
    sheet.write_text("\n".join(sheet.read_text().splitlines()[:3]) + "\n", encoding="utf-8")
    result = import_runbook(sheet, ImportOptions(timezone="Europe/London"))
    assert result.toml is not None
    pinned = [s.not_before for s in parse_plan(result.toml).plan.step]
    assert pinned == [  # as written; a plain 01:30 is the first of the two, as in a plan file
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    ]


def test_a_plan_sheets_window_time_as_text_is_read_or_refused_in_one_line(tmp_path: Path) -> None:
    """The Plan sheet's window start as text was left out without a word (the window then
    began at the first step's start); it is read now, with its offset or without."""
    from openpyxl import load_workbook

    change = BACK["Europe/London"]
    plan = _plan("Europe/London", change, change, change + timedelta(hours=3))
    book_path = tmp_path / "plan.xlsx"
    write_xlsx(plan, book_path)
    for text, read in (
        ("2026-10-24 21:30", datetime(2026, 10, 24, 20, 30, tzinfo=UTC)),
        ("2026-10-24 21:30+00:00", datetime(2026, 10, 24, 21, 30, tzinfo=UTC)),
        ("soon", None),
    ):
        book = load_workbook(book_path)
        for row in book["Plan"].iter_rows():
            if row[0].value == "window start":
                row[1].value = text
        book.save(tmp_path / "edited.xlsx")
        result = import_runbook(tmp_path / "edited.xlsx", ImportOptions())
        if read is None:
            [problem] = [str(p) for p in result.problems if p.severity == "error"]
            assert problem == (
                f"{tmp_path / 'edited.xlsx'} [Plan], window start: 'soon' is not a date and"
                " time; write it like 2026-11-27 22:00"
            )
            continue
        assert result.toml is not None, [str(p) for p in result.problems]
        assert parse_plan(result.toml).plan.window.start == read

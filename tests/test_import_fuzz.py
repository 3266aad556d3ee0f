"""Any sheet imports to a plan that validates or to located problems, never a traceback:
random headers, cells and bytes (hypothesis), through the CSV and the XLSX readers."""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from cutover_tui.importers import ImportOptions, import_runbook
from cutover_tui.importers.columns import ALIASES
from cutover_tui.plan import parse_plan

OPTIONS = ImportOptions(start=datetime(2026, 12, 5, 22), timezone="Europe/London")
HEADERS = st.sampled_from(
    [a for aliases in ALIASES.values() for a in aliases[:3]] + ["Ticket", "", "Est. (hours)"]
)
WORDS = st.sampled_from(
    ["15", "30 min", "1.5h", "1:30", "two hours", "0", "-5m", "3FS+10m", "2SS", "4FF", "1, 2",
     "checkpoint", "gate", "milestone", "comms", "Ann", "Bob / Cy", "2026-12-05 23:00",
     "31/02/2026", "PHASE 2", "x" * 300, "=SUM(A1)", "\u202e", "total", "3", "99", "a-1"]
)  # fmt: skip
TEXT_CELL = st.one_of(WORDS, st.text(max_size=12), st.just(""))
CELL = st.one_of(
    TEXT_CELL,
    st.integers(-5, 10_000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
    st.times(),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=90)),
)
_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(path: Path) -> None:
    result = import_runbook(path, OPTIONS)
    if result.refused is not None:
        assert "\n" not in result.refused
        return
    if result.toml is not None:
        parse_plan(result.toml)
    else:
        assert [p for p in result.problems if p.severity == "error"]
    for problem in result.problems:
        assert str(problem).startswith(str(path)) and "\n" not in problem.message


HEADER = st.builds(
    lambda extra, order: [
        h for _, h in sorted(zip(order, ["Task", "Owner", "Duration", *extra], strict=False))
    ],
    st.lists(HEADERS, max_size=5),
    st.permutations(range(8)),
)
ANY_HEADER = st.one_of(HEADER, st.lists(HEADERS, min_size=1, max_size=8))


@_SETTINGS
@given(header=ANY_HEADER, rows=st.lists(st.lists(TEXT_CELL, max_size=9), max_size=8))
@example(header=["id"], rows=[["0\n0", "NAME"]])  # found in CI: a header cell with a line break
def test_any_csv(header: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sheet.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        _check(path)


@_SETTINGS
@given(
    header=ANY_HEADER,
    rows=st.lists(st.lists(CELL, max_size=9), max_size=6),
)
def test_any_workbook(header: list[str], rows: list[list[object]]) -> None:
    book = Workbook()
    sheet = book.active
    for row in [header, *rows]:
        sheet.append([_storable(v) for v in row])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sheet.xlsx"
        book.save(path)
        _check(path)


def _storable(value: object) -> object:
    """What openpyxl can write: no NaN/inf, no control characters."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if isinstance(value, str):
        return "".join(c for c in value if c.isprintable()) or None
    if isinstance(value, time) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


@_SETTINGS
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx", ".txt"]))
def test_any_bytes(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"sheet{suffix}"
        path.write_bytes(data)
        _check(path)


def _workbook_bytes() -> bytes:
    book = Workbook()
    for row in (
        ["Task", "Owner", "Duration", "Predecessors"],
        ["A", "Ann", "5m", None],
        ["B", "Bob", "1h", 2],
    ):
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD_WORKBOOK = _workbook_bytes()


@_SETTINGS
@given(
    flips=st.lists(
        st.tuples(st.integers(0, len(GOOD_WORKBOOK) - 1), st.integers(0, 255)),
        min_size=1,
        max_size=4,
    )
)
def test_a_damaged_workbook(flips: list[tuple[int, int]]) -> None:
    data = bytearray(GOOD_WORKBOOK)
    for at, value in flips:
        data[at] = value
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sheet.xlsx"
        path.write_bytes(bytes(data))
        _check(path)


AUX_HEADERS = st.sampled_from(
    ["key", "name", "roles", "email", "id", "risk", "likelihood", "impact", "owner", "steps",
     "triggers", "status", "step", "condition", "limit", "at", "action", "subject", "body",
     "title", "Task", "Duration", "Owner", "Predecessors", "stream", "item", "Mobile", ""]
)  # fmt: skip


@_SETTINGS
@given(
    name=st.sampled_from(
        [
            "People",
            "Risks",
            "Rollback",
            "Plan",
            "Phases",
            "Triggers",
            "Audiences",
            "Templates",
            "Readiness",
        ]
    ),
    header=st.lists(AUX_HEADERS, min_size=1, max_size=6),
    rows=st.lists(st.lists(CELL, max_size=6), max_size=4),
)
def test_any_table_beside_a_good_runbook(
    name: str, header: list[str], rows: list[list[object]]
) -> None:
    book = Workbook()
    for row in (["Task", "Owner", "Duration"], ["A", "ann", "5m"], ["B", "bob", "10m"]):
        book.active.append(row)
    extra = book.create_sheet(name)
    for row in [header, *rows]:
        extra.append([_storable(v) for v in row])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sheet.xlsx"
        book.save(path)
        _check(path)

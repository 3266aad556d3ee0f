"""What a user pass over `cutover import` and `cutover export` found: duration text that was
summed into a wrong budget, a remark read as a phase, two columns mapped to one field, a
duplicate ID read as a cycle, an --out that is the input file. Each is refused or flagged in
one located line, never silently wrong data."""

from __future__ import annotations

import itertools
import re
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from cutover_tui.cli import main
from cutover_tui.importers.values import _UNIT_NAMES, _UNIT_SECONDS, CellError, duration_of
from cutover_tui.plan.durations import MAX_DURATION
from tests.import_support import run_import, write_csv, write_xlsx

EXAMPLES = 'write it like "90m", "1.5h", "1:30" or "2 days"'

# --- 1. durations: every part has a unit, the units strictly descending ----------------------


@pytest.mark.parametrize("text", ["1e400", "1e3", "2 3", "1h 2h", "30m 30m", "1m 1h", "1d 2"])
def test_a_duration_that_is_no_sum_is_refused(tmp_path: Path, capsys, text: str) -> None:
    path = write_csv(tmp_path / "r.csv", f"ID,Task,Owner,Duration\na,Freeze,Ann,{text}\n")
    code, out, err = run_import(capsys, path)
    assert code == 1, out
    assert f"{path} row 2, D (Duration): {text!r} is not a duration; {EXAMPLES}" in [
        line.strip() for line in err
    ]
    assert not path.with_suffix(".toml").exists()


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("15", None, timedelta(minutes=15)),
        ("1.5", "h", timedelta(minutes=90)),
        ("90 min", None, timedelta(minutes=90)),
        ("1.5h", None, timedelta(minutes=90)),
        ("1,5h", None, timedelta(minutes=90)),
        ("1h30", None, timedelta(minutes=90)),
        ("1h 30m", None, timedelta(minutes=90)),
        ("1 hr 30 mins", None, timedelta(minutes=90)),
        ("2 hrs", None, timedelta(hours=2)),
        ("2 days", None, timedelta(days=2)),
        ("1 wk", None, timedelta(weeks=1)),
        ("1:30", None, timedelta(minutes=90)),
        ("30'", None, timedelta(minutes=30)),
        ("15 emins", None, timedelta(minutes=15)),  # MS Project's elapsed minutes
        ("1.5 edays", None, timedelta(days=1.5)),
        ("1d2h30m15s", None, timedelta(days=1, hours=2, minutes=30, seconds=15)),  # as exported
        ("5 days?", None, timedelta(days=5)),
        ("PT1H30M", None, timedelta(minutes=90)),
        ("0 min", None, timedelta(0)),
    ],
)
def test_the_written_forms_still_read(text: str, unit: str | None, expected: timedelta) -> None:
    assert duration_of(text, unit) == expected


_NAMES = [(unit, name) for unit, names in _UNIT_NAMES.items() for name in names]
_ELAPSED = [(unit, "e" + name) for unit, name in _NAMES if name.isalpha()]  # "15 emins", "2ed"
_PARTS = st.lists(
    st.tuples(
        st.one_of(
            st.integers(0, 500).map(str),
            st.tuples(st.integers(0, 99), st.integers(0, 99), st.sampled_from(".,")).map(
                lambda t: f"{t[0]}{t[2]}{t[1]}"
            ),
        ),
        st.sampled_from(_NAMES + _ELAPSED),
        st.sampled_from(["", " "]),
        st.sampled_from(["", " "]),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(_PARTS)
def test_parts_in_descending_units_are_summed_and_any_other_order_refused(parts) -> None:
    text = "".join(f"{number}{gap}{name}{sep}" for number, (_, name), gap, sep in parts)
    units = [unit for _, (unit, _), _, _ in parts]
    seconds = [_UNIT_SECONDS[u] for u in units]
    expected = None
    if all(a > b for a, b in itertools.pairwise(seconds)):
        total = sum(
            float(n.replace(",", ".")) * s for (n, *_), s in zip(parts, seconds, strict=True)
        )
        expected = timedelta(seconds=round(total))
    if expected is not None and expected <= MAX_DURATION:
        assert duration_of(text) == expected
    else:
        with pytest.raises(CellError):
            duration_of(text)


_ORACLE_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*([a-z']*)\s*")
_ORACLE_UNIT = {name: unit for unit, name in _NAMES + _ELAPSED}


def _oracle(raw: str) -> timedelta | None:
    """The sum of the parts when each has a unit (a bare number after hours is minutes, a lone
    number minutes) and the units strictly descend; None when the text is no such sum."""
    raw = raw.strip().rstrip("?~ ")
    parts = []
    pos = 0
    while pos < len(raw):
        found = _ORACLE_PART.match(raw, pos)
        if not found or found.end() == pos:
            return None
        parts.append(found.groups())
        pos = found.end()
    if not parts:
        return None
    total, last = 0.0, None
    for number, word in parts:
        bare = "m" if last == "h" or len(parts) == 1 else None
        unit = _ORACLE_UNIT.get(word) if word else bare
        if unit is None or (last and _UNIT_SECONDS[unit] >= _UNIT_SECONDS[last]):
            return None
        total += float(number.replace(",", ".")) * _UNIT_SECONDS[unit]
        last = unit
    return timedelta(seconds=round(total))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789 .,ehmsdwinrkay'", max_size=14))
def test_any_text_is_refused_or_the_sum_of_ordered_parts(text: str) -> None:
    try:
        expected = _oracle(text)
    except OverflowError:
        expected = None
    if expected is None or expected > MAX_DURATION:
        with pytest.raises(CellError):
            duration_of(text)
    else:
        assert duration_of(text) == expected


# --- 2. a remark beside the table is no phase, and is never dropped in silence --------------

_REMARK_ROWS = [["ID", "Task", "Owner", "Duration"], ["a", "Freeze", "Ann", 10]]


def test_a_remark_in_an_unheaded_column_is_not_a_phase(tmp_path: Path, capsys) -> None:
    rows = [*_REMARK_ROWS, [None] * 6 + ["check with Bob first!"], ["b", "Migrate", "Ann", 5]]
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    code, out, err = run_import(capsys, path)
    assert code == 0, err
    plan = tomllib.loads(path.with_suffix(".toml").read_text(encoding="utf-8"))
    assert "phase" not in plan
    assert [(s["id"], s.get("phase")) for s in plan["step"]] == [("a", None), ("b", None)]
    assert (
        f"  {path} [Runbook] row 3, G: warning: 'check with Bob first!' in G, past the last "
        "headed column, on a row with no task name: read as a remark, not a step"
    ) in out


def test_a_remark_under_the_last_step_is_said(tmp_path: Path, capsys) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Runbook"
    for row in _REMARK_ROWS:
        sheet.append(row)
    sheet["H500"] = "check with Bob first!"
    path = tmp_path / "r.xlsx"
    book.save(path)
    code, out, err = run_import(capsys, path)
    assert code == 0, err
    assert (
        f"  {path} [Runbook] row 500, H: warning: 'check with Bob first!' in H, past the last "
        "headed column, on a row with no task name: read as a remark, not a step"
    ) in out


def test_a_lone_value_in_a_notes_column_is_a_remark_not_a_phase(tmp_path: Path, capsys) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        "Task,Owner,Duration,Ticket\nFreeze,Ann,10m,\n,,,ask Bob\nMigrate,Ann,5m,PRJ-7\n",
    )
    code, out, err = run_import(capsys, path)
    assert code == 0, err
    plan = tomllib.loads(path.with_suffix(".toml").read_text(encoding="utf-8"))
    assert "phase" not in plan and all("phase" not in s for s in plan["step"])
    assert (
        f"  {path} row 3, D (Ticket): warning: only Ticket and no task name: read as a remark, "
        "not a step"
    ) in out


def test_headings_beside_the_table_still_read(tmp_path: Path, capsys) -> None:
    rows = [
        [None, "Task", "Owner", "Duration"],
        ["PHASE 1 - PREPARATION"],
        [None, "Freeze", "Ann", 10],
        ["Cut-over:"],
        [None, "Migrate", "Ann", 5],
        ["WRAP UP"],
    ]
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    code, out, err = run_import(capsys, path)
    assert code == 0, err
    plan = tomllib.loads(path.with_suffix(".toml").read_text(encoding="utf-8"))
    assert [p["title"] for p in plan["phase"]] == ["PHASE 1 - PREPARATION", "Cut-over:"]
    assert (
        f"  {path} [Runbook] row 6: warning: 'WRAP UP' reads as a phase heading but no step "
        "comes under it: not imported"
    ) in out


# --- 3. two columns mapped to one field ------------------------------------------------------


def test_two_columns_mapped_to_one_field_are_refused(tmp_path: Path, capsys) -> None:
    rows = [["ID", "Task", "Owner", "Duration"], ["a", "Freeze", "Ann", 10]]
    path = write_xlsx(tmp_path / "h7.xlsx", rows)
    code, out, err = run_import(capsys, path, "--map", "B=title", "--map", "C=title")
    assert code == 1 and out == []
    assert err == [
        f"{path}: --map B=title and --map C=title map columns B (Task) and C (Owner) both to "
        "title; a step has one title: map one of them to another field or to ignore"
    ]
    assert not path.with_suffix(".toml").exists()


def test_one_column_mapped_to_two_fields_is_refused(tmp_path: Path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", "ID,Task,Owner,Duration\na,Freeze,Ann,10\n")
    code, _, err = run_import(capsys, path, "--map", "B=title", "--map", "Task=owner")
    assert code == 1
    assert err == [
        f"{path}: --map B=title and --map Task=owner map column B (Task) to two fields; map it once"
    ]


def test_several_columns_may_still_be_notes_or_ignored(tmp_path: Path, capsys) -> None:
    path = write_csv(
        tmp_path / "r.csv", "Job,Who,Mins,Ticket,Link,X,Y\nFreeze,Ann,10,PRJ-7,wiki,1,2\n"
    )
    code, _, err = run_import(
        capsys, path, "--map", "Job=title", "--map", "B=owner", "--map", "Mins=duration",
        "--map", "Ticket=notes", "--map", "Link=notes", "--map", "X=ignore", "--map", "Y=ignore",
    )  # fmt: skip
    assert code == 0, err
    step = tomllib.loads(path.with_suffix(".toml").read_text(encoding="utf-8"))["step"][0]
    assert (step["owner"], step["instructions"]) == ("ann", "PRJ-7\nwiki")


# --- 4. a duplicate ID is one problem, not a phantom cycle -----------------------------------


def _problems(capsys, path: Path) -> list[str]:
    code, out, err = run_import(capsys, path)
    assert code == 1, out
    return [line.strip() for line in err if line.startswith(f"  {path}") and "warning:" not in line]


@pytest.mark.parametrize(
    "rows",
    [
        # b's link to `a` is the first row's: no phantom cycle through the duplicate.
        "a,first,Ann,10,\nb,second,Ann,10,a\na,dup,Ann,10,b\n",
        # a link by the duplicate's task name runs no cycle through it either.
        "a,first,Ann,10,\nb,second,Ann,10,dup\na,dup,Ann,10,b\n",
    ],
    ids=["by-id", "by-name"],
)
def test_a_duplicate_id_is_reported_alone(tmp_path: Path, capsys, rows: str) -> None:
    path = write_csv(tmp_path / "r.csv", "ID,Task,Owner,Duration,Predecessors\n" + rows)
    assert _problems(capsys, path) == [
        f"{path} row 4, A (ID): ID 'a' is used by an earlier row too"
    ]


def test_a_cycle_beside_a_duplicate_is_still_found(tmp_path: Path, capsys) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        "ID,Task,Owner,Duration,Predecessors\na,first,Ann,10,b\nb,second,Ann,10,a\na,dup,Ann,10,\n",
    )
    assert _problems(capsys, path) == [
        f"{path} row 2, E (Predecessors): dependency cycle through rows 2 → 3 → 2 (each must "
        "finish before the next starts); break one link",
        f"{path} row 4, A (ID): ID 'a' is used by an earlier row too",
    ]


# --- 5. --out that is the input file ---------------------------------------------------------

PLANS = Path(__file__).resolve().parent.parent / "plans"


@pytest.mark.parametrize("link", [False, True])
def test_export_never_overwrites_its_plan(tmp_path: Path, capsys, link: bool) -> None:
    plan = tmp_path / "os.toml"
    plan.write_bytes((PLANS / "online-store.toml").read_bytes())
    before = plan.read_bytes()
    out = tmp_path / "other.toml" if link else plan
    if link:
        out.hardlink_to(plan)  # the same file by another name
    assert main(["export", str(plan), "--xlsx", "--out", str(out), "--force"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [f"{out}: is the plan being exported; choose another --out"]
    assert plan.read_bytes() == before


def test_export_of_a_plan_named_like_its_sheet_is_refused(tmp_path: Path, capsys) -> None:
    plan = tmp_path / "os.csv"  # a plan file whose default sheet is itself
    plan.write_bytes((PLANS / "online-store.toml").read_bytes())
    before = plan.read_bytes()
    assert main(["export", str(plan), "--csv", "--force"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{plan}: is the plan being exported; choose another --out"
    ]
    assert plan.read_bytes() == before


@pytest.mark.parametrize("how", ["same", "symlink", "default"])
def test_import_never_overwrites_its_runbook(tmp_path: Path, capsys, how: str) -> None:
    name = "self.toml" if how == "default" else "self.csv"  # default --out: FILE.toml
    source = write_csv(tmp_path / name, "Task,Owner,Duration\nFreeze,Ann,10m\n")
    before = source.read_bytes()
    out = source
    if how == "symlink":
        out = tmp_path / "elsewhere.csv"
        out.symlink_to(source)
    argv = ["import", str(source), "--force", "--start", "2026-12-05T22:00"]
    if how != "default":
        argv += ["--out", str(out)]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"{out}: is the runbook being imported; choose another --out"
    ]
    assert source.read_bytes() == before

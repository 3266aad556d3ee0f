"""Broken runbook sheets: each gets its located message, all problems in one run, never a
traceback; a row that cannot be imported is named. Sheets are written by the tests."""

from __future__ import annotations

import tomllib
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.import_support import run_import, write_csv, write_xlsx

HEADER = ["Task", "Owner", "Duration", "Predecessors"]
GOOD = "Task,Owner,Duration,Predecessors\nStop the app,Ann,10m,\nBack up,Bob,20m,2\n"


def _errors(capsys, path: Path, *args: str) -> list[str]:
    code, out, err = run_import(capsys, path, *args)
    assert code == 1, (out, err)
    assert not path.with_suffix(".toml").exists()
    assert "Traceback" not in "\n".join(err)
    return err


def _has(lines: list[str], expected: str) -> None:
    assert any(line.strip() == expected for line in lines), "\n".join(lines)


def _repacked(good: Path, path: Path, parts: dict[str, bytes]) -> Path:
    """`good`'s zip parts written to `path`, those in `parts` replaced."""
    with zipfile.ZipFile(good) as source:
        items = {name: source.read(name) for name in source.namelist()}
    with zipfile.ZipFile(path, "w") as target:
        for name, data in (items | parts).items():
            target.writestr(name, data)
    return path


def test_a_cycle_through_row_numbers(tmp_path, capsys) -> None:
    path = write_csv(
        tmp_path / "r.csv", "Task,Owner,Duration,Predecessors\nA,Ann,10m,3\nB,Bob,5m,2\n"
    )
    err = _errors(capsys, path)
    _has(
        err,
        f"{path} row 2, D (Predecessors): dependency cycle through rows 2 → 3 → 2 "
        "(each must finish before the next starts); break one link",
    )


def test_an_unknown_predecessor_by_id(tmp_path, capsys) -> None:
    path = write_csv(
        tmp_path / "r.csv", "ID,Task,Owner,Duration,Predecessors\n1,A,Ann,10m,\n2,B,Bob,5m,9\n"
    )
    err = _errors(capsys, path)
    _has(err, f"{path} row 3, E (Predecessors): unknown predecessor '9': no step has that ID")
    _has(err, "rows that cannot be imported: 3")


def test_an_unknown_predecessor_by_name_suggests_the_nearest(tmp_path, capsys) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        "ID,Task,Owner,Duration,Depends on\nstop-app,A,Ann,10m,\nb,B,Bob,5m,stop-ap\n",
    )
    err = _errors(capsys, path)
    _has(
        err,
        f"{path} row 3, E (Depends on): unknown predecessor 'stop-ap': no step has that ID "
        "(did you mean 'stop-app'?)",
    )


def test_a_duration_in_words(tmp_path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", GOOD + "Restore,Cy,two hours,3\n")
    err = _errors(capsys, path)
    _has(
        err,
        f"{path} row 4, C (Duration): 'two hours' is not a duration; write it like \"90m\", "
        '"1.5h", "1:30" or "2 days" (did you mean \'2h\'?)',
    )


def test_a_merged_cell_in_the_middle(tmp_path, capsys) -> None:
    rows = [
        HEADER,
        ["Stop", "Ann", "10m", None],
        ["Back up", "Bob", None, 2],
        ["Check", "Cy", "5m", 3],
    ]
    path = write_xlsx(tmp_path / "r.xlsx", rows, merges=["B3:C3"])
    err = _errors(capsys, path)
    _has(
        err,
        f"{path} [Runbook] row 3, B (Owner): cells B3:C3 are merged across Owner, Duration: "
        "only the first holds a value, the others read empty; unmerge them and fill each cell",
    )


def test_a_merged_phase_column_is_read_down_its_rows(tmp_path, capsys) -> None:
    rows = [
        ["Phase", *HEADER],
        ["Prep", "Stop", "Ann", "10m", None],
        [None, "Back up", "Bob", "5m", 2],
    ]
    path = write_xlsx(tmp_path / "r.xlsx", rows, merges=["A2:A3"])
    code, out, _ = run_import(capsys, path)
    assert code == 0
    _has(
        out,
        f"{path} [Runbook] row 2, A (Phase): warning: rows 2-3 share one merged cell; "
        "'Prep' is read for each of them",
    )
    assert out[-1].startswith("wrote ")
    assert path.with_suffix(".toml").read_text().count('phase = "prep"') == 2


def test_an_empty_sheet(tmp_path, capsys) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", [])
    _has(_errors(capsys, path), f"{path} [Runbook]: the sheet is empty")


def test_an_empty_csv(tmp_path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", "")
    _has(_errors(capsys, path), f"{path}: the sheet is empty")


def test_a_corrupt_workbook(tmp_path, capsys) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [HEADER, ["A", "Ann", "5m", None]])
    path = tmp_path / "r.xlsx"
    path.write_bytes(good.read_bytes()[:900])  # cut short, as a failed download is
    err = _errors(capsys, path)
    assert len(err) == 1 and err[0].startswith(f"{path}: the workbook is damaged"), err


def test_a_zip_that_is_not_a_workbook(tmp_path, capsys) -> None:
    path = tmp_path / "r.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/readme.txt", "hello")
    err = _errors(capsys, path)
    assert len(err) == 1 and err[0].startswith(f"{path}: the workbook is damaged"), err


def test_a_password_protected_workbook(tmp_path, capsys) -> None:
    # An encrypted XLSX is an OLE2 container with EncryptionInfo and EncryptedPackage streams.
    head = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    path = tmp_path / "r.xlsx"
    path.write_bytes(head + "EncryptionInfo".encode("utf-16-le") + b"\0" * 2000)
    _has(
        _errors(capsys, path),
        f"{path}: this is a password-protected (encrypted) Excel workbook; "
        "save a copy without the password (File > Info > Protect Workbook) and import that",
    )


def test_an_old_xls_workbook(tmp_path, capsys) -> None:
    path = tmp_path / "r.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000)
    _has(
        _errors(capsys, path),
        f"{path}: this is an old Excel 97-2003 workbook (.xls); save it as "
        ".xlsx or CSV and import that",
    )


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (
            b"{\\rtf1\\ansi Task\\tab Owner}",
            "an RTF document (a word processor's file), not a sheet; save the table as CSV",
        ),
        (
            b"<!DOCTYPE html><html><table><tr><td>Task</td></tr></table></html>",
            "an HTML page (a web page saved with a sheet's name); save the table as CSV or XLSX",
        ),
        (
            b"%PDF-1.7\n%...",
            "a PDF document, not a sheet; import the spreadsheet it was printed from",
        ),
    ],
)
def test_a_file_that_is_not_what_its_name_says(tmp_path, capsys, content, said) -> None:
    path = tmp_path / "runbook.csv"
    path.write_bytes(content)
    assert _errors(capsys, path) == [f"{path}: this is {said}"]


def test_a_workbook_saved_as_csv_is_read_as_a_workbook(tmp_path, capsys) -> None:
    book = write_xlsx(tmp_path / "book.xlsx", [HEADER, ["Stop", "Ann", "10m", None]])
    path = tmp_path / "runbook.csv"
    path.write_bytes(book.read_bytes())
    code, out, _ = run_import(capsys, path)
    assert code == 0
    _has(out, f"note: {path}: named .csv but it is an Excel workbook (XLSX); read as one")


def test_text_named_xlsx(tmp_path, capsys) -> None:
    path = write_csv(tmp_path / "r.xlsx", GOOD)
    assert _errors(capsys, path) == [
        f"{path}: named .xlsx but it is plain text, not an Excel workbook (a CSV renamed, or a "
        "damaged download); rename it .csv if it is a CSV"
    ]


def test_a_csv_in_windows_1252(tmp_path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", GOOD + "Vérifier,José Müller,5m,3\n", "cp1252")
    code, out, _ = run_import(capsys, path)
    assert code == 0
    _has(
        out,
        f"note: {path}: not UTF-8 (first at line 4); read as Windows-1252 (cp1252): check "
        "accented names, or save the sheet as 'CSV UTF-8'",
    )
    text = path.with_suffix(".toml").read_text(encoding="utf-8")
    assert 'name = "José Müller"' in text and 'title = "Vérifier"' in text


def test_a_csv_with_a_bom_and_semicolons(tmp_path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", "\ufeff" + GOOD.replace(",", ";"))
    code, out, _ = run_import(capsys, path)
    assert code == 0 and not any("note: " in line and "UTF-8" in line for line in out)


def test_a_formula_with_no_saved_value(tmp_path, capsys) -> None:
    path = write_xlsx(
        tmp_path / "r.xlsx", [HEADER, ["Stop", "Ann", 10, None], ["Back up", "Bob", "=C2*2", 2]]
    )
    _has(
        _errors(capsys, path),
        f"{path} [Runbook] row 3, C (Duration): formula =C2*2 has no saved "
        "value (the file was written by a program that does not calculate); type the value, or "
        "open and save the file in Excel",
    )


@pytest.mark.parametrize(
    ("link", "message", "hint"),
    [
        (
            "2FF",
            "'2FF': a finish-to-finish link cannot be honoured (a step here starts when the "
            "steps before it finish); write it finish-to-start",
            "2FS",
        ),
        (
            "2SF",
            "'2SF': a start-to-finish link cannot be honoured (a step here starts when the "
            "steps before it finish); write it finish-to-start",
            "2FS",
        ),
        (
            "2FS-10m",
            "'2FS-10m': a lead (a negative lag) cannot be honoured: a step starts only when "
            "the steps before it finish",
            "2FS",
        ),
        ("2SS+1h", "'2SS+1h': a start-to-start link with a lag cannot be honoured", "2FS"),
        (
            "2FS+50%",
            "'2FS+50%': a lag in per cent of a duration cannot be honoured; write the lag "
            "as a time, like 3FS+10m",
            "2FS",
        ),
    ],
)
def test_ms_project_links_refused(tmp_path, capsys, link, message, hint) -> None:
    path = write_csv(
        tmp_path / "r.csv", f"Task,Owner,Duration,Predecessors\nA,Ann,10m,\nB,Bob,5m,{link}\n"
    )
    _has(
        _errors(capsys, path), f"{path} row 3, D (Predecessors): {message} (did you mean '{hint}'?)"
    )


def test_no_task_column(tmp_path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", "Ref,Owner,Duration\n1,Ann,10m\n")
    _has(
        _errors(capsys, path),
        f"{path} row 1: no column reads as the task name; the header has "
        "Ref, Owner, Duration: name one with --map COLUMN=title",
    )


def test_header_cell_with_a_line_break_stays_on_one_line(tmp_path, capsys) -> None:
    # hypothesis (test_import_fuzz) found it in CI: the header named in the problem held "0\n0"
    # and the problem printed on two lines.
    path = write_csv(tmp_path / "r.csv", 'id\n"0\n0",NAME\n')
    _has(
        _errors(capsys, path),
        f"{path} row 2: no duration column, and no start and end columns to take durations "
        "from: the header has 0⏎0, NAME; name one with --map COLUMN=duration",
    )


def test_a_file_name_with_a_line_break_is_named_on_one_line(tmp_path, capsys) -> None:
    path = write_csv(tmp_path / "evil\nfake line.csv", "Ref,Owner,Duration\n1,Ann,10m\n")
    lines = _errors(capsys, path)
    assert lines[0].startswith(f"{tmp_path}/evil⏎fake line.csv: header on row 1;"), lines
    assert not [line for line in lines if line.startswith("fake line.csv")]


def test_a_note_naming_a_file_with_a_line_break_is_one_line(tmp_path, capsys) -> None:
    """The encoding's note names the file (cp1252, not UTF-8): on one line, as the rest."""
    path = tmp_path / "evil\nfake line.csv"
    path.write_bytes("Task,Owner,Duration\nCaf\u00e9,Ann,10m\n".encode("cp1252"))
    _code, out, err = run_import(capsys, path)
    assert [line for line in out if "note:" in line and "evil⏎fake line.csv: not UTF-8" in line]
    assert not [line for line in out + err if line.startswith("fake line.csv")]


def test_no_header_row(tmp_path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", "foo,bar\n1,2\n")
    _has(
        _errors(capsys, path),
        f"{path}: no header row in the first 30 rows (the first reads "
        "'foo'): a header names the columns, like Task, Owner, Duration, Predecessors; or name "
        "them with --map COLUMN=FIELD",
    )


def test_a_row_with_no_task_name_is_named(tmp_path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", GOOD + ",Cy,5m,3\n")
    err = _errors(capsys, path)
    _has(err, f"{path} row 4: no task name on this row, so it cannot be imported (it has owner)")
    _has(err, "rows that cannot be imported: 4")


def test_a_duplicate_id(tmp_path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", "ID,Task,Owner,Duration\na1,A,Ann,10m\nA1,B,Bob,5m\n")
    _has(_errors(capsys, path), f"{path} row 3, A (ID): ID 'A1' is used by an earlier row too")


def test_an_unknown_step_type(tmp_path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", "Task,Owner,Duration,Type\nA,Ann,10m,checkpiont\n")
    _has(
        _errors(capsys, path),
        f"{path} row 2, D (Type): 'checkpiont' is not a step type; types "
        "are task, checkpoint, gate (go/no-go), milestone, comms (did you mean 'checkpoint'?)",
    )


def test_a_date_in_words(tmp_path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", "Task,Owner,Start,End\nA,Ann,next Tuesday,2026-12-08\n")
    _has(
        _errors(capsys, path),
        f"{path} row 2, C (Start): 'next Tuesday' is not a date and time; "
        "write it like 2026-11-27 22:00",
    )


def test_an_end_before_its_start(tmp_path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", "Task,Owner,Start,End\nA,Ann,2026-12-08,2026-12-01\n")
    _has(
        _errors(capsys, path),
        f"{path} row 2, D (End): ends (2026-12-01 00:00) before it starts (2026-12-08 00:00)",
    )


def test_every_problem_in_one_run(tmp_path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", GOOD + "C,Cy,soon,3\nD,Di,5m,7\nE,Ed,5m,checkpoint\n")
    err = _errors(capsys, path)
    assert err[0] == f"{path}: header on row 1; 3 error(s), 2 warning(s); nothing written"
    _has(
        err,
        f"{path} row 6, D (Predecessors): unknown predecessor 'checkpoint': no row of that "
        "number holds a step (numbers are sheet rows), and no step has that id",
    )
    _has(err, "rows that cannot be imported: 4, 5, 6")


def test_cells_past_the_header_are_kept_and_flagged(tmp_path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", GOOD + "C,Cy,5m,3,oops typed here\n")
    code, out, _ = run_import(capsys, path)
    assert code == 0
    _has(
        out,
        f"{path} row 4, E: warning: a value in E, past the last headed column (someone typed "
        "into the wrong cell?): kept in the step's notes",
    )
    assert 'instructions = "E: oops typed here"' in path.with_suffix(".toml").read_text()


def test_a_map_to_an_unknown_field(tmp_path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", GOOD)
    assert _errors(capsys, path, "--map", "Owner=ownr") == [
        "--map 'Owner=ownr': 'ownr' is not a field; fields are id, title, owner, duration, start, "
        "end, after, phase, kind, notes, verify, status, accountable, consulted, informed, stream, "
        "on_fail, criteria, approvers, low, high, outline, template, audiences, auto, ignore (did you "
        "mean 'owner'?)"
    ]


def test_a_map_of_a_column_the_sheet_lacks(tmp_path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", GOOD)
    err = _errors(capsys, path, "--map", "Ownr=notes")
    assert err[-1] == (
        f"{path}: --map Ownr=notes: the header has no column 'Ownr'; it has Task, Owner, Duration, "
        "Predecessors (did you mean 'Owner'?)"
    ), err


def test_an_unknown_sheet(tmp_path, capsys) -> None:
    book = Workbook()
    book.active.title = "Runbook v2"
    path = tmp_path / "r.xlsx"
    book.save(path)
    assert _errors(capsys, path, "--sheet", "Runbok v2") == [
        f"{path}: no sheet named 'Runbok v2'; its sheets are Runbook v2 (did you mean 'Runbook v2'?)"
    ]


def test_a_missing_file(tmp_path, capsys) -> None:
    path = tmp_path / "nope.csv"
    assert _errors(capsys, path) == [f"{path}: cannot read it: No such file or directory"]


def test_a_cycle_does_not_hide_the_other_problems(tmp_path, capsys) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        "Task,Owner,Start,End,Predecessors\nA,Ann,2026-12-05 22:00,2026-12-05 23:00,3\n"
        "B,Bob,2026-12-05 22:00,2026-12-05 23:00,2\nC,Cy,2026-12-08,2026-12-01,\n",
    )
    err = _errors(capsys, path)
    assert err[0] == f"{path}: header on row 1; 2 error(s), 1 warning(s); nothing written"
    _has(err, f"{path} row 4, D (End): ends (2026-12-01 00:00) before it starts (2026-12-08 00:00)")
    _has(err, "rows that cannot be imported: 2, 4")


@pytest.mark.parametrize(
    ("part", "content"),
    [
        ("xl/worksheets/sheet1.xml", b'<worksheet><sheetData><row><c r="A1"'),
        ("xl/workbook.xml", b"garbage"),
        ("xl/styles.xml", b"<x"),
    ],
)
def test_a_workbook_with_a_damaged_part(tmp_path, capsys, part: str, content: bytes) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [HEADER, ["A", "Ann", "5m", None]])
    path = _repacked(good, tmp_path / "r.xlsx", {part: content})
    err = _errors(capsys, path)
    assert len(err) == 1 and err[0].startswith(f"{path}: the workbook is damaged and cannot be"), (
        err
    )
    assert err[0].endswith("; open it in Excel and save it again")


@pytest.mark.parametrize("value", [527041, 1440000000000, "99999999999999 days"])
def test_a_duration_past_a_year(tmp_path, capsys, value) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", [HEADER, ["A", "Ann", value, None]])
    _has(
        _errors(capsys, path),
        f"{path} [Runbook] row 2, C (Duration): {value!r} is longer than a "
        'year; is it a typo? write it like "90m", "1.5h", "1:30" or "2 days"',
    )


def test_a_lag_past_the_calendar(tmp_path, capsys) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        "ID,Task,Owner,Duration,Predecessors\n1,A,Ann,5m,\n2,B,Bob,5m,1FS+99999999999999 days\n",
    )
    _has(
        _errors(capsys, path),
        f"{path} row 3, E (Predecessors): unknown predecessor "
        "'1FS+99999999999999 days': no step has that ID",
    )


def test_a_wrong_stored_dimension_loses_no_cell(tmp_path, capsys) -> None:
    good = write_xlsx(
        tmp_path / "good.xlsx", [HEADER, ["A", "Ann", "5m", None], ["B", "Bob", "5m", 2]]
    )
    with zipfile.ZipFile(good) as source:
        sheet = source.read("xl/worksheets/sheet1.xml").decode()
    assert '<dimension ref="A1:D3" />' in sheet
    wrong = sheet.replace('ref="A1:D3"', 'ref="A1:B2"').encode()
    path = _repacked(good, tmp_path / "r.xlsx", {"xl/worksheets/sheet1.xml": wrong})
    code, _, err = run_import(capsys, path)
    assert code == 0, err
    steps = tomllib.loads(path.with_suffix(".toml").read_text())["step"]
    assert [(s["id"], s["duration"], s.get("after")) for s in steps] == [
        ("a", "5m", None),
        ("b", "5m", ["a"]),
    ]


def test_text_that_starts_with_equals_is_not_a_formula(tmp_path, capsys) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["=== PHASE 1 ==="])
    sheet["A2"].data_type = "s"  # typed as text ('=== PHASE 1 ===), as Excel stores it
    sheet.append(["A", "Ann", "5m", None])
    path = tmp_path / "r.xlsx"
    book.save(path)
    code, out, err = run_import(capsys, path)
    assert code == 0, err
    assert 'title = "=== PHASE 1 ==="' in path.with_suffix(".toml").read_text()
    assert not any("formula" in line for line in out)

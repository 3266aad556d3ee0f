"""Hostile text through every `cutover export` (a plan's sheet, a run's sheet) and back:
no formula cell, no character a sheet cannot hold (each shown visibly, none dropped), the CSV's
apostrophe taken off again by `cutover import`, and the CLI end to end with no traceback and
no ESC byte on the terminal (hostile user pass, 2026-12-02)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from cutover_tui.importers import ImportOptions, import_runbook
from cutover_tui.importers.export import write_csv, write_xlsx
from cutover_tui.plan import load_plan, parse_plan
from cutover_tui.plan.model import Plan
from cutover_tui.report.export import COLUMNS
from cutover_tui.report.export import write_csv as write_run_csv
from cutover_tui.report.export import write_xlsx as write_run_xlsx
from cutover_tui.sheet_cells import (
    FORMULA_START,
    csv_text,
    sheet_text,
    unquote_csv,
    write_sheet_file,
)
from tests.report_support import late_night, new_journal, play, shop_plan

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "plans"
OSC52 = "\x1b]52;c;aGFja2Vk\x07"  # sets the clipboard of the terminal that prints it
HOSTILE = [OSC52, "\x1b[2J", "\x9b31m", "\x9d0;x\x9c", "\u202e", "\x00", "\x7f", "\r", "\uffff",
           "\ufffe", "\ud800", "\x0b", "=", "+", "-", "@", "'", "\t", "\n"]  # fmt: skip
# Characters no exported cell may hold: what XML 1.0 refuses, and what drives a terminal.
NOT_HELD = set(map(chr, [*range(0x09), 0x0B, 0x0C, *range(0x0D, 0x20), *range(0x7F, 0xA0)]))
NOT_HELD |= {"\ufffe", "\uffff", *map(chr, range(0xD800, 0xE000))}

_hostile = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(max_size=4)), min_size=1, max_size=6
).map("".join)
SHOP = parse_plan(shop_plan(), name="shop.toml").plan
_settings = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def with_text(plan: Plan, title: str, notes: str, name: str) -> Plan:
    """The plan with hostile text in its title, its first step's title and notes, a name."""
    step = plan.step[0].model_copy(update={"title": title, "instructions": notes})
    key = plan.step[0].owner
    person = plan.people[key].model_copy(update={"name": name})
    info = plan.plan.model_copy(update={"title": title})
    return plan.model_copy(
        update={"plan": info, "step": [step, *plan.step[1:]], "people": plan.people | {key: person}}
    )


def all_cells(book: Path) -> list:
    return [cell for sheet in load_workbook(book) for row in sheet.iter_rows() for cell in row]


def test_sheet_text_shows_every_character_a_sheet_cannot_hold() -> None:
    assert sheet_text(f"a{OSC52}b") == "a␛]52;c;aGFja2Vk␇b"
    assert sheet_text("\x9b2J \u202e \uffff \ud800") == "\\x9b2J \u202e \\uffff \\ud800"
    assert sheet_text("one\r\ntwo\rthree\tfour\n") == "one\ntwo␍three\tfour\n"


@given(st.text())
def test_csv_text_is_never_a_formula_and_import_takes_its_apostrophe_off(text: str) -> None:
    cell = csv_text(text)
    assert not cell.startswith(FORMULA_START) and not NOT_HELD & set(cell) - {"\t", "\n"}
    assert unquote_csv(cell) == sheet_text(text)


@_settings
@given(title=_hostile, notes=_hostile, name=_hostile)
def test_any_text_exports_to_xlsx_as_data_never_a_formula(
    tmp_path: Path, title: str, notes: str, name: str
) -> None:
    plan = with_text(SHOP, title, notes, name)
    book = tmp_path / "plan.xlsx"
    assert write_sheet_file(book, lambda path: write_xlsx(plan, path)) is None
    cells = all_cells(book)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if NOT_HELD & set(t) - {"\t", "\n"}]
    runbook = list(load_workbook(book)["Runbook"].iter_rows(min_row=2, max_row=2, values_only=True))
    # Kept, or shown visibly, never lost (an empty text is an empty cell).
    assert (runbook[0][2] or "", runbook[0][9] or "") == (sheet_text(title), sheet_text(notes))
    people = {row[0]: row[1] for row in load_workbook(book)["People"].iter_rows(values_only=True)}
    assert (people[plan.step[0].owner] or "") == sheet_text(name)


@_settings
@given(title=_hostile, notes=_hostile)
def test_any_text_exports_to_csv_with_a_formula_start_quoted(
    tmp_path: Path, title: str, notes: str
) -> None:
    plan = with_text(SHOP, title, notes, "x")
    sheet = tmp_path / "plan.csv"
    assert write_sheet_file(sheet, lambda path: write_csv(plan, path)) is None
    raw = sheet.read_text(encoding="utf-8-sig")
    assert not NOT_HELD & set(raw) - {"\t", "\n", "\r"}  # csv's own line ends are \r\n
    first = next(iter(csv.DictReader(raw.splitlines(keepends=True))))
    for cell, text in ((first["Task"], title), (first["Notes"], notes)):
        assert not cell.startswith(FORMULA_START)
        assert cell in (sheet_text(text), "'" + sheet_text(text))


@_settings
@given(title=_hostile, phase=_hostile, owner=_hostile)
def test_a_runs_sheet_of_any_text_holds_no_formula_and_no_control(
    tmp_path: Path, title: str, phase: str, owner: str
) -> None:
    """report/export.py's writers (`cutover export RUN`): title, phase, owner as hostile text."""
    row = ["migrate", title, phase, owner, "task", "done", "", "", "", "", 60.0, 65.0, -5.0, 0.0,
           "yes"]  # fmt: skip
    assert len(row) == len(COLUMNS)
    book, sheet = tmp_path / "run.xlsx", tmp_path / "run.csv"
    assert write_sheet_file(book, lambda path: write_run_xlsx([row], path, title)) is None
    assert write_sheet_file(sheet, lambda path: write_run_csv([row], path)) is None
    written = list(load_workbook(book).active.iter_rows())
    assert not [c.coordinate for r in written for c in r if c.data_type == "f"]
    texts = [title, phase, owner]
    assert [c.value or "" for c in written[1][1:4]] == [sheet_text(t) for t in texts]
    assert (load_workbook(book).properties.title or "") == sheet_text(title[:200])
    back = list(csv.reader(sheet.open(encoding="utf-8", newline="")))[1]
    assert back[1:4] == [csv_text(t) for t in texts]
    assert back[12] == "-5.0"  # a number stays a number: no apostrophe before its sign


_formula_like = st.tuples(
    st.sampled_from([*FORMULA_START, "'", "''", "=HYPERLINK(", ""]),
    st.text(alphabet="abc =+-@'", min_size=1, max_size=8),
    st.sampled_from(["", OSC52, "\x9b1m", "\u202e"]),
).map("".join)


@_settings
@given(notes=_formula_like)
@example(notes="\t ")  # found by a full run: blanks are no instructions
def test_csv_round_trip_gives_the_text_back(tmp_path: Path, notes: str) -> None:
    """plan -> CSV -> `cutover import` -> plan: the apostrophe export adds, import takes off."""
    plan = with_text(SHOP, SHOP.step[0].title, notes, SHOP.people[SHOP.step[0].owner].name)
    sheet = tmp_path / "plan.csv"
    assert write_sheet_file(sheet, lambda path: write_csv(plan, path)) is None
    start = plan.window.start.astimezone(plan.zone).replace(tzinfo=None)
    result = import_runbook(sheet, ImportOptions(start=start, timezone=plan.plan.timezone))
    assert result.toml is not None, [str(p) for p in result.problems]
    back = parse_plan(result.toml).plan
    # Only blanks (a tab, a space) read back as no instructions at all.
    assert (back.step[0].instructions or "") == sheet_text(notes).strip()


def hostile_run(tmp_path: Path) -> tuple[Path, str]:
    """A run of a plan that validates with OSC 52, CSI, a bidi override and U+FFFF in its
    title and a HYPERLINK formula as a step's title."""
    text = shop_plan()
    assert "title = 'Shop cutover'" in text
    text = text.replace(
        "title = 'Shop cutover'",
        'title = "Shop \\u001b]52;c;aGFja2Vk\\u0007 \\u009b2J \\u202e \\uffff"',
    ).replace('title = "Migrate orders"', 'title = "=HYPERLINK(\\"http://x.example\\",\\"ok\\")"')
    runs = tmp_path / "runs"
    journal = new_journal(runs, text)
    play(journal, late_night())
    run = journal.run_id
    journal.close()
    return runs, run


def cutover(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_cutover_export_run_of_a_hostile_plan_writes_both_sheets(tmp_path: Path) -> None:
    runs, run = hostile_run(tmp_path)
    for kind in ("xlsx", "csv"):
        target = tmp_path / f"night.{kind}"
        done = cutover("export", run, f"--{kind}", "--out", str(target), "--runs", str(runs),
                       cwd=tmp_path)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr and "\x1b" not in done.stdout + done.stderr
        assert done.stdout.startswith(f"wrote {target}: 7 steps of {run}")
    book = load_workbook(tmp_path / "night.xlsx")
    assert book.properties.title == "Shop ␛]52;c;aGFja2Vk␇ \\x9b2J \u202e \\uffff"
    migrate = next(r for r in book.active.iter_rows() if r[0].value == "migrate")
    assert migrate[1].value.startswith("=HYPERLINK(") and migrate[1].data_type == "s"
    rows = {r["step"]: r for r in csv.DictReader((tmp_path / "night.csv").open(encoding="utf-8"))}
    assert rows["migrate"]["title"].startswith("'=HYPERLINK(")


def test_cutover_export_plan_of_a_hostile_plan_validates_exports_and_imports(
    tmp_path: Path,
) -> None:
    text = (PLANS / "online-store.toml").read_text()
    hostile = tmp_path / "hostile.toml"
    hostile.write_text(
        text.replace(
            'title = "Online store: legacy catalogue to new e-commerce platform"',
            'title = "Store \\u001b]52;c;aGk=\\u0007 \\u009b2J"',
        ).replace(
            'title = "Switch the storefront to the maintenance page and stop order intake"',
            'title = "=HYPERLINK(\\"http://x.example\\",\\"ok\\")"',
        )
    )
    assert cutover("validate", str(hostile), cwd=tmp_path).returncode == 0
    for kind in ("xlsx", "csv"):
        target = tmp_path / f"sheet.{kind}"
        done = cutover("export", str(hostile), f"--{kind}", "--out", str(target), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr and "\x1b" not in done.stdout + done.stderr
        again = cutover("import", str(target), "--out", str(tmp_path / f"again-{kind}.toml"),
                        "--start", "2026-12-05T22:00", cwd=tmp_path)  # fmt: skip
        assert "\x1b" not in again.stdout + again.stderr and "Traceback" not in again.stderr
    assert b"\x1b" not in (tmp_path / "sheet.csv").read_bytes()
    assert ",\"'=HYPERLINK(" in (tmp_path / "sheet.csv").read_text(encoding="utf-8-sig")
    assert not [c for c in all_cells(tmp_path / "sheet.xlsx") if c.data_type == "f"]


def test_a_sheet_that_cannot_be_written_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    runs, run = hostile_run(tmp_path)
    target = tmp_path / "no-such-dir" / "night.xlsx"
    done = cutover("export", run, "--xlsx", "--out", str(target), "--runs", str(runs),
                   cwd=tmp_path)  # fmt: skip
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == f"{target}: not written: No such file or directory\n"
    plan_sheet = tmp_path / "no-such-dir" / "plan.csv"
    done = cutover("export", str(PLANS / "online-store.toml"), "--csv", "--out", str(plan_sheet),
                   cwd=tmp_path)  # fmt: skip
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"{plan_sheet}: not written: No such file or directory\n"
    # A cell openpyxl refuses is named by sheet, row, step and column; no file is left.
    book = tmp_path / "night.xlsx"
    rows = [["migrate", "Migrate", "move", "Dee", "task", "done", object()]]
    said = write_sheet_file(book, lambda path: write_run_xlsx(rows, path, "t"))
    assert said is not None and said.startswith(
        f"{book}: not written: sheet 'Steps', row 2 (step 'migrate'), column planned start: "
        "ValueError: Cannot convert"
    )
    assert "\n" not in said and list(tmp_path.glob("*.xlsx")) == []


def test_cutover_import_of_hostile_cells_is_inert_and_plain_text(tmp_path: Path) -> None:
    """Cells with OSC 52, CSI, bidi overrides and formulas: every line printed inert, the plan
    written with them as TOML escapes (no raw C1 or bidi byte in the file), the text kept."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Run\u202ebook"
    sheet.append(["ID", "Task", "Owner", "Duration", "Predecessors", "Notes"])
    sheet.append([1, "Backup \x9d52;c;aGk=\x9c now", "Ann\x9b31m Lee", "30m", None, "\u202ehi"])
    sheet.append([2, "Check", "Bob", "1h", "1", '=HYPERLINK("http://x.example")'])
    book.save(tmp_path / "hostile.xlsx")
    (tmp_path / "hostile.csv").write_text(
        "ID,Task,Owner,Duration,Predecessors,Notes\n"
        f'1,"Backup {OSC52} now",Ann\x1b[31m Lee,30m,,"=HYPERLINK(""http://x.example"")"\n'
        "2,Check,Bob,1h,1,'=1+1\n",
        encoding="utf-8",
    )
    for name, notes in (("hostile.xlsx", None), ("hostile.csv", '=HYPERLINK("http://x.example")')):
        plan = tmp_path / f"{name}.toml"
        done = cutover("import", name, "--out", str(plan), "--start", "2026-12-05T22:00",
                       cwd=tmp_path)  # fmt: skip
        shown = done.stdout + done.stderr
        assert "Traceback" not in shown and not NOT_HELD & set(shown) - {"\n"}
        assert "\u202e" not in shown
        if notes is None:  # a formula with no saved value: refused, by sheet, row and column
            assert (
                done.returncode == 1 and "[Run\\u202ebook] row 3, F (Notes): formula =HYP" in shown
            )
            continue
        assert done.returncode == 0, shown
        text = plan.read_text(encoding="utf-8")
        assert not (NOT_HELD | {"\u202e"}) & set(text) - {"\n"}
        steps = load_plan(plan).plan.step
        assert steps[0].title == f"Backup {OSC52} now" and steps[0].instructions == notes
        assert steps[1].instructions == "=1+1"  # the apostrophe that marks text, taken off


def test_the_plan_written_from_a_sheet_escapes_c1_and_bidi(tmp_path: Path) -> None:
    """The same workbook, fixed (no formula): the TOML holds \\u009d and \\u202e escapes."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["ID", "Task", "Owner", "Duration", "Notes"])
    book.active.append([1, "Backup \x9d52;c;aGk=\x9c now", "Ann Lee", "30m", "\u202egnp.exe"])
    book.save(tmp_path / "runbook.xlsx")
    plan = tmp_path / "runbook.toml"
    done = cutover("import", "runbook.xlsx", "--out", str(plan), "--start", "2026-12-05T22:00",
                   cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = plan.read_text(encoding="utf-8")
    assert 'title = "Backup \\u009d52;c;aGk=\\u009c now"' in text
    assert 'instructions = "\\u202egnp.exe"' in text
    step = load_plan(plan).plan.step[0]
    assert (step.title, step.instructions) == ("Backup \x9d52;c;aGk=\x9c now", "\u202egnp.exe")


def test_a_traceback_that_escapes_a_command_is_printed_inert(tmp_path: Path) -> None:
    """The hostile pass's traceback quoted the raw title after `main` had restored the streams:
    the last net (`sys.excepthook`, set by `main`) prints any such traceback inert."""
    script = (
        "from cutover_tui.cli import main\n"
        f"main(['validate', {str(PLANS / 'online-store.toml')!r}])\n"
        "raise ValueError('title \\x1b]52;c;aGk=\\x07')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 1 and "\x1b" not in done.stderr
    assert done.stderr.rstrip().endswith("ValueError: title ␛]52;c;aGk=␇")

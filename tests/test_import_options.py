"""cutover import's options and the workbook's own lists: --map, --sheet, a People sheet,
UTF-16 CSV, an existing --out."""

from __future__ import annotations

import tomllib
from pathlib import Path

from openpyxl import Workbook

from cutover_tui.cli import main
from tests.import_support import run_import, write_csv


def _plan(path: Path) -> dict:
    return tomllib.loads(path.with_suffix(".toml").read_text(encoding="utf-8"))


def test_map_by_header_and_by_letter(tmp_path: Path, capsys) -> None:
    path = write_csv(
        tmp_path / "r.csv", "Job,Who,Mins,Junk\nStop the app,Ann,10,x\nBack up,Bob,20,y\n"
    )
    code, _, err = run_import(capsys, path, "--map", "Job=title", "--map", "B=owner",
                              "--map", "Mins=duration", "--map", "D=ignore")  # fmt: skip
    assert code == 0, err
    steps = _plan(path)["step"]
    assert [(s["title"], s["owner"], s["duration"]) for s in steps] == [
        ("Stop the app", "ann", "10m"),
        ("Back up", "bob", "20m"),
    ]
    assert all("instructions" not in s for s in steps)  # the ignored column is not kept


def test_map_chooses_between_two_owner_columns(tmp_path: Path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", "Task,Responsible,Executor,Duration\nA,Ann,Eve,10m\n")
    code, _, _ = run_import(capsys, path, "--map", "Executor=owner")
    assert code == 0
    step = _plan(path)["step"][0]
    assert step["owner"] == "eve" and step["instructions"] == "Responsible: Ann"


def test_a_unit_in_the_header(tmp_path: Path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", "Task,Owner,Est. (hours)\nA,Ann,1.5\nB,Bob,2\n")
    assert run_import(capsys, path)[0] == 0
    assert [s["duration"] for s in _plan(path)["step"]] == ["1h30m", "2h"]


def test_a_utf16_tab_separated_export(tmp_path: Path, capsys) -> None:
    text = "Task\tOwner\tDuration\nVérifier\tJosé\t10m\n"
    path = write_csv(tmp_path / "r.csv", "\ufeff" + text, "utf-16-le")
    code, out, _ = run_import(capsys, path)
    assert code == 0
    assert f"  note: {path}: read as UTF-16 (Excel's 'Unicode text')" in out
    assert _plan(path)["step"][0]["title"] == "Vérifier"


def test_sheet_choice_and_the_people_sheet(tmp_path: Path, capsys) -> None:
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["nothing to see"])
    runbook = book.create_sheet("Night")
    for row in (
        ["Task", "Owner", "Duration"],
        ["Stop", "Priya Shah", "10m"],
        ["Start", "Zed", "5m"],
    ):
        runbook.append(row)
    people = book.create_sheet("People")
    people.append(["key", "name", "user", "roles"])
    people.append(["dba", "Priya Shah", "priya", "operator, commander"])
    path = tmp_path / "r.xlsx"
    book.save(path)
    code, out, err = run_import(capsys, path, "--sheet", "night")
    assert code == 0, err
    plan = _plan(path)
    assert [s["owner"] for s in plan["step"]] == ["dba", "zed"]
    assert plan["people"]["dba"] == {
        "name": "Priya Shah",
        "user": "priya",
        "roles": ["operator", "commander"],
    }
    assert (
        f"  {path} [Night] row 3, B (Owner): warning: 'Zed' is not in the People sheet: added as "
        "people.zed, to be completed (login, roles, phone)"
    ) in out


def test_an_existing_out_is_not_overwritten(tmp_path: Path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", "Task,Owner,Duration\nA,Ann,10m\n")
    out = tmp_path / "plan.toml"
    out.write_text("mine", encoding="utf-8")
    assert main(["import", str(path), "--out", str(out)]) == 1
    assert (
        capsys.readouterr().err.strip()
        == f"{out}: already exists; choose another --out or add --force"
    )
    assert out.read_text(encoding="utf-8") == "mine"
    assert (
        main(["import", str(path), "--out", str(out), "--force", "--start", "2026-12-05T22:00"])
        == 0
    )
    assert out.read_text(encoding="utf-8").startswith("format = 1")


def test_a_bad_start_is_one_line(tmp_path: Path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", "Task,Owner,Duration\nA,Ann,10m\n")
    assert main(["import", str(path), "--out", str(tmp_path / "p.toml"), "--start", "friday"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("cutover import: ") and "--start like" in err[0]


def test_without_dates_or_start_the_window_starts_tomorrow_evening(tmp_path: Path, capsys) -> None:
    path = write_csv(tmp_path / "r.csv", "Task,Owner,Duration\nA,Ann,10m\n")
    code, out, _ = run_import(capsys, path, start=False)
    assert code == 0
    assert any(
        line.startswith("  note: the window starts ") and line.endswith(
            "22:00 (the sheet has no dates; set it with --start)")
        for line in out
    )  # fmt: skip


def test_problems_in_the_workbooks_own_sheets_are_located_there(tmp_path: Path, capsys) -> None:
    from cutover_tui.importers.export import write_xlsx
    from cutover_tui.plan import load_plan

    plans = Path(__file__).resolve().parent.parent / "plans"
    path = tmp_path / "store.xlsx"
    write_xlsx(load_plan(plans / "online-store.toml").plan, path)
    from openpyxl import load_workbook

    book = load_workbook(path)
    book["People"]["D3"] = "boss"  # carol's roles
    book["Plan"]["B4"] = "Mars/Olympus"  # the timezone
    book.save(path)
    code, _, err = run_import(capsys, path, start=False)
    assert code == 1
    assert (
        f"  {path} [People] row 3, D (roles): 'boss' is not allowed here; expected 'commander', "
        "'communicator', 'resolver', 'operator', 'approver' or 'watcher'"
    ) in err
    assert (
        f"  {path} [Plan] row 4, B (value): 'Mars/Olympus' is not an IANA time zone (like "
        "'Europe/London')"
    ) in err


def test_a_rollback_sheet_problem_is_located_in_it(tmp_path: Path, capsys) -> None:
    from openpyxl import load_workbook

    from cutover_tui.importers.export import write_xlsx
    from cutover_tui.plan import load_plan

    plans = Path(__file__).resolve().parent.parent / "plans"
    path = tmp_path / "store.xlsx"
    write_xlsx(load_plan(plans / "online-store.toml").plan, path)
    book = load_workbook(path)
    book["Rollback"]["F3"] = "ten minutes"  # the second rollback step's duration
    book["Rollback"]["G4"] = "restore-snapshto"  # the third one's predecessor
    book.save(path)
    code, _, err = run_import(capsys, path, start=False)
    assert code == 1
    assert (
        f"  {path} [Rollback] row 3, F (Duration): 'ten minutes' is not a duration; write it like "
        '"90m", "1.5h", "1:30" or "2 days" (did you mean \'10m\'?)'
    ) in err
    assert any(
        line.startswith(f"  {path} [Rollback] row 4, G (Predecessors): unknown predecessor "
                        "'restore-snapshto'")
        for line in err
    )  # fmt: skip
    assert "  Rollback rows that cannot be imported: 3, 4" in err


def test_a_runbooks_own_rollback_and_people_tabs(tmp_path: Path, capsys) -> None:
    book = Workbook()
    night = book.active
    night.title = "Cutover"
    for row in (["Task", "Owner", "Duration"], ["Stop", "Priya", "10m"], ["Migrate", "Omar", "1h"]):
        night.append(row)
    back = book.create_sheet("Rollback")
    for row in (["Step", "Who", "Time", "Depends on"], ["Restore DB", "Priya", "45m", None],
                ["Restart legacy app", "Sam", "15m", 2]):  # fmt: skip
        back.append(row)
    people = book.create_sheet("People")
    for row in (["Name", "Email", "Mobile"], ["Priya", "priya@example.com", "+44 1"]):
        people.append(row)
    path = tmp_path / "r.xlsx"
    book.save(path)
    code, out, err = run_import(capsys, path)
    assert code == 0, err
    rollback = _plan(path)["rollback"]
    assert rollback["owner"] == "priya" and rollback["rto"] == "1h"
    assert [(s["title"], s.get("after")) for s in rollback["step"]] == [
        ("Restore DB", None),
        ("Restart legacy app", ["restore-db"]),
    ]
    assert _plan(path)["people"]["priya"] == {"name": "Priya", "email": "priya@example.com"}
    said = "\n".join(out)
    assert (
        f"{path} [People] row 1, Mobile: warning: 'Mobile' is not a column of a people sheet: left out"
        in said
    )
    assert (
        f"{path} [Rollback]: warning: no 'rollback rto' row in the Plan sheet: the RTO is taken "
        "as the rollback's critical path, 1h; set the time the business can accept"
    ) in said
    assert f"{path} [Rollback] row 3, B (Who): warning: 'Sam' is not in the People sheet" in said
    assert f"{path} [Cutover] row 3, B (Owner): warning: 'Omar' is not in the People sheet" in said


def test_a_risk_register_tab_as_planners_keep_it(tmp_path: Path, capsys) -> None:
    book = Workbook()
    night = book.active
    for row in (["Task", "Owner", "Duration"], ["Stop", "Priya", "10m"]):
        night.append(row)
    risks = book.create_sheet("Risks")
    for row in (["ID", "Description", "Probability", "Impact", "Owner", "Mitigation plan", "Status"],
                ["slow-stop", "The stop hangs", "Medium", "High", "priya", "Kill -9 runbook", "Open"]):  # fmt: skip
        risks.append(row)
    path = tmp_path / "r.xlsx"
    book.save(path)
    code, _, err = run_import(capsys, path)
    assert code == 0, err
    assert _plan(path)["risk"] == [
        {
            "id": "slow-stop", "risk": "The stop hangs", "likelihood": "medium", "impact": "high",
            "owner": "priya", "mitigation": "Kill -9 runbook", "status": "open",
        }
    ]  # fmt: skip

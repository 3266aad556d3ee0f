"""A predecessor or gate criterion written as a task name that several rows share ("Smoke test"
after each phase) is refused in one located line naming the rows it could mean: it bound to the
last row with that name, silently (a wrong dependency, or a phantom cycle through it). A name
one row holds still binds; an ID or a row number picks one of the rows."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tests.import_support import run_import, write_csv, write_xlsx


def _errors(lines: list[str], path: Path) -> list[str]:
    return [
        line.strip() for line in lines if line.startswith(f"  {path}") and "warning" not in line
    ]


def _after(path: Path) -> dict[str, list[str]]:
    plan = tomllib.loads(path.with_suffix(".toml").read_text())
    return {step["title"] + f"@{i}": step.get("after", []) for i, step in enumerate(plan["step"])}


def test_a_shared_task_name_in_a_csv_is_refused_with_the_rows_it_could_mean(
    tmp_path: Path, capsys
) -> None:
    head = "Task,Owner,Duration,Predecessors\n"
    rows = "Smoke test,Ann,10m,\nDeploy,Ann,10m,{deploy}\nSmoke test,Ann,10m,Deploy\n"
    path = write_csv(tmp_path / "r.csv", head + rows.format(deploy="smoke test"))
    code, out, err = run_import(capsys, path)
    assert code == 1, out
    assert _errors(err, path) == [
        f"{path} row 3, D (Predecessors): 'smoke test' is the task name of rows 2 and 4: write "
        "the row number of the one meant"
    ]  # not 'dependency cycle through rows 3 → 4 → 3' (it meant the last: row 4)
    path = write_csv(tmp_path / "r.csv", head + rows.format(deploy="2"))
    code, out, err = run_import(capsys, path)
    assert code == 0, err
    assert _after(path) == {
        "Smoke test@0": [],
        "Deploy@1": ["smoke-test"],
        "Smoke test@2": ["deploy"],
    }


def test_a_shared_task_name_in_a_workbook_is_refused_by_sheet_row_and_column(
    tmp_path: Path, capsys
) -> None:
    header = ["ID", "Task", "Type", "Owner", "Duration", "Predecessors", "Criteria"]
    rows = [
        header,
        ["pre", "Health check", "task", "Ann", "10m", None, None],
        ["go", "Go/no-go", "gate", "Ann", "5m", "pre", "Health check"],
        ["post", "Health check", "task", "Ann", "10m", "Go/no-go", None],  # one row's: fine
        ["end", "Done", "task", "Ann", "5m", "health check", None],
    ]
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    code, out, err = run_import(capsys, path)
    assert code == 1, out
    could = "'Health check' is the task name of rows 2 (ID 'pre') and 4 (ID 'post'): write the ID"
    assert _errors(err, path) == [
        f"{path} [Runbook] row 3, G (Criteria): {could} of the one meant",
        f"{path} [Runbook] row 5, F (Predecessors): {could.replace('H', 'h', 1)} of the one meant",
    ]
    rows[2][6], rows[4][5] = "pre", "post"
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    code, out, err = run_import(capsys, path)
    assert code == 0, err
    steps = {s["id"]: s for s in tomllib.loads(path.with_suffix(".toml").read_text())["step"]}
    assert (steps["go"]["after"], steps["go"]["criteria"]) == (["pre"], ["pre"])
    assert (steps["post"]["after"], steps["end"]["after"]) == (["go"], ["post"])


def test_a_shared_name_of_rows_without_an_id_cell_says_how_to_name_each(
    tmp_path: Path, capsys
) -> None:
    """In a sheet with an ID column a row number names nothing, so rows whose ID cell is empty
    are named by their step id, which a reference may use: "write the ID of the one meant" of
    rows that have none could not be done."""
    head = "ID,Task,Owner,Duration,Predecessors\n"
    rows = ",Smoke test,Ann,10m,\n,Deploy,Ann,10m,{deploy}\n7,Smoke test,Ann,10m,Deploy\n"
    path = write_csv(tmp_path / "r.csv", head + rows.format(deploy="Smoke test"))
    code, out, err = run_import(capsys, path)
    assert code == 1, out
    assert _errors(err, path) == [
        f"{path} row 3, E (Predecessors): 'Smoke test' is the task name of rows 2 (step "
        "'smoke-test') and 4 (ID '7'): write the ID or step id of the one meant"
    ]
    path = write_csv(tmp_path / "r.csv", head + rows.format(deploy="smoke-test"))  # as told
    code, out, err = run_import(capsys, path)
    assert code == 0, err
    assert _after(path)["Deploy@1"] == ["smoke-test"]

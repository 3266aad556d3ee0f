"""The two bundled runbooks (plans/import/) import into plans that validate, as the README shows."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

import pytest

from cutover_tui.plan import load_plan
from tests.import_support import run_import

IMPORT = Path(__file__).resolve().parent.parent / "plans" / "import"


def _imported(
    tmp_path: Path, capsys, name: str, *args: str, start: bool = True
) -> tuple[list[str], dict]:
    source = tmp_path / name
    source.write_bytes((IMPORT / name).read_bytes())
    code, out, err = run_import(capsys, source, *args, start=start)
    assert code == 0, err
    target = source.with_suffix(".toml")
    load_plan(target)  # validates, or raises naming every problem
    return out, tomllib.loads(target.read_text(encoding="utf-8"))


def test_the_datacentre_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, plan = _imported(tmp_path, capsys, "datacentre-move.xlsx", "--timezone", "Europe/London")
    steps = {s["title"]: s for s in plan["step"]}
    assert len(steps) == 19 and len(plan["phase"]) == 4
    assert plan["plan"]["title"] == "Data centre move: Slough to Reading - cutover runbook"
    # durations in mixed units
    assert steps["Confirm change freeze with CAB"]["duration"] == "15m"  # a plain number
    assert steps["Take final database backups"]["duration"] == "1h30m"  # "1.5h"
    assert steps["De-rack and load the truck"]["duration"] == "1h30m"  # 1:30 as an Excel time
    assert steps["Transport to the new site"]["duration"] == "2h"  # "2 hrs"
    assert steps["Database integrity check"]["duration"] == "45m"  # a formula's saved value
    assert steps["Service restored"]["kind"] == "milestone"  # "0 min"
    # predecessors by sheet row number
    assert steps["Backups verified"]["after"] == ["take-final-database-backups"]
    assert steps["Service restored"]["after"] == [
        "release-batch-scheduler",
        "tell-the-service-desk-we-are-up",
    ]
    assert steps["Go / no-go"]["kind"] == "gate"
    assert steps["Backups verified"]["verify"] == "Restore test of one tablespace passes"
    assert steps["Take final database backups"]["instructions"] == (
        "RMAN level 0 to the backup array\nBoard comments: Biggest risk"
    )
    assert "  note: columns kept as step notes: 'Board comments'" in out
    assert "  note: 1 formula cell(s) read as the values Excel saved with them" in out
    assert any(
        "row 29, F (Instructions): warning: only Instructions and no task name" in line
        for line in out
    )


def test_the_ms_project_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, plan = _imported(
        tmp_path, capsys, "payroll-msproject.csv", "--timezone", "Europe/London", start=False
    )
    steps = {s["id"]: s for s in plan["step"]}
    assert [p["title"] for p in plan["phase"]] == ["Pre-cutover", "Migration", "Post-cutover"]
    assert "1" not in steps and "6" not in steps  # summary tasks are phases, not steps
    assert steps["5"]["after"] == ["2"]  # 3SS: starts with row 3, so waits for what 3 waits for
    assert steps["7"]["after"] == ["wait-15m-before-7"]  # 5FS+15 mins
    assert steps["wait-15m-before-7"] | {} == {
        "id": "wait-15m-before-7",
        "kind": "milestone",
        "title": "Wait 15m after 'Export employee master' (lag from the sheet)",
        "owner": "kwame-boateng",
        "duration": "15m",
        "after": ["5"],
        "phase": "migration",
    }
    assert steps["8"]["after"] == ["7", "4"]
    assert steps["4"]["owner"] == "ivan-petrov" and steps["4"]["consulted"] == ["grace-mensah"]
    assert steps["10"]["kind"] == "milestone"  # "0 days"
    assert steps["3"]["duration"] == "2h" and steps["7"]["duration"] == "1h30m"
    assert str(steps["2"]["not_before"]) == "2026-12-04 18:00:00"
    assert "  note: 3 summary task(s) (by outline level) read as phases" in out
    assert str(plan["window"]["start"]) == "2026-12-04 18:00:00"  # the first planned start


def test_a_start_after_the_sheets_dates_is_located(tmp_path: Path, capsys) -> None:
    source = tmp_path / "payroll-msproject.csv"
    source.write_bytes((IMPORT / source.name).read_bytes())
    code, _, err = run_import(capsys, source, "--timezone", "Europe/London")
    assert code == 1
    assert (
        f"  {source} row 3, D (Start): fixed start 2026-12-04 18:00 GMT of '2' is outside the "
        "window 2026-12-05 22:00 to 2026-12-06 06:30"
    ) in err


def test_the_committed_workbook_is_what_its_script_makes(tmp_path: Path, capsys) -> None:
    spec = importlib.util.spec_from_file_location("make", IMPORT / "make_datacentre_xlsx.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(tmp_path / "datacentre-move.xlsx")
    made = tmp_path / "datacentre-move.xlsx"
    run_import(capsys, made)
    fresh = made.with_suffix(".toml").read_text()
    (tmp_path / "committed").mkdir()
    committed = tmp_path / "committed" / "datacentre-move.xlsx"
    committed.write_bytes((IMPORT / "datacentre-move.xlsx").read_bytes())
    run_import(capsys, committed)
    assert committed.with_suffix(".toml").read_text() == fresh


def test_the_importers_never_import_textual() -> None:
    import subprocess
    import sys

    code = (
        "import sys, cutover_tui.importers, cutover_tui.importers.runbook; "
        "assert not any(m.startswith('textual') for m in sys.modules), 'textual imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

"""`cutover validate`, `cutover schema` and `cutover new`, run as the installed command runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
VALID = HERE / "plans" / "valid-minimal.toml"
ROOT = HERE.parent
BROKEN = HERE / "plans" / "broken"


def cutover(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def test_validate_a_valid_plan_prints_the_summary() -> None:
    result = cutover("validate", str(VALID))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert out.startswith(f"{VALID}: valid\n")
    assert "Minimal cutover (minimal), hard launch" in out
    assert "window     Fri 27 Nov 22:00 GMT → Sat 28 Nov 06:00 GMT (8h00m)" in out
    assert "steps      5 in 2 phases (1 gate, 1 comms); 1 readiness items, 1 triggers" in out
    assert (
        "critical   2h15m over 5 steps: freeze → backup → go-no-go → switch-over → announce" in out
    )
    assert "buffer     5h45m left; meets the 25% rule (2h00m)" in out
    assert "RTO 1h00m; last safe rollback start Sat 28 Nov 05:15 GMT" in out
    assert "warning" not in out


def test_validate_quiet_prints_nothing_for_a_clean_plan() -> None:
    result = cutover("validate", "-q", str(VALID))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_validate_a_broken_plan_exits_1_naming_file_and_line() -> None:
    path = BROKEN / "13-unknown-step-in-after.toml"
    result = cutover("validate", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == f"{path}: 1 error(s)"
    assert lines[1] == (
        f"  {path}:53: step[1].after[0]: unknown step 'freze' (did you mean 'freeze'?)"
    )


def test_validate_a_toml_syntax_error_exits_1() -> None:
    path = BROKEN / "01-toml-syntax.toml"
    result = cutover("validate", str(path))
    assert result.returncode == 1
    assert f"{path}:51: TOML syntax:" in result.stderr


@pytest.mark.parametrize("name", ["missing.toml", "a-directory"])
def test_validate_a_file_that_cannot_be_read_exits_1_cleanly(tmp_path: Path, name: str) -> None:
    (tmp_path / "a-directory").mkdir()
    result = cutover("validate", name, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{name}: 1 error(s)\n  {name}: cannot read the plan: ")


def test_validate_a_file_that_is_not_utf8_exits_1_cleanly(tmp_path: Path) -> None:
    (tmp_path / "latin1.toml").write_bytes('title = "Caf\xe9"\n'.encode("latin-1"))
    result = cutover("validate", "latin1.toml", cwd=tmp_path)
    assert result.returncode == 1
    assert "cannot read the plan" in result.stderr


def test_validate_several_plans_reports_each_and_fails_if_any_fails() -> None:
    broken = BROKEN / "15-unknown-owner.toml"
    result = cutover("validate", str(VALID), str(broken))
    assert result.returncode == 1
    assert f"{VALID}: valid" in result.stdout
    assert f"{broken}:73: step[3].owner:" in result.stderr


def test_no_command_is_a_usage_error_not_a_traceback() -> None:
    result = cutover()
    assert result.returncode == 2
    assert "usage: cutover" in result.stderr


def test_schema_prints_the_json_schema() -> None:
    result = cutover("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    properties = schema["properties"]
    assert {"format", "plan", "window", "people", "step", "rollback", "trigger"} <= set(properties)
    assert schema["additionalProperties"] is False
    assert "step" in schema["required"]
    assert {"Task", "Gate", "Comms", "Window"} <= set(schema["$defs"])


def test_new_writes_a_starter_that_validates(tmp_path: Path) -> None:
    target = tmp_path / "Weekend Cutover.toml"
    result = cutover("new", str(target))
    assert result.returncode == 0, result.stderr
    assert target.exists()
    assert f"cutover validate {target}" in result.stdout
    text = target.read_text(encoding="utf-8")
    assert 'id = "weekend-cutover"' in text
    checked = cutover("validate", str(target))
    assert checked.returncode == 0, checked.stderr
    assert "warning" not in checked.stdout
    assert "last safe rollback start" in checked.stdout


def test_the_starter_uses_array_of_table_headers(tmp_path: Path) -> None:
    target = tmp_path / "plan.toml"
    assert cutover("new", str(target), "--id", "cloud-move").returncode == 0
    lines = target.read_text(encoding="utf-8").splitlines()
    assert 'id = "cloud-move"' in lines
    assert lines.count("[[step]]") == 7
    assert lines.count("[[rollback.step]]") == 2
    assert {"[[phase]]", "[[readiness]]", "[[trigger]]", "[[audience]]", "[[template]]"} <= set(
        lines
    )
    assert "[step.estimate]" in lines
    assert not any(line.startswith("step = [") for line in lines)
    assert lines[0].startswith("# ")  # commented for the author


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "plan.toml"
    target.write_text("mine\n", encoding="utf-8")
    result = cutover("new", str(target))
    assert result.returncode == 1
    assert "already exists" in result.stderr
    assert target.read_text(encoding="utf-8") == "mine\n"


def test_summary_counts_read_as_english_and_long_windows_keep_minutes() -> None:
    # Regressions: "8 commss", and 35h35m printed as "1d11h".
    out = cutover("validate", "plans/erp-datacentre.toml", cwd=ROOT).stdout
    assert "8 comms);" in out and "commss" not in out
    assert "critical   35h35m" in out
    assert "(48h00m)" in out


def test_validate_prints_the_forecast_of_the_plan_as_written() -> None:
    out = cutover("validate", str(VALID)).stdout
    line = next(line for line in out.splitlines() if line.strip().startswith("forecast"))
    assert "P50 " in line and "P80 " in line and "inside the window" in line
    assert "before the buffer line" in line

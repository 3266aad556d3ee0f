"""Warnings: the plan loads, and what is risky about it is listed with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from cutover_tui.cli import main
from cutover_tui.plan import LoadedPlan, parse_plan
from cutover_tui.plan.errors import format_loc

VALID = Path(__file__).resolve().parent / "plans" / "valid-minimal.toml"


def edit(*pairs: tuple[str, str]) -> str:
    text = VALID.read_text(encoding="utf-8")
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def line_with(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def load(text: str) -> LoadedPlan:
    loaded = parse_plan(text, "plan.toml")
    assert all(w.severity == "warning" for w in loaded.warnings)
    return loaded


def test_the_base_plan_has_no_warnings() -> None:
    assert load(edit()).warnings == []


def test_critical_path_longer_than_the_window() -> None:
    # 15m + 45m + 10m + 8h + 5m = 9h15m in an 8h window.
    text = edit(('duration = "1h"', 'duration = "8h"'))
    (warning,) = load(text).warnings
    assert format_loc(warning.loc) == "window"
    assert warning.line == line_with(text, "[window]")
    assert "the critical path takes 9h15m: 1h15m longer than the window (8h00m)" in warning.message


def test_critical_path_leaving_less_than_the_buffer() -> None:
    # 6h15m in an 8h window leaves 1h45m; the 25% rule wants 2h.
    text = edit(('duration = "1h"', 'duration = "5h"'))
    (warning,) = load(text).warnings
    assert format_loc(warning.loc) == "window.buffer"
    assert warning.line == line_with(text, 'buffer = "25%"')
    assert "leaving 1h45m of the window free" in warning.message
    assert "wants 2h00m (25%)" in warning.message


def test_critical_path_exactly_at_the_buffer_is_fine() -> None:
    text = edit(('duration = "1h"', 'duration = "4h45m"'))  # 6h exactly: 2h left
    assert load(text).warnings == []


def test_rollback_critical_path_longer_than_rto() -> None:
    text = edit(('rto = "1h"', 'rto = "40m"'))  # the rollback takes 30m + 15m
    (warning,) = load(text).warnings
    assert format_loc(warning.loc) == "rollback.rto"
    assert warning.line == line_with(text, 'rto = "40m"')
    assert "rollback's critical path takes 45m, longer than its RTO of 40m" in warning.message


def test_gate_with_no_approvers() -> None:
    text = edit(('approvers = ["lead", "sponsor"]\n', ""))
    (warning,) = load(text).warnings
    assert format_loc(warning.loc) == "step[2].approvers"
    assert warning.line == line_with(text, 'id = "go-no-go"') - 1  # the step's header
    assert "gate 'go-no-go' has no approvers" in warning.message


def test_nobody_is_commander() -> None:
    text = edit(('roles = ["commander"]', 'roles = ["operator"]'))
    (warning,) = load(text).warnings
    assert format_loc(warning.loc) == "people"
    assert "nobody has the commander role" in warning.message


def test_several_warnings_are_all_listed() -> None:
    text = edit(
        ('duration = "1h"', 'duration = "8h"'),
        ('rto = "1h"', 'rto = "40m"'),
        ('approvers = ["lead", "sponsor"]\n', ""),
    )
    warnings = load(text).warnings
    assert sorted(format_loc(w.loc) for w in warnings) == [
        "rollback.rto",
        "step[2].approvers",
        "window",
    ]


def test_warnings_do_not_hide_errors_and_errors_list_warnings_last() -> None:
    from cutover_tui.plan import PlanError

    text = edit(
        ('rto = "1h"', 'rto = "40m"'),
        ('owner = "ops"\nduration = "1h"', 'owner = "x"\nduration = "1h"'),
    )
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "plan.toml")
    severities = [p.severity for p in caught.value.problems]
    assert severities == ["error", "warning"]


def test_validate_prints_warnings_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "risky.toml"
    path.write_text(edit(('duration = "1h"', 'duration = "8h"'), ('rto = "1h"', 'rto = "40m"')))
    assert main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert f"{path}: valid" in out
    assert "MISSES the 25% rule" in out
    assert out.count("warning: line") == 2
    assert "longer than the window" in out
    assert "longer than its RTO" in out


def test_validate_quiet_prints_only_the_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "risky.toml"
    path.write_text(edit(('rto = "1h"', 'rto = "40m"')))
    assert main(["validate", "--quiet", str(path)]) == 0
    out, _ = capsys.readouterr()
    assert out.strip().startswith(f"{path}:")
    assert "warning: rollback.rto:" in out
    assert ": valid" not in out

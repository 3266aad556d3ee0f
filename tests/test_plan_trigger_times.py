"""A not-done-by time outside the window is said by `cutover validate` as a warning at its
line, and a run sealed with such a plan still opens (user pass, 2026-12-02: a plan whose
window moved kept its triggers' old dates; made an error first, it locked such runs out)."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from cutover_tui.cli import main
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan

VALID = Path(__file__).resolve().parent / "plans" / "valid-minimal.toml"
OLD_ALERT = """
[[trigger]]
id = "switch-late"
step = "switch-over"
condition = "not-done-by"
at = 2026-11-20T01:15:00
action = "alert"
"""


def moved_plan() -> str:
    text = VALID.read_text(encoding="utf-8")
    return text.replace("[[audience]]", OLD_ALERT + "\n[[audience]]", 1)


def test_a_trigger_time_outside_the_window_is_a_located_warning(tmp_path: Path, capsys) -> None:
    loaded = parse_plan(moved_plan(), name="moved.toml")
    [warning] = [w for w in loaded.warnings if "switch-late" in w.message]
    line = moved_plan().splitlines().index("at = 2026-11-20T01:15:00") + 1
    assert warning.line == line
    assert warning.message == (
        "'switch-late' is due at 2026-11-20 01:15 GMT, outside the window 2026-11-27 22:00 "
        "to 2026-11-28 06:00: move it with the window"
    )
    path = tmp_path / "moved.toml"
    path.write_text(moved_plan(), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert f"warning: line {line}: 'switch-late' is due at" in capsys.readouterr().out


def test_a_run_sealed_with_such_a_plan_still_opens(tmp_path: Path) -> None:
    loaded = parse_plan(moved_plan())
    journal = Journal.create(tmp_path / "runs", loaded, rehearsal=True, created_by=os_login())
    assert Journal(journal.path).plan.trigger[-1].id == "switch-late"


def test_cutover_start_says_the_warning(tmp_path: Path, capsys) -> None:
    # Review, 2026-12-02: the warning was said by validate only; start said nothing and the
    # alert fired at once.
    path = tmp_path / "moved.toml"
    path.write_text(moved_plan())
    runs = tmp_path / "runs"
    assert main(["start", str(path), "--rehearsal", "--runs", str(runs), "--no-checks"]) == 0
    err = capsys.readouterr().err
    assert "warning: trigger[1].at: 'switch-late' is due at 2026-11-20 01:15 GMT" in err, err


def test_a_trigger_time_outside_the_window_is_said_with_its_date() -> None:
    """Noticed (2026-12-02): once the run started, the moved window's old trigger fired as
    "was not done by 01:15", which reads as tonight's 01:15."""
    from datetime import datetime

    from cutover_tui.engine.events import RunStarted
    from cutover_tui.engine.state import fold
    from cutover_tui.engine.triggers import Hit, condition

    plan = parse_plan(moved_plan()).plan
    opened = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)
    state = fold(plan, [RunStarted(actor="alice", at=opened, plan_id=plan.plan.id, key="r")])
    [old] = [t for t in plan.trigger if t.id == "switch-late"]
    hit = condition(state, old, opened)
    assert isinstance(hit, Hit)
    assert hit.how == "'switch-over' was not done by Fri 20 Nov 01:15"
    assert state.when_dated(datetime(2026, 11, 28, 1, 15, tzinfo=UTC)) == "01:15"
    assert state.when_dated(datetime(2026, 11, 27, 23, 0, tzinfo=UTC)) == "23:00"

"""`cutover do RUN no-go GATE`, then `cutover status`: NO GO, end to end through the real CLI.

The hostile user's repro (2026-12-02) on a real run file: a rehearsal brought to its gate by
`cutover do`, a no-go recorded, then `cutover status RUN` (text and --json) said ON TRACK with
87% in window. Now both say NO GO and name the gate, with no odds.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from cutover_tui.cli import main
from cutover_tui.engine.events import RunStarted
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from tests.test_cli_run import LAST_NIGHT, last_night
from tests.warroom_support import PLAN_PATH


def warroom_plan_last_night() -> str:
    """tests/plans/warroom.toml in UTC, its window from last night 22:00, its commander (and
    an approver of its gate) the OS user running the tests."""
    text = PLAN_PATH.read_text()
    end = LAST_NIGHT + timedelta(hours=4)
    swaps = {
        'timezone = "Europe/London"': 'timezone = "UTC"',
        "start = 2026-11-27T22:00:00": f"start = {LAST_NIGHT:%Y-%m-%dT%H:%M:%S}",
        "end = 2026-11-28T02:00:00": f"end = {end:%Y-%m-%dT%H:%M:%S}",
        'user = "alice"': f'user = "{os_login()}"',
    }
    for old, new in swaps.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


TO_THE_CHECKPOINT = [
    ("start", "freeze", 0),
    ("complete", "freeze", 14),
    ("start", "backup", 14),
    ("complete", "backup", 40),
    ("start", "backup-ok", 40),
]


def rehearsal_by_cli(tmp_path: Path, moves: list[tuple]) -> tuple[str, Path]:
    """A rehearsal of the warroom plan (its commander this user) started last night, then
    each (action, step, minute, *words) of `moves` through the real `cutover do --at`."""
    runs = tmp_path / "runs"
    loaded = parse_plan(warroom_plan_last_night(), name="warroom.toml")
    journal = Journal.create(runs, loaded, rehearsal=True, created_by=os_login())
    journal.append(
        RunStarted(actor="alice", at=LAST_NIGHT, plan_id="warroom", mode="rehearsal", key="go")
    )
    journal.close()
    run = journal.run_id
    for action, step, minute, *more in moves:
        args = ["do", run, action, step, "--at", last_night(minute), *more]
        assert main([*args, "--runs", str(runs)]) == 0, args
    return run, runs


def rehearsal_at_the_gate(tmp_path: Path) -> tuple[str, Path]:
    passed = ("pass", "backup-ok", 44, "--evidence", "row counts equal")
    return rehearsal_by_cli(tmp_path, [*TO_THE_CHECKPOINT, passed])


def test_status_after_a_no_go_says_no_go_and_names_the_gate(tmp_path: Path, capsys) -> None:
    run, runs = rehearsal_at_the_gate(tmp_path)
    r = ["--runs", str(runs)]
    no_go = ["do", run, "no-go", "go", "--reason", "backup set incomplete"]
    assert main([*no_go, "--at", last_night(46), *r]) == 0
    capsys.readouterr()

    assert main(["status", run, "--json", "--at", last_night(50), *r]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["mode"] == "rehearsal" and report["phase"] == "running"
    verdict = report["verdict"]
    assert report["level"] == verdict["level"] == "no-go" and verdict["word"] == "NO GO"
    assert verdict["no_go"] == "go" and verdict["decided_by"] == "no-go"
    assert verdict["pace"] == "late"
    first = verdict["rules"][0]["text"]
    assert first.startswith("NO GO at Go / no-go · Alice Ng (alice) at 22:46: backup set")
    assert first.endswith(": roll back or end the run")
    assert verdict["finish"]["p_in_window"] is None and verdict["finish"]["likely_p50"] is None
    assert verdict["finish"]["basis"] == "no-go", verdict["finish"]  # was "plan", of no plan
    assert verdict["finish"]["withheld"] == "none while the NO GO stands", verdict["finish"]
    assert "odds" not in [rule["rule"] for rule in verdict["rules"]]

    assert main(["status", run, "--at", last_night(50), *r]) == 0
    out = capsys.readouterr().out
    assert ": NO GO · go" in out and "ON TRACK" not in out and "in window" not in out, out
    assert "finish: none while the NO GO stands" in out, out


def test_a_go_after_the_no_go_is_refused_and_the_verdict_holds(tmp_path: Path, capsys) -> None:
    run, runs = rehearsal_at_the_gate(tmp_path)
    r = ["--runs", str(runs)]
    assert main(["do", run, "no-go", "go", "--reason", "x", "--at", last_night(46), *r]) == 0
    assert main(["do", run, "go", "go", "--at", last_night(47), *r]) != 0
    said = capsys.readouterr()
    assert "already decided: no-go" in said.err + said.out
    assert main(["status", run, "--json", "--at", last_night(48), *r]) == 0
    assert json.loads(capsys.readouterr().out)["level"] == "no-go"


def test_rolling_back_after_the_no_go_says_rolling_back(tmp_path: Path, capsys) -> None:
    run, runs = rehearsal_at_the_gate(tmp_path)
    r = ["--runs", str(runs)]
    assert main(["do", run, "no-go", "go", "--reason", "x", "--at", last_night(46), *r]) == 0
    back = ["do", run, "rollback", "--reason", "no go at the gate", "--at", last_night(48)]
    assert main([*back, *r]) == 0
    capsys.readouterr()
    assert main(["status", run, "--json", "--at", last_night(50), *r]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["level"] == "rolling-back" and report["verdict"]["no_go"] is None

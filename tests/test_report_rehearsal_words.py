"""The review's opening paragraph of a rehearsal says what kind of night it was, and claims
no finish for a plan that was not run through.

Regression (user pass as a rehearsal lead): the review of a `cutover simulate` night began
"Rehearsal run ..." with nothing to say its times were drawn; one of a rehearsal aborted with 4
of 39 steps done said "The plan finished 5h39m earlier than planned, or on time", and "1
decisions were recorded"; an excluded rehearsal's review did not say it was left out.
Real run files, the real CLI (its main).
"""

from __future__ import annotations

from pathlib import Path

from cutover_tui.cli import main
from cutover_tui.journal.run_lookup import list_runs
from tests.test_rehearse_gate_phases import plan_text


def paragraph(capsys, tmp_path: Path, run_id: str) -> str:
    out = tmp_path / "review"
    capsys.readouterr()
    assert main(["report", run_id, "--out", str(out), "--md"]) == 0
    text = (out / f"review-{run_id}.md").read_text()
    start = text.index("## The night in one paragraph")
    return text[start:].split("\n\n")[1]


def test_an_aborted_excluded_rehearsal(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CUTOVER_RUNS", str(tmp_path / "runs"))
    plan = tmp_path / "gp.toml"
    plan.write_text(plan_text())
    capsys.readouterr()
    assert main(["start", str(plan), "--rehearsal"]) == 0
    run_id = capsys.readouterr().out.strip()
    for args in (
        ["start", "a"],
        ["complete", "a"],
        ["end", "--outcome", "aborted", "--reason", "fire alarm"],
        ["exclude-rehearsal", "--reason", "a fire drill, not representative"],
    ):
        assert main(["do", run_id, *args]) == 0
    said = paragraph(capsys, tmp_path, run_id)
    assert said.startswith(f"Rehearsal run {run_id} of ")
    assert "It ended aborted at " in said and "1 of 3 steps were done." in said
    assert "finished" not in said  # the plan was not run through: no finish to compare
    assert "It was left out of the rehearsal history: a fire drill, not representative." in said
    assert "1 decision was recorded (0 at gates)." in said  # the end is the one decision


def test_a_simulated_night_says_so(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CUTOVER_RUNS", str(tmp_path / "runs"))
    plan = tmp_path / "gp.toml"
    plan.write_text(plan_text())
    assert main(["simulate", str(plan), "--headless", "--speed", "100000", "--seed", "1"]) == 0
    [info] = list_runs(tmp_path / "runs")
    said = paragraph(capsys, tmp_path, info.run_id)
    assert said.startswith(f"Simulated rehearsal {info.run_id} of ")
    assert "It played itself (cutover simulate): its times were drawn, not measured." in said
    assert "The plan finished " in said  # run through: its finish stands

"""`cutover rehearsals` says when each rehearsal was held and how it ended, and says so in
one line when nothing was timed.

Regression: the list named each rehearsal by its run id alone, so an aborted one was a column
of dashes nobody could explain; a rehearsal aborted before any step was done printed a table
of 40 dashed rows and an empty chart. Real run files, the real CLI (its main).
"""

from __future__ import annotations

from pathlib import Path

from cutover_tui.cli import main
from tests.fitted_text import joined
from tests.test_rehearse_gate_phases import plan_text, rehearse


def said(capsys, *args: str) -> str:
    capsys.readouterr()
    assert main(list(args)) == 0
    return capsys.readouterr().out


def test_each_rehearsal_says_when_and_how_it_ended(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CUTOVER_RUNS", str(tmp_path / "runs"))
    plan = tmp_path / "gp.toml"
    plan.write_text(plan_text())
    done = rehearse(tmp_path / "runs", plan)  # Fri 27 Nov 22:00 UTC, completed
    aborted = said(capsys, "start", str(plan), "--rehearsal").strip()
    said(capsys, "do", aborted, "end", "--outcome", "aborted", "--reason", "fire alarm")

    out = joined(said(capsys, "rehearsals", str(plan)))  # each R line within 80 columns
    listed = {line.split()[1]: line for line in out.splitlines() if line.startswith("  R")}
    r1, r2 = listed[done], listed[aborted]  # one id may be the other's with "-2" after it
    assert r1.split(done)[1].strip() == "Fri 27 Nov 22:00 UTC; completed, 3/3 steps done"
    assert "; aborted at " in r2 and r2.endswith(", 0/3 steps done")


def test_nothing_timed_is_one_line(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CUTOVER_RUNS", str(tmp_path / "runs"))
    plan = tmp_path / "gp.toml"
    plan.write_text(plan_text())
    run_id = said(capsys, "start", str(plan), "--rehearsal").strip()
    said(capsys, "do", run_id, "end", "--outcome", "aborted", "--reason", "fire alarm")

    out = said(capsys, "rehearsals", str(plan))
    assert "no step of these rehearsals was timed yet: nothing to compare" in out
    assert "budget" not in out and "minutes per phase" not in out  # no tables, no chart


def test_a_rehearsal_ended_days_after_it_began_dates_its_end(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """Aborted three days after it began (left running over a weekend): its end is dated, as
    every other time off the run's night is (engine/times.stamp); '; aborted at 09:30' read as
    the same night's."""
    from datetime import timedelta

    from cutover_tui.engine.events import RunEnded, RunStarted
    from cutover_tui.journal.identity import os_login
    from cutover_tui.journal.store import Journal
    from cutover_tui.plan import parse_plan
    from tests.test_rehearse_gate_phases import T0

    monkeypatch.setenv("CUTOVER_RUNS", str(tmp_path / "runs"))
    plan = tmp_path / "gp.toml"
    plan.write_text(plan_text())
    loaded = parse_plan(plan.read_text(), name=str(plan))
    journal = Journal.create(tmp_path / "runs", loaded, rehearsal=True, created_by=os_login())
    ended = T0 + timedelta(days=3, hours=11, minutes=30)
    for event in (
        RunStarted(actor="lead", at=T0, plan_id="gp", mode="rehearsal", key="go"),
        RunEnded(actor="lead", at=ended, outcome="aborted", reason="left running", key="end"),
    ):
        journal.append(event, now=lambda e=event: e.at)
    out = joined(said(capsys, "rehearsals", str(plan)))
    [line] = [line for line in out.splitlines() if journal.run_id in line]
    assert line.endswith(f"; aborted at {ended:%Y-%m-%d} 09:30, 0/3 steps done"), line

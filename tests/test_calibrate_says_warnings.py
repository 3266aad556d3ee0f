"""`cutover calibrate` says what `cutover validate` would warn of the plan it wrote.

Regression: the rehearsals lengthened the online store's critical path to 6h02m, past its 25 %
buffer rule; calibrate wrote the plan and said nothing of it, and the next rehearsal of the
calibrated plan opened in the war room AT RISK. Real run files, the real CLI (its main).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from cutover_tui.cli import main
from cutover_tui.engine.events import (
    GateDecided,
    RunEnded,
    RunStarted,
    StepCompleted,
    StepStarted,
)
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from tests.test_rehearse_gate_phases import T0, plan_text


def slow_rehearsal(runs: Path, plan: Path, a: int, b: int) -> None:
    """`a` and `b` ran `a` and `b` minutes (budgets 60m and 20m), the gate met in 10."""
    loaded = parse_plan(plan.read_text(), name=str(plan))
    journal = Journal.create(runs, loaded, rehearsal=True, created_by=os_login())
    at = lambda minutes: T0 + timedelta(minutes=minutes)  # noqa: E731
    key = lambda: uuid.uuid4().hex  # noqa: E731
    go = a + 10
    for event in [
        RunStarted(actor="lead", at=at(0), plan_id="gp", mode="rehearsal", key=key()),
        StepStarted(actor="lead", at=at(0), step="a", key=key()),
        StepCompleted(actor="lead", at=at(a), step="a", key=key()),
        GateDecided(actor="lead", at=at(go), step="g", approver="lead", decision="go", key=key()),
        StepStarted(actor="lead", at=at(go), step="b", key=key()),
        StepCompleted(actor="lead", at=at(go + b), step="b", key=key()),
        RunEnded(actor="lead", at=at(go + b), outcome="completed", key=key()),
    ]:
        journal.append(event, now=lambda e=event: e.at + timedelta(minutes=2))


def test_calibrate_warns_when_the_calibrated_plan_breaks_the_buffer_rule(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("CUTOVER_RUNS", str(tmp_path / "runs"))
    plan = tmp_path / "gp.toml"
    # 1h30m of critical path in 4h: 2h30m free, the 60 % rule wants 2h24m. As written, valid.
    plan.write_text(plan_text().replace("[people.lead]", 'buffer = "60%"\n[people.lead]'))
    for _ in range(2):
        slow_rehearsal(tmp_path / "runs", plan, a=100, b=40)
    out = tmp_path / "cal.toml"
    capsys.readouterr()
    assert main(["calibrate", str(plan), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert out.exists()
    [warning] = [line for line in err.splitlines() if "window.buffer" in line]
    assert warning.startswith(f"cutover calibrate: {out}:")
    assert "the buffer rule wants 2h24m (60%)" in warning


def test_the_legend_explains_the_mark_of_a_new_budget(tmp_path: Path, monkeypatch, capsys) -> None:
    # Regression: rows of a changed budget ended in "*", which the legend did not explain.
    monkeypatch.setenv("CUTOVER_RUNS", str(tmp_path / "runs"))
    plan = tmp_path / "gp.toml"
    plan.write_text(plan_text())
    for _ in range(2):
        slow_rehearsal(tmp_path / "runs", plan, a=100, b=40)
    capsys.readouterr()
    assert main(["calibrate", str(plan), "--out", str(tmp_path / "cal.toml")]) == 0
    out = capsys.readouterr().out
    marked = [line.split()[0] for line in out.splitlines() if line.endswith(" *")]
    assert marked == ["a", "b"]  # both budgets change
    [legend] = [line for line in out.splitlines() if line.startswith("n: ")]
    assert legend.endswith("; *: a new budget")

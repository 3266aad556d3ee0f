"""`cutover rehearsals` fits 80 columns, with every id a user types whole.

Regression (close note 13): from two rehearsals up its tables ran past 80 columns (83 with
two, 101 with four: a fixed 28-column id and 8 columns a figure), so a terminal wrapped every
row; an id longer than 28 characters was cut there; a rehearsal's line ("R1 <run id>  <when,
how it ended>") and the prose lines ran to 140. Real run files (seven rehearsals of a plan
with a 40-character step id), the real CLI (its main).
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

LONG = "b-reconcile-the-general-ledger-balances"  # 39 characters: past the old 28


def rehearsals(runs: Path, plan: Path, nights: int) -> list[str]:
    """`nights` rehearsals of the plan, a night apart, each run to its end; their run ids."""
    loaded = parse_plan(plan.read_text(), name=str(plan))
    ids = []
    for night in range(nights):
        journal = Journal.create(runs, loaded, rehearsal=True, created_by=os_login())
        at = lambda m, n=night: T0 + timedelta(days=n, minutes=m)  # noqa: E731
        key = lambda: uuid.uuid4().hex  # noqa: E731
        for event in [
            RunStarted(actor="lead", at=at(0), plan_id="gp", mode="rehearsal", key=key()),
            StepStarted(actor="lead", at=at(0), step="a", key=key()),
            StepCompleted(actor="lead", at=at(55 + night), step="a", key=key()),
            GateDecided(
                actor="lead", at=at(70), step="g", approver="lead", decision="go", key=key()
            ),
            StepStarted(actor="lead", at=at(70), step=LONG, key=key()),
            StepCompleted(actor="lead", at=at(95), step=LONG, key=key()),
            RunEnded(actor="lead", at=at(95), outcome="completed", key=key()),
        ]:
            journal.append(event, now=lambda e=event: e.at + timedelta(minutes=2))
        ids.append(journal.run_id)
    return ids


def report(tmp_path: Path, capsys, nights: int) -> tuple[str, list[str]]:
    """`cutover rehearsals` on `nights` rehearsals of the plan with the long step id."""
    plan = tmp_path / "gp.toml"
    plan.write_text(plan_text().replace('id = "b"', f'id = "{LONG}"'))
    runs = tmp_path / "runs"
    ids = rehearsals(runs, plan, nights)
    capsys.readouterr()
    assert main(["rehearsals", str(plan), "--runs", str(runs)]) == 0
    out = capsys.readouterr().out
    wide = [line for line in out.splitlines() if len(line) > 80]
    assert not wide, "\n".join(wide)
    assert LONG in out, out  # whole: it is typed in `cutover do RUN start STEP`
    assert all(run_id in out.split() for run_id in ids), out  # whole, each a word
    return out, ids


def test_seven_rehearsals_fit_80_columns_with_every_id_whole(tmp_path: Path, capsys) -> None:
    out, _ = report(tmp_path, capsys, 7)
    lines = out.splitlines()
    # The long id has a line of its own; its figures follow, under the columns.
    row = lines.index(f"  {LONG}")
    assert lines[row + 1].split()[:2] == ["20m", "25m"], lines[row + 1]
    # The earliest rehearsal's column gives way, and says so; the latest are shown.
    [head] = [line for line in lines if line.split()[:2] == ["step", "budget"]]
    assert "R7" in head.split() and "R1" not in head.split(), head
    assert "(R1 left out to fit 80 columns; the variance, var % and trend count it)" in out


def test_two_rehearsals_fit_80_columns_with_every_column(tmp_path: Path, capsys) -> None:
    out, _ = report(tmp_path, capsys, 2)
    [head] = [line for line in out.splitlines() if line.split()[:2] == ["phase", "budget"]]
    assert head.split() == ["phase", "budget", "R1", "R2", "variance", "var", "%", "trend"]
    assert "left out to fit" not in out

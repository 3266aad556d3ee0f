"""A gate's meeting counts in its phase's time, in `cutover rehearsals` and in the review.

Regression: the engine opens a gate only at its first decision, so a phase that begins with a
gate was timed from the end of the meeting: the online store's go-live phase (a 10-minute
go/no-go, then 15 minutes of work) read 15m against its 25m budget, -41 %, in every rehearsal,
and the review said the gate took 0m. Real run files, the real CLI (its main, in this process).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest

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

T0 = datetime.fromisoformat("2026-11-27T22:00:00+00:00")


def plan_text() -> str:
    return f"""format = 1
[plan]
id = "gp"
title = "Gated phases"
timezone = "UTC"
[window]
start = 2026-11-27T22:00:00
end = 2026-11-28T02:00:00
[people.lead]
name = "Lead"
user = "{os_login()}"
roles = ["commander", "approver"]
[[phase]]
id = "work"
title = "Work"
[[phase]]
id = "live"
title = "Go live"
[[step]]
id = "a"
title = "A"
owner = "lead"
phase = "work"
duration = "60m"
[[step]]
id = "g"
title = "Go?"
kind = "gate"
owner = "lead"
phase = "live"
duration = "10m"
after = ["a"]
approvers = ["lead"]
[[step]]
id = "b"
title = "B"
owner = "lead"
phase = "live"
duration = "20m"
after = ["g"]
"""


def rehearse(runs: Path, plan: Path) -> str:
    """a runs 0-60; the gate meets from 60 and decides at 75; b runs 75-95 (minutes in).
    Each event recorded two minutes after it happened (a tick-off with --at)."""
    loaded = parse_plan(plan.read_text(), name=str(plan))
    journal = Journal.create(runs, loaded, rehearsal=True, created_by=os_login())
    at = lambda minutes: T0 + timedelta(minutes=minutes)  # noqa: E731
    key = lambda: uuid.uuid4().hex  # noqa: E731
    script = [
        RunStarted(actor="lead", at=at(0), plan_id="gp", mode="rehearsal", key=key()),
        StepStarted(actor="lead", at=at(0), step="a", key=key()),
        StepCompleted(actor="lead", at=at(60), step="a", key=key()),
        GateDecided(actor="lead", at=at(75), step="g", approver="lead", decision="go", key=key()),
        StepStarted(actor="lead", at=at(75), step="b", key=key()),
        StepCompleted(actor="lead", at=at(95), step="b", key=key()),
        RunEnded(actor="lead", at=at(95), outcome="completed", key=key()),
    ]
    for event in script:
        journal.append(event, now=lambda e=event: e.at + timedelta(minutes=2))
    return journal.run_id


@pytest.fixture
def rehearsed(tmp_path: Path, monkeypatch) -> tuple[Path, str]:
    monkeypatch.setenv("CUTOVER_RUNS", str(tmp_path / "runs"))
    plan = tmp_path / "gp.toml"
    plan.write_text(plan_text())
    return plan, rehearse(tmp_path / "runs", plan)


def row(text: str, first: str) -> list[str]:
    [line] = [line for line in text.splitlines() if line.split()[:1] == [first]]
    return line.split()


def test_rehearsals_time_a_phase_from_its_gate_meeting(rehearsed, capsys) -> None:
    plan, _ = rehearsed
    assert main(["rehearsals", str(plan)]) == 0
    out = capsys.readouterr().out
    # The go-live phase: budget 30m (gate 10m, b 20m); it ran from 60 (the gate could meet)
    # to 95: 35m, +5m. Timed from the decision it read 20m, -10m.
    assert row(out, "live")[:4] == ["live", "30m", "35m", "+5m"]
    assert row(out, "g")[:4] == ["g", "10m", "15m", "+5m"]  # the gate's own row agreed


def test_the_review_times_a_gate_and_its_phase_from_its_meeting(
    rehearsed, tmp_path: Path, capsys
) -> None:
    _, run_id = rehearsed
    out_dir = tmp_path / "review"
    assert main(["report", run_id, "--out", str(out_dir), "--md"]) == 0
    text = (out_dir / f"review-{run_id}.md").read_text()
    [gate] = [line for line in text.splitlines() if line.startswith("| g |")]
    cells = [c.strip() for c in gate.strip("|").split("|")]
    # step | title | status | planned start | actual start | actual finish | budget | actual | ...
    assert cells[4] == "Fri 27 Nov 23:00 UTC"  # when it could meet, not its decision
    assert cells[6:9] == ["10m", "15m", "+5m"]  # was 0m, -10m
    [phase] = [line for line in text.splitlines() if line.startswith("| Go live |")]
    cells = [c.strip() for c in phase.strip("|").split("|")]
    # phase | planned start | planned finish | actual start | actual finish | planned | actual
    assert cells[3] == "Fri 27 Nov 23:00 UTC"
    assert cells[5:8] == ["30m", "35m", "+5m"]  # was 20m, -10m

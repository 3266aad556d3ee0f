"""A step started and completed at one moment (the same --at twice) is done, not timed.

Regression: `cutover rehearsals` counted it as a 0m run (-100 % against its budget, and in the
mean and trend of every later rehearsal), while `cutover calibrate` silently left it out
(it cannot take the log of 0): the two commands disagreed on the same rehearsal. Real run
files, the real CLI (its main).
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


def rehearse_with_a_zero_span(runs: Path, plan: Path) -> None:
    """`a` (a 60m budget) started and completed at 22:00, both given with --at; the gate
    decides at 22:05; `b` runs 22:05-22:25. Each recorded two minutes after its time."""
    loaded = parse_plan(plan.read_text(), name=str(plan))
    journal = Journal.create(runs, loaded, rehearsal=True, created_by=os_login())
    at = lambda minutes: T0 + timedelta(minutes=minutes)  # noqa: E731
    key = lambda: uuid.uuid4().hex  # noqa: E731
    for event in [
        RunStarted(actor="lead", at=at(0), plan_id="gp", mode="rehearsal", key=key()),
        StepStarted(actor="lead", at=at(0), step="a", key=key()),
        StepCompleted(actor="lead", at=at(0), step="a", key=key()),
        GateDecided(actor="lead", at=at(5), step="g", approver="lead", decision="go", key=key()),
        StepStarted(actor="lead", at=at(5), step="b", key=key()),
        StepCompleted(actor="lead", at=at(25), step="b", key=key()),
        RunEnded(actor="lead", at=at(25), outcome="completed", key=key()),
    ]:
        journal.append(event, now=lambda e=event: e.at + timedelta(minutes=2))


def said(capsys, *args: str) -> str:
    capsys.readouterr()
    assert main(list(args)) == 0
    return capsys.readouterr().out


def cells(text: str, first: str) -> list[str]:
    [line] = [line for line in text.splitlines() if line.split()[:1] == [first]]
    return line.split()


def test_a_step_done_at_one_moment_is_not_a_timing(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CUTOVER_RUNS", str(tmp_path / "runs"))
    plan = tmp_path / "gp.toml"
    plan.write_text(plan_text())
    rehearse_with_a_zero_span(tmp_path / "runs", plan)

    report = said(capsys, "rehearsals", str(plan))
    assert cells(report, "a")[:3] == ["a", "1h00m", "-"]  # was 0m, -1h00m, -100%
    assert cells(report, "b")[:4] == ["b", "20m", "20m", "+0m"]  # a real timing stands
    assert "1 step(s) ticked off without timings" in report and "(R1: 1)" in report

    calibrated = said(capsys, "calibrate", str(plan), "--out", str(tmp_path / "cal.toml"))
    assert cells(calibrated, "a")[:3] == ["a", "1h00m", "0"]  # no rehearsal timed it
    assert cells(calibrated, "b")[:3] == ["b", "20m", "1"]


def test_a_gate_decided_live_is_timed_not_ticked_off(tmp_path: Path, monkeypatch, capsys) -> None:
    # A gate opens and closes at its decision, at one moment: the rule above must not read
    # that as a step done without a timing (its time is its meeting, from when it could meet).
    monkeypatch.setenv("CUTOVER_RUNS", str(tmp_path / "runs"))
    plan = tmp_path / "gp.toml"
    plan.write_text(plan_text())
    loaded = parse_plan(plan.read_text(), name=str(plan))
    journal = Journal.create(tmp_path / "runs", loaded, rehearsal=True, created_by=os_login())
    at = lambda minutes: T0 + timedelta(minutes=minutes)  # noqa: E731
    key = lambda: uuid.uuid4().hex  # noqa: E731
    lag = {"g": timedelta(0)}  # the decision live; the rest given with --at
    for step, event in [
        ("", RunStarted(actor="lead", at=at(0), plan_id="gp", mode="rehearsal", key=key())),
        ("a", StepStarted(actor="lead", at=at(0), step="a", key=key())),
        ("a", StepCompleted(actor="lead", at=at(60), step="a", key=key())),
        (
            "g",
            GateDecided(
                actor="lead", at=at(72), step="g", approver="lead", decision="go", key=key()
            ),
        ),
    ]:
        late = lag.get(step, timedelta(minutes=2))
        journal.append(event, now=lambda e=event, late=late: e.at + late)

    report = said(capsys, "rehearsals", str(plan))
    assert cells(report, "g")[:4] == ["g", "10m", "12m", "+2m"]  # its meeting, 60 to 72
    assert "ticked off without timings" not in report

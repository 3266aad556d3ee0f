"""Calibration recovers known true durations from a synthetic rehearsal history."""

from __future__ import annotations

import hashlib
import math
import random
from datetime import datetime, timedelta
from pathlib import Path

from cutover_tui.engine.events import RunStarted, StepCompleted, StepStarted
from cutover_tui.engine.state import fold
from cutover_tui.plan import load_plan, parse_plan
from cutover_tui.rehearse.calibrate import calibrate, write_calibrated

T0 = datetime.fromisoformat("2026-11-27T22:00:00+00:00")


def synthetic_plan_text() -> str:
    text = """format = 1
[plan]
id = "cal"
title = "Calibration"
timezone = "UTC"
[window]
start = 2026-11-27T22:00:00
end = 2026-11-28T12:00:00
buffer = "10%"
[people.lead]
name = "Lead"
roles = ["commander"]
"""
    for p in ("alpha", "beta", "gamma"):
        text += f'[[phase]]\nid = "{p}"\ntitle = "{p}"\n'
    for i in range(12):
        text += (
            f'[[step]]\nid = "s{i}"\ntitle = "s{i}"\nowner = "lead"\n'
            f'phase = "{("alpha", "beta", "gamma")[i % 3]}"\nduration = "{60 + 10 * i}m"\n'
        )
    return text


def test_recovers_the_true_mean_durations_within_10_percent(tmp_path: Path) -> None:
    plan = parse_plan(synthetic_plan_text()).plan
    rng = random.Random(42)
    # The truth: each phase runs at its own pace, each step around it.
    phase_factor = {"alpha": 1.3, "beta": 0.9, "gamma": 1.1}
    truth = {
        s.id: s.duration * phase_factor[s.phase] * math.exp(rng.gauss(0, 0.08)) for s in plan.step
    }
    states = []
    for _ in range(8):
        night = math.exp(rng.gauss(0, 0.08))  # a slow or fast rehearsal, all steps together
        events = [RunStarted(actor="lead", at=T0, plan_id="cal", mode="rehearsal")]
        for s in plan.step:
            actual = truth[s.id] * night * math.exp(rng.gauss(0, 0.06))
            events += [
                StepStarted(actor="lead", at=T0, step=s.id),
                StepCompleted(actor="lead", at=T0 + actual, step=s.id),
            ]
        states.append(fold(plan, events))
    result = calibrate(plan, states)
    errors = {sid: abs(p.proposed / truth[sid] - 1) for sid, p in result.proposals.items()}
    assert max(errors.values()) < 0.10, errors
    for p in result.proposals.values():
        assert p.low < p.proposed < p.high


def test_writes_a_valid_calibrated_plan_and_leaves_the_original_alone(tmp_path: Path) -> None:
    source = tmp_path / "cal.toml"
    source.write_text("# my comments stay\n" + synthetic_plan_text())
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    loaded = load_plan(source)
    plan = loaded.plan
    states = []
    for factor in (1.2, 1.4):
        events = [RunStarted(actor="lead", at=T0, plan_id="cal", mode="rehearsal")]
        for s in plan.step:
            events += [
                StepStarted(actor="lead", at=T0, step=s.id),
                StepCompleted(actor="lead", at=T0 + s.duration * factor, step=s.id),
            ]
        states.append(fold(plan, events))
    out = write_calibrated(loaded, calibrate(plan, states), tmp_path / "cal.calibrated.toml")
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before
    calibrated = load_plan(out).plan
    assert calibrated.step_by_id["s0"].duration == timedelta(minutes=78)  # 60m x 1.3
    assert calibrated.step_by_id["s0"].estimate is not None
    assert calibrated.window.start == plan.window.start

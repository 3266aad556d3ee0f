"""Calibration recovers known true durations from a synthetic rehearsal history."""

from __future__ import annotations

import hashlib
import math
import random
import statistics
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cutover_tui.engine.events import RollbackInvoked, RunStarted, StepCompleted, StepStarted
from cutover_tui.engine.forecast import triangular_cdf
from cutover_tui.engine.state import fold
from cutover_tui.plan import load_plan, parse_plan
from cutover_tui.rehearse.calibrate import (
    Z90,
    CalibrationError,
    _ends,
    calibrate,
)
from cutover_tui.rehearse.calibrated_plan import write_calibrated

ROOT = Path(__file__).resolve().parents[1]

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


# -- few samples, uneven histories, the shape of the estimate -------------------------------


def history(plan, rows):
    """Rehearsals from {step: minutes} dicts: steps back to back from T0 (a step left out was
    not timed in that rehearsal)."""
    states = []
    for row in rows:
        events = [RunStarted(actor="lead", at=T0, plan_id=plan.plan.id, mode="rehearsal")]
        at = T0
        for sid, minutes in row.items():
            end = at + timedelta(minutes=minutes)
            events += [
                StepStarted(actor="lead", at=at, step=sid),
                StepCompleted(actor="lead", at=end, step=sid),
            ]
            at = end
        states.append(fold(plan, events))
    return states


def test_uneven_history_with_a_slow_partial_night() -> None:
    """Eight rehearsals time every step; one more, on a night 40 % slow, was stopped after
    three steps. Backfitting sees that night as slow (from the steps it shares with the
    others) instead of blaming those three steps, and the typical durations hold within 10 %."""
    plan = parse_plan(synthetic_plan_text()).plan
    rng = random.Random(7)
    phase_factor = {"alpha": 1.3, "beta": 0.9, "gamma": 1.1}
    truth = {s.id: s.duration * phase_factor[s.phase] for s in plan.step}
    rows = []
    for _ in range(8):
        night = math.exp(rng.gauss(0, 0.08))
        rows.append(
            {
                s.id: truth[s.id] * night * math.exp(rng.gauss(0, 0.05)) / timedelta(minutes=1)
                for s in plan.step
            }
        )
    rows.append({sid: truth[sid] * 1.4 / timedelta(minutes=1) for sid in ("s0", "s1", "s2")})
    result = calibrate(plan, history(plan, rows))
    assert result.night_factors[-1] > 1.3  # the partial night is recognised as slow
    for sid, p in result.proposals.items():
        assert abs(p.proposed / truth[sid] - 1) < 0.10, (sid, p.proposed, truth[sid])


def test_a_step_seen_once_is_pulled_toward_its_phase() -> None:
    """Six alpha steps run 30 % over in every rehearsal; s9 was timed once, at double its
    budget (a bad night for it, or a real problem: one sample cannot tell). Its proposal lies
    between its phase's pace and its own."""
    text = synthetic_plan_text().replace('phase = "beta"', 'phase = "alpha"')
    plan = parse_plan(text).plan
    alpha = [s for s in plan.step if s.phase == "alpha"]
    rows = []
    for k in range(4):
        jitter = (1.02, 0.98, 1.01, 0.99)[k]
        row = {s.id: s.duration * 1.3 * jitter / timedelta(minutes=1) for s in alpha[:6]}
        rows.append(row)
    rows[0][alpha[6].id] = alpha[6].duration * 2.0 / timedelta(minutes=1)
    result = calibrate(plan, history(plan, rows))
    once = result.proposals[alpha[6].id]
    assert once.samples == 1 and 0 < once.weight < 1
    assert 1.3 < once.proposed / once.budget < 2.0
    # A step never timed takes its phase's pace: the 30 % of most of its steps, nudged up by
    # the one that ran long (the phase's steps do vary).
    never = result.proposals[alpha[7].id]
    assert never.samples == 0 and never.weight == 0
    assert never.scale == pytest.approx(dict(result.group_factors)["alpha"])
    assert 1.3 < never.scale < 1.45


@settings(max_examples=40, deadline=None)
@given(
    factor=st.floats(0.5, 3.0),
    nights=st.lists(st.floats(0.7, 1.4), min_size=1, max_size=5),
)
def test_a_plan_that_runs_at_one_pace_is_scaled_by_it(factor: float, nights: list[float]) -> None:
    """Every step at `factor` times its budget, on nights that are uniformly slow or fast:
    the night effects come out as the nights, and each budget becomes budget x factor x their
    geometric mean (no noise, so no shrinkage can move it)."""
    plan = parse_plan(synthetic_plan_text()).plan
    rows = [
        {s.id: s.duration * factor * n / timedelta(minutes=1) for s in plan.step} for n in nights
    ]
    result = calibrate(plan, history(plan, rows))
    typical = factor * math.exp(statistics.fmean(math.log(n) for n in nights))
    for p in result.proposals.values():
        expected = p.budget * typical
        assert abs(p.proposed - expected) <= timedelta(seconds=31), (p, expected)
        assert p.low < p.proposed < p.high
    centre = math.exp(statistics.fmean(math.log(n) for n in nights))
    for got, night in zip(result.night_factors, nights, strict=True):
        assert abs(got - night / centre) < 1e-6


@given(spread=st.floats(0.01, 1.0))
def test_the_triangle_has_the_lognormal_percentiles(spread: float) -> None:
    """low and high are a triangle's ends, the way the forecast and the simulation read an
    estimate: its 10th and 90th percentiles are the log-normal's."""
    mode = 600.0
    left, right = mode * (1 - math.exp(-Z90 * spread)), mode * (math.exp(Z90 * spread) - 1)
    lo, hi = _ends(left, right)
    a, b = mode - lo, mode + hi
    assert triangular_cdf(mode - left, a, mode, b) == pytest.approx(0.1, abs=1e-6)
    assert triangular_cdf(mode + right, a, mode, b) == pytest.approx(0.9, abs=1e-6)


def test_gates_milestones_and_the_rollback(tmp_path: Path) -> None:
    """A gate (a meeting) and a zero-length milestone are left as they are; rollback steps
    timed in a rehearsal that rolled back are calibrated and written too."""
    loaded = load_plan(ROOT / "plans" / "online-store.toml")
    plan = loaded.plan
    gate = next(s for s in plan.step if s.kind == "gate")
    rb = plan.rollback_steps[0]
    events = [
        RunStarted(actor="alice", at=T0, plan_id=plan.plan.id, mode="rehearsal"),
        RollbackInvoked(actor="alice", at=T0, reason="rehearsing the rollback"),
        StepStarted(actor="alice", at=T0, step=rb.id),
        StepCompleted(actor="alice", at=T0 + rb.duration * 2, step=rb.id),
    ]
    result = calibrate(plan, [fold(plan, events)])
    assert gate.id not in result.proposals
    assert result.proposals[rb.id].samples == 1
    assert result.proposals[rb.id].proposed == rb.duration * 2  # the only evidence there is
    out = write_calibrated(loaded, result, tmp_path / "online-store.calibrated.toml")
    again = load_plan(out).plan
    assert again.step_by_id[rb.id].duration == rb.duration * 2
    assert again.step_by_id[gate.id].duration == gate.duration
    with pytest.raises(CalibrationError):
        write_calibrated(loaded, result, loaded.path)
    with pytest.raises(CalibrationError):
        calibrate(plan, [fold(plan, events[:2])])


def test_cutover_calibrate_says_what_is_wrong_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cutover_tui.cli import main
    from cutover_tui.journal.store import Journal

    plan_file = tmp_path / "cal.toml"
    plan_file.write_text(synthetic_plan_text())
    runs = tmp_path / "runs"
    runs.mkdir()
    args = ["calibrate", str(plan_file), "--runs", str(runs)]
    assert main(args) == 1
    assert "no rehearsals of 'cal'" in capsys.readouterr().err
    # A rehearsal started but nothing timed yet: nothing to learn from.
    journal = Journal.create(runs, load_plan(plan_file), rehearsal=True, created_by="lead")
    journal.append(RunStarted(actor="lead", at=T0, plan_id="cal", mode="rehearsal", key="go"))
    assert main(args) == 1
    assert "no finished step to learn from" in capsys.readouterr().err
    journal.append(StepStarted(actor="lead", at=T0, step="s0", key="a"))
    journal.append(StepCompleted(actor="lead", at=T0 + timedelta(minutes=66), step="s0", key="b"))
    assert main([*args, "--out", str(tmp_path / "missing" / "x.toml")]) == 1
    assert "cannot write" in capsys.readouterr().err
    assert main([*args, "--out", str(plan_file)]) == 2
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "the original is unchanged" in out
    assert load_plan(tmp_path / "cal.calibrated.toml").plan.step_by_id["s0"].duration == timedelta(
        minutes=66
    )

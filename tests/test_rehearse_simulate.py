"""A simulated rehearsal plays itself into a real journal: legal, complete, deterministic."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import RunStarted
from cutover_tui.engine.state import apply, initial_state
from cutover_tui.journal.run_lookup import list_runs
from cutover_tui.journal.store import Journal
from cutover_tui.plan import load_plan
from cutover_tui.rehearse.simulate import SimulatedNight
from cutover_tui.rehearse.simulate_drive import play_until, run_simulation
from cutover_tui.tui.source import MemoryRun
from tests.fitted_text import joined

ROOT = Path(__file__).resolve().parents[1]
LOADED = load_plan(ROOT / "plans" / "online-store.toml")


def simulate(tmp_path: Path, seed: int, failure_rate: float = 0.04) -> Journal:
    journal = Journal.create(tmp_path, LOADED, rehearsal=True, created_by="tester")
    plan = journal.plan
    journal.append(
        RunStarted(
            actor="tester", at=plan.window.start, plan_id="online-store", mode="rehearsal", key="go"
        )
    )
    night = SimulatedNight(plan, seed=seed, failure_rate=failure_rate)
    now = plan.window.start
    while journal.state().phase != "ended" and now < plan.window.end + timedelta(hours=12):
        now += timedelta(minutes=10)  # a clock advanced by hand: nothing sleeps
        play_until(journal, night, "tester", now)  # every event goes through the checks
    return journal


def signature(journal: Journal) -> list[tuple]:
    return [(e.type, getattr(e, "step", None), e.at) for e in journal.events()]


def test_a_simulated_rehearsal_completes_legally(tmp_path: Path) -> None:
    journal = simulate(tmp_path / "a", seed=3)
    state = journal.state()
    # Recorded on the run's clock, at the tick that played it (every 10 minutes here), not
    # on the wall clock: the comms log marks an event recorded over a minute late.
    for event in journal.events():
        if event.type != "run-started":
            assert event.recorded_at is not None
            assert event.at <= event.recorded_at <= event.at + timedelta(minutes=10), event
    assert state.phase == "ended" and state.outcome == "completed"
    assert all(state.status[sid].closed for sid in state.order)
    assert journal.verify()[0] == []


def test_the_same_seed_plays_the_same_night(tmp_path: Path) -> None:
    first = signature(simulate(tmp_path / "a", seed=8))
    again = signature(simulate(tmp_path / "b", seed=8))
    other = signature(simulate(tmp_path / "c", seed=9))
    assert first == again
    assert first != other


def test_failed_checkpoints_are_retried_or_rolled_back(tmp_path: Path) -> None:
    journal = simulate(tmp_path, seed=5, failure_rate=1.0)
    state = journal.state()
    types = [e.type for e in journal.events()]
    assert "checkpoint-failed" in types
    assert state.outcome == "rolled-back"  # backup-verified fails, and it calls for rollback
    assert "rollback-invoked" in types
    assert all(state.status[sid].closed for sid in state.rollback_order)


def test_cutover_simulate_headless_records_a_rehearsal(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cutover_tui.cli",
            "simulate",
            "plans/online-store.toml",
            "--headless",
            "--speed",
            "200000",
            "--seed",
            "4",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "CUTOVER_RUNS": str(runs)},
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "run ended" in result.stdout
    (run,) = list_runs(runs)
    assert run.mode == "rehearsal" and run.phase == "ended"
    # Its status is shown as it ended, not at the simulated clock running on since.
    status = subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", "status", run.run_id, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "CUTOVER_RUNS": str(runs)},
    )
    ended = Journal(run.path).state().ended_at
    assert ended is not None and json.loads(status.stdout)["as_of"] == ended.isoformat()
    # Printed in the journal's order: a line whose time goes back (the conductor's notice
    # landing after what followed, at this speed) says when it was recorded.
    latest = ""
    for line in result.stdout.splitlines():
        if len(line) < 6 or line[2] != ":" or not line[:2].isdigit():
            continue
        hhmm = ("1" if line[:2] < "12" else "0") + line[:5]  # the night runs past midnight
        if hhmm < latest:
            assert "(recorded " in line, line
        latest = max(latest, hhmm)


def test_rehearsals_and_calibrate_commands_on_simulated_history(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    env = {**os.environ, "CUTOVER_RUNS": str(runs)}

    def cutover(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "cutover_tui.cli", *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            env=env,
        )
        assert "Traceback" not in result.stderr, result.stderr
        return result

    for seed in ("21", "22"):
        assert (
            cutover(
                "simulate",
                "plans/online-store.toml",
                "--headless",
                "--speed",
                "200000",
                "--seed",
                seed,
            ).returncode
            == 0
        )
    # Simulations are not rehearsals unless asked for (tests/test_rehearse_history.py).
    assert "left out: 2 simulation(s)" in cutover("rehearsals", "plans/online-store.toml").stdout
    report = joined(cutover("rehearsals", "plans/online-store.toml", "--include-simulated").stdout)
    assert "2 rehearsal(s)" in report and "load-catalog" in report
    assert "from the rehearsals" in report and "inside the window" in report
    out = tmp_path / "calibrated.toml"
    calibrated = cutover(
        "calibrate", "plans/online-store.toml", "--out", str(out), "--include-simulated"
    )
    assert calibrated.returncode == 0, calibrated.stderr
    assert cutover("validate", str(out)).returncode == 0


def test_the_war_room_takes_its_prior_from_other_rehearsals(tmp_path: Path) -> None:
    from cutover_tui.cli.warroom_commands import rehearsal_prior

    first = simulate(tmp_path, seed=31)
    second = simulate(tmp_path, seed=32)
    prior = rehearsal_prior(second)  # learns from the first, not from itself
    assert prior is not None and prior.scales
    assert rehearsal_prior(first) is not None


def test_a_simulation_left_before_its_end_is_recorded_as_aborted(tmp_path: Path) -> None:
    from cutover_tui.cli.simulate_commands import _close_if_stopped
    from cutover_tui.clocks import FixedClock

    journal = Journal.create(tmp_path, LOADED, rehearsal=True, created_by="tester")
    start = journal.plan.window.start
    journal.append(
        RunStarted(actor="tester", at=start, plan_id="online-store", mode="rehearsal", key="go")
    )
    _close_if_stopped(journal, "tester", FixedClock(start + timedelta(minutes=20)))
    state = journal.state()
    assert state.phase == "ended" and state.outcome == "aborted"
    _close_if_stopped(journal, "tester", FixedClock(start))  # an ended run is left alone
    assert journal.verify()[2] == 2


# -- the pure night on a RunSource, with a clock moved by hand ------------------------------

PLAN = LOADED.plan
COMMANDER = "alice"  # the plan's commander


def memory_night(seed: int, tick: timedelta, failure_rate: float = 0.04):
    source = MemoryRun(PLAN, COMMANDER)  # checks every event exactly like the journal
    source.submit(
        RunStarted(actor=COMMANDER, at=PLAN.window.start, plan_id="online-store", mode="rehearsal")
    )
    clock = FixedClock(PLAN.window.start)
    night = SimulatedNight(PLAN, seed=seed, failure_rate=failure_rate)
    recorded = []
    final = run_simulation(
        source,
        night,
        clock,
        sleep=lambda _: clock.advance(tick),  # nothing sleeps: the test moves the clock
        until=PLAN.window.end + timedelta(days=1),
        on_event=recorded.append,
    )
    return night, final, recorded


def legal_actor(state, event) -> bool:
    sid = getattr(event, "step", None)
    if state.is_commander(event.actor):
        return True
    if event.type == "gate-decided":
        return event.actor == event.approver and event.approver in state.steps[sid].approvers
    if event.type == "readiness-marked":
        return event.actor == state.plan.readiness_by_id[event.item].owner
    return sid is not None and event.actor == state.steps[sid].owner


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), tick=st.sampled_from([1, 7, 30, 90]))
def test_any_night_completes_legally_whatever_the_tick(seed: int, tick: int) -> None:
    night, final, recorded = memory_night(seed, timedelta(minutes=tick))
    assert final.phase == "ended" and final.outcome in ("completed", "rolled-back")
    assert recorded[-1].type == "run-ended"
    times = [e.at for e in recorded]
    assert times == sorted(times)  # in order, each at its own time
    assert all(legal_actor(final, e) for e in recorded)
    # A task's actual is exactly its drawn duration: events carry their own times.
    for sid in final.order:
        s = final.status[sid]
        if final.steps[sid].kind == "task" and s.status == "done" and s.attempts == 1:
            assert s.actual == night.durations[sid], sid


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000))
def test_the_night_does_not_depend_on_the_tick(seed: int) -> None:
    def sig(tick: int) -> list[tuple]:
        _, _, recorded = memory_night(seed, timedelta(minutes=tick), failure_rate=0.3)
        return [(e.type, getattr(e, "step", None), e.actor, e.at) for e in recorded]

    assert sig(1) == sig(45) == sig(240)


def test_due_is_pure_and_stops_at_now() -> None:
    source = MemoryRun(PLAN, COMMANDER)
    source.submit(
        RunStarted(actor=COMMANDER, at=PLAN.window.start, plan_id="online-store", mode="rehearsal")
    )
    state = initial_state(PLAN)
    for event in source.poll():
        apply(state, event)
    night = SimulatedNight(PLAN, seed=2)
    before = copy.deepcopy((state.status, state.gates, state.readiness, state.keys, state.phase))
    now = PLAN.window.start + timedelta(hours=1)
    due = night.due(state, now)
    assert (state.status, state.gates, state.readiness, state.keys, state.phase) == before
    assert all(st.status == "pending" for st in state.status.values())
    assert due and all(e.at <= now for e in due)
    assert night.due(state, now) == due  # same state, same answer
    assert night.due(state, PLAN.window.start - timedelta(minutes=1)) == []
    # Everything due is accepted, in order, by a source that checks it.
    for event in due:
        source.submit(event)


def test_cutover_simulate_refuses_bad_input_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cutover_tui.cli import main

    plan = str(ROOT / "plans" / "online-store.toml")
    for speed in ("0", "-3", "nan", "inf", "1e-300", "1e300"):  # 1e-300 overflowed the dates
        assert main(["simulate", plan, "--headless", "--speed", speed]) == 2
        assert "--speed must be a positive number" in capsys.readouterr().err
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    runs = str(blocker / "runs")  # a directory that cannot be made
    assert main(["simulate", plan, "--headless", "--runs", runs]) == 1
    assert "cannot record the rehearsal" in capsys.readouterr().err

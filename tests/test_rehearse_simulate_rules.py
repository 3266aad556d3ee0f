"""What the simulated night does at gates, failures and triggers, on small plans and by hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import RunStarted, StepAdded
from cutover_tui.plan import load_plan, parse_plan
from cutover_tui.rehearse.simulate import SimulatedNight
from cutover_tui.rehearse.simulate_drive import run_simulation
from cutover_tui.tui.source import MemoryRun

ROOT = Path(__file__).resolve().parents[1]

HEAD = """format = 1
[plan]
id = "tiny"
title = "Tiny"
timezone = "UTC"
[window]
start = 2026-11-27T22:00:00
end = 2026-11-28T06:00:00
[people.lead]
name = "Lead"
roles = ["commander"]
[people.boss]
name = "Boss"
roles = ["approver"]
"""


def play(
    plan, seed: int = 1, *, failure_rate: float = 0.0, slowness: float = 1.0, source=None
) -> MemoryRun:
    """The whole night on a stopped clock moved 5 minutes between looks: nothing sleeps."""
    source = source or MemoryRun(plan, "tester")
    if not any(e.type == "run-started" for e in source._events):
        source.submit(
            RunStarted(actor="tester", at=plan.window.start, plan_id=plan.plan.id, mode="rehearsal")
        )
    clock = FixedClock(plan.window.start)
    run_simulation(
        source,
        SimulatedNight(plan, seed=seed, slowness=slowness, failure_rate=failure_rate),
        clock,
        sleep=lambda _: clock.advance(timedelta(minutes=5)),
        until=plan.window.end + timedelta(hours=24),
    )
    return source


def test_every_approver_decides_a_gate_in_the_same_meeting() -> None:
    plan = load_plan(ROOT / "plans" / "online-store.toml").plan
    events = play(plan, seed=4)._events
    gate = [e for e in events if getattr(e, "step", None) == "go-no-go-migration"]
    assert [(e.type, e.approver) for e in gate] == [
        ("gate-decided", "alice"),
        ("gate-decided", "sponsor"),
    ]
    assert gate[0].at == gate[1].at  # one meeting, not one per approver
    # Both gates were passed by their approvers' decisions, none closed as a plain step.
    assert not [e for e in events if e.type == "step-completed" and e.step.startswith("go-no")]
    MemoryRun(plan, "tester", events)  # replayed through the checks: every event legal
    assert events[-1].type == "run-ended" and events[-1].outcome == "completed"


def test_a_rollback_trigger_is_obeyed_the_moment_it_fires() -> None:
    plan = parse_plan(
        HEAD
        + """
[[step]]
id = "load"
title = "Load"
owner = "lead"
duration = "45m"
estimate = { low = "42m", high = "1h" }
[rollback]
owner = "lead"
rto = "1h"
[[rollback.step]]
id = "restore"
title = "Restore"
owner = "lead"
duration = "20m"
[[trigger]]
id = "load-stuck"
step = "load"
condition = "running-over"
limit = "40m"
action = "rollback"
"""
    ).plan
    events = play(plan)._events
    invoked = next(e for e in events if e.type == "rollback-invoked")
    assert invoked.trigger == "load-stuck" and invoked.actor == "tester"
    assert invoked.at == plan.window.start + timedelta(minutes=40)
    assert events[-1].type == "run-ended" and events[-1].outcome == "rolled-back"


def test_a_failure_calling_for_a_rollback_the_plan_lacks_is_retried() -> None:
    plan = parse_plan(
        HEAD
        + """
[[step]]
id = "check"
title = "Check"
kind = "checkpoint"
owner = "lead"
duration = "10m"
verify = "all green"
on_fail = "rollback"
"""
    ).plan
    events = play(plan, failure_rate=1.0)._events
    assert [e.type for e in events if getattr(e, "step", None) == "check"] == [
        "step-started",
        "checkpoint-failed",
        "step-started",
        "checkpoint-passed",
    ]
    assert events[-1].outcome == "completed"


def test_a_step_added_live_is_played_too() -> None:
    plan = parse_plan(
        HEAD
        + """
[[step]]
id = "a"
title = "A"
owner = "lead"
duration = "30m"
"""
    ).plan
    source = MemoryRun(plan, "tester")
    start = plan.window.start
    source.submit(RunStarted(actor="tester", at=start, plan_id="tiny", mode="rehearsal"))
    source.submit(
        StepAdded(
            actor="tester",
            at=start,
            step="b",
            title="B",
            owner="lead",
            duration_s=600,
            after=["a"],
            reason="found in rehearsal",
        )
    )
    events = play(plan, source=source)._events
    assert [e.step for e in events if e.type == "step-completed"] == ["a", "b"]
    assert events[-1].outcome == "completed"


def test_a_night_that_cannot_go_on_ends_instead_of_waiting_for_ever() -> None:
    plan = parse_plan(
        HEAD
        + """
[[step]]
id = "go"
title = "Go"
kind = "gate"
owner = "lead"
duration = "10m"
approvers = ["lead", "boss"]
criteria = ["later"]
[[step]]
id = "later"
title = "Later"
owner = "lead"
duration = "10m"
after = ["go"]
"""
    ).plan
    events = play(plan)._events
    assert events[-1].type == "run-ended" and events[-1].outcome == "aborted"
    assert "cannot go on" in events[-1].reason


def test_deadline_is_not_needed_to_stop_a_stuck_night() -> None:
    # The stuck night ends at its last finish, not at some clock limit.
    plan = parse_plan(
        HEAD
        + """
[[step]]
id = "go"
title = "Go"
kind = "gate"
owner = "lead"
duration = "10m"
criteria = ["later"]
[[step]]
id = "later"
title = "Later"
owner = "lead"
duration = "10m"
after = ["go"]
"""
    ).plan
    events = play(plan)._events
    assert events[-1].type == "run-ended" and events[-1].outcome == "aborted"
    assert events[-1].at == datetime.fromisoformat("2026-11-27T22:00:00+00:00")


def test_a_headless_simulation_whose_output_goes_away_is_recorded_as_aborted(
    tmp_path: Path,
) -> None:
    import os
    import subprocess
    import sys

    from cutover_tui.journal.run_lookup import list_runs

    runs = tmp_path / "runs"
    command = [sys.executable, "-m", "cutover_tui.cli", "simulate", "plans/online-store.toml"]
    process = subprocess.Popen(
        [*command, "--headless", "--speed", "600", "--seed", "2"],
        cwd=ROOT,
        env={**os.environ, "CUTOVER_RUNS": str(runs)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    process.stdout.readline()  # the run has started
    process.stdout.close()  # like `| head -1`: the next line printed finds no reader
    _, err = process.communicate(timeout=60)
    assert "Traceback" not in err
    (run,) = list_runs(runs)
    assert run.phase == "ended" and run.outcome == "aborted"

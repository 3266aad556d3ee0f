"""A whole simulated night with checkpoints failing, conducted by two conductors in turn (a
failover every hour): every failed checkpoint and fired trigger gets exactly one incident,
every escalation is written once, and the journal verifies."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import RunStarted
from cutover_tui.journal.store import Journal
from cutover_tui.plan import load_plan
from cutover_tui.rehearse.simulate import SimulatedNight
from cutover_tui.rehearse.simulate_drive import play_until

ROOT = Path(__file__).resolve().parents[1]
LOADED = load_plan(ROOT / "plans" / "online-store.toml")


@pytest.mark.parametrize("seed", [5, 11])
def test_a_failing_night_opens_each_incident_once_across_failovers(tmp_path: Path, seed) -> None:
    journal = Journal.create(tmp_path, LOADED, rehearsal=True, created_by="tester")
    plan = journal.plan
    start = plan.window.start
    journal.append(
        RunStarted(actor="tester", at=start, plan_id=plan.plan.id, mode="rehearsal", key="go")
    )
    night = SimulatedNight(plan, seed=seed, failure_rate=1.0)
    clock, wall = FixedClock(start), [1000.0]
    conductors = [
        Conductor(Journal(journal.path), clock, holder=h, wall=lambda: wall[0]) for h in "AB"
    ]
    now, n = start, 0
    while journal.state().phase != "ended" and now < plan.window.end + timedelta(hours=12):
        now += timedelta(minutes=5)
        clock.set(now)
        play_until(journal, night, "tester", now)
        n += 1
        if n % 12 == 0:
            wall[0] += 10  # the holder goes silent: the other takes over
        for conductor in conductors:
            conductor.tick()
    state = journal.state()
    failed = [
        sid
        for sid in state.all_ids()
        if state.status[sid].failed_at and state.steps[sid].kind == "checkpoint"
    ]
    assert failed  # the night did fail checkpoints
    causes = Counter(i.raised.cause for i in state.incidents)
    expected = {f"checkpoint:{sid}" for sid in failed} | {f"trigger:{t}" for t in state.fired}
    seen = set(causes)
    # One failure, one incident: a checkpoint's failure and the trigger watching it for that
    # failure open one between them (engine/escalation._opened).
    for t in plan.trigger:
        pair = {f"checkpoint:{t.step}", f"trigger:{t.id}"}
        if t.condition == "failed" and pair <= expected:
            assert len(pair & seen) == 1, (pair, seen)
            expected, seen = expected - pair, seen - pair
    assert seen == expected and set(causes.values()) == {1}
    keys = [e.key for e in journal.events() if e.type == "incident-escalated"]
    assert keys and len(keys) == len(set(keys))  # nobody acknowledged: escalations, once each
    assert journal.verify()[0] == []

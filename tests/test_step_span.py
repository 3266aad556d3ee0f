"""StepTimesMap.span: a phase's figures from the schedule's integers (issue 14) are exactly
what the phase's StepTimes say, closed steps' figures kept between schedules included."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cutover_tui.engine.schedule import schedule
from cutover_tui.engine.state import fold
from cutover_tui.plan import load_plan
from cutover_tui.tui.scenes import Script, script_night

ROOT = Path(__file__).resolve().parents[1]


def _by_phase(state) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for sid in state.active_ids():
        groups.setdefault(state.steps[sid].phase or "", []).append(sid)
    return groups


def test_each_phases_span_is_what_its_steps_say() -> None:
    plan = load_plan(ROOT / "plans" / "erp-datacentre.toml").plan
    events, now = script_night(plan, Script(until_minutes=24 * 60, slow={}))
    state = fold(plan, events)
    for moment in (now, now + timedelta(minutes=7)):  # the second reuses the closed steps'
        sched = schedule(state, moment)
        fresh = schedule(state, moment)  # StepTimes built from a schedule span never saw
        for ids in _by_phase(state).values():
            span = sched.steps.span(ids, state.derived)
            times = [fresh.steps[sid] for sid in ids]
            assert span.start == min(t.start for t in times)
            assert span.finish == max(t.finish for t in times)
            assert span.base_start == min(t.baseline_start for t in times)
            assert span.base_finish == max(t.baseline_finish for t in times)
            assert span.levels == {t.level for t in times}
    assert state.derived["span:closed"]  # closed steps' figures were kept

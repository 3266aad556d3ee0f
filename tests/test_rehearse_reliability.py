"""The reliability table (rehearse/reliability.py): stated odds in bins against what happened,
with Wilson intervals; the statements of recorded runs replayed; `cutover rehearsals` prints it."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from cutover_tui.engine.events import RunEnded, RunStarted, StepCompleted, StepStarted
from cutover_tui.engine.state import fold
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from cutover_tui.rehearse.reliability import (
    outcome,
    reliability,
    review_rows,
    statements,
    wilson,
)
from tests.test_foresight import SLOW_START, T0, plan_text


def test_a_table_that_leans_says_which_way() -> None:
    honest = reliability([(0.9, i < 9) for i in range(10)] + [(0.15, i < 2) for i in range(20)])
    assert [b.lean for b in honest.bins] == ["ok", "ok"] and honest.honest
    sure = reliability([(0.95, i < 3) for i in range(40)])
    [b] = sure.bins
    assert b.lean == "too hopeful" and not sure.honest and b.observed == 3 / 40
    assert sure.brier > sure.brier_constant  # worse than the base rate known afterwards
    rows = review_rows(sure)  # for the review's `calibration` hook
    assert rows[0] == (
        "stated 90-100 % (40, mean 95%)",
        f"happened 8% (95 % {b.ci_low:.0%} to {b.ci_high:.0%}): too hopeful",
    )
    assert rows[-1][0] == "Brier over 40 statements"


@given(st.integers(0, 200), st.integers(1, 200))
def test_the_wilson_interval_holds_the_observed_share(hits: int, n: int) -> None:
    hits = min(hits, n)
    low, high = wilson(hits, n)
    assert 0.0 <= low <= hits / n <= high <= 1.0


def ended_night(plan, ratio: float):
    """A serial night at `ratio` times every budget, completed at its end."""
    events = [RunStarted(actor="lead", at=T0, plan_id=plan.plan.id, mode="rehearsal")]
    at = T0
    for s in plan.step:
        events.append(StepStarted(actor="lead", at=at, step=s.id))
        at = at + s.duration * ratio
        events.append(StepCompleted(actor="lead", at=at, step=s.id))
    events.append(RunEnded(actor="lead", at=at, outcome="completed"))
    return events


def test_recorded_runs_state_the_odds_they_would_have_stated() -> None:
    plan = parse_plan(plan_text(10, SLOW_START)).plan  # 7 h of budgets in a 10 h window
    on_pace, slow = fold(plan, ended_night(plan, 1.0)), fold(plan, ended_night(plan, 1.6))
    assert outcome(on_pace) is True and outcome(slow) is False  # 11h12m: past the window
    said = statements(plan, [on_pace, slow])
    assert len(said) == 6  # three moments each
    made = [p for p, ok in said if ok]
    missed = [p for p, ok in said if not ok]
    assert min(made) > max(missed[1:])  # past the first quarter the slow night reads worse
    assert missed[-1] < 0.3  # and by three quarters of the plan, it says so


def test_cutover_rehearsals_prints_the_reliability_table(tmp_path: Path, capsys) -> None:
    from cutover_tui.cli import main

    text = plan_text(10, SLOW_START)
    plan_path = tmp_path / "night.toml"
    plan_path.write_text(text)
    loaded = parse_plan(text, name=str(plan_path))
    runs = tmp_path / "runs"
    for ratio in (1.0, 1.6):
        journal = Journal.create(runs, loaded, rehearsal=True, created_by=os_login())
        for event in ended_night(loaded.plan, ratio):
            stamped = event.model_copy(update={"key": uuid.uuid4().hex})
            journal.append(stamped, now=lambda e=stamped: e.at + timedelta(minutes=1))
        journal.close()
    capsys.readouterr()
    assert main(["rehearsals", str(plan_path), "--runs", str(runs)]) == 0
    out = capsys.readouterr().out
    assert "over 2 rehearsal(s) and 0 simulated night(s) that ended" in out, out
    assert "95 % interval" in out and "Brier" in out and "6 statements" in out

"""The review counts only the time that passed in its spans, as in its step durations: a
host clock jump (`clock-jumped`) inside a gate's meeting, a phase or the run is left out.

Found in review (2026-12-03): a step's duration left a jump out (StepState.off_clock), but
the gate meetings, the phase spans and the run's total beside it were wall spans and kept
it: migrate read 1h15m under a Migration phase of 1h25m made of nothing else.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from cutover_tui.engine import events as ev
from cutover_tui.engine.state import fold
from cutover_tui.rehearse.compare import compare
from cutover_tui.report.review import build_review
from tests.report_support import hm, late_night, new_journal, play

ROOT = Path(__file__).resolve().parents[1]
M = timedelta(minutes=1)


def jumped_night() -> list[ev.EventBase]:
    """The late night, with the host's clock jumping 2m during the go meeting (22:45-22:50)
    and 10m during migrate (22:50-00:15): wall time that did not pass."""
    night = late_night()
    go = next(i for i, e in enumerate(night) if e.type == "gate-decided")
    night.insert(go, ev.ClockJumped(actor="conductor", at=hm("22:48"), seconds=120.0))
    done = next(
        i for i, e in enumerate(night) if e.type == "step-completed" and e.step == "migrate"
    )
    night.insert(done, ev.ClockJumped(actor="conductor", at=hm("23:30"), seconds=600.0))
    return night


def test_meetings_phases_and_the_total_leave_a_jump_out_as_durations_do(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    journal = new_journal(runs)
    play(journal, jumped_night())
    run = journal.run_id
    review = build_review(journal.plan, journal.events(), run, hm("06:00"), samples=20)
    # `cutover rehearsals` measures the same spans the same way.
    measured = compare(journal.plan, [(run, fold(journal.plan, journal.events()))])
    journal.close()
    assert measured.total.actuals == (148 * M,)  # 2h40m on the wall, 12m of it jumped
    assert {r.key: r.actuals for r in measured.phases}["move"] == (75 * M,)
    assert {r.key: r.actuals for r in measured.steps}["go"] == (3 * M,)
    steps = {s.id: s for s in review.steps}
    assert steps["migrate"].actual == 75 * M  # 85m on the wall, 10m of it jumped
    assert steps["go"].actual == 3 * M  # its meeting, 22:45-22:50, less the 2m jump
    phases = {p.id: p for p in review.phases}
    assert phases["move"].actual == 75 * M  # migrate's span: as its duration says
    assert phases["prep"].actual == 48 * M  # 22:00-22:50, less the 2m
    assert phases["move"].slip == 25 * M  # a slip compares times of day: the wall's
    result = subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", "report", run, "--md", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "CUTOVER_RUNS": str(runs), "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    text = (tmp_path / f"review-{run}.md").read_text()
    assert f"| {run} (tonight) | Fri 27 Nov 22:00 GMT | 2h28m | completed |" in text  # 2h40m
    assert "| 1h00m | 1h15m | +15m | +25m |" in text  # Migration: planned, actual, slip
    assert (
        "The host's clock jumped 2 times (+12m in all): durations, gate meetings, phase spans"
        " and totals count only the time that passed; times of day, finish slips and incident"
        " response times are as the wall clock read them."
    ) in text

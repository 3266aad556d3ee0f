"""`cutover report` fills the review's calibration section (report/ may not import rehearse/):
the reliability table of the odds over the plan's rehearsals and simulated nights."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from tests.test_foresight import SLOW_START, plan_text
from tests.test_rehearse_reliability import ended_night


def record(runs: Path, loaded, ratio: float) -> str:
    journal = Journal.create(runs, loaded, rehearsal=True, created_by=os_login())
    for event in ended_night(loaded.plan, ratio):
        stamped = event.model_copy(update={"key": uuid.uuid4().hex})
        journal.append(stamped, now=lambda e=stamped: e.at + timedelta(minutes=1))
    journal.close()
    return journal.run_id


def test_the_review_shows_the_reliability_of_the_odds(tmp_path: Path, capsys) -> None:
    from cutover_tui.cli import main

    loaded = parse_plan(plan_text(10, SLOW_START), name="night.toml")
    runs = tmp_path / "runs"
    on_pace = record(runs, loaded, 1.0)  # made the window
    record(runs, loaded, 1.6)  # 11h12m of a 10-hour window: missed it
    out = tmp_path / "out"
    out.mkdir()
    assert main(["report", on_pace, "--out", str(out), "--runs", str(runs)]) == 0
    md = (out / f"review-{on_pace}.md").read_text()
    section = md.split("## How reliable the odds were", 1)[1]
    assert "| the odds' record | over 2 rehearsal(s) and 0 simulated night(s) that ended" in section
    assert "| Brier over 6 statements |" in section  # 2 nights x 25, 50 and 75 %
    assert "happened 0%" in section and "happened 100%" in section  # both outcomes binned
    html = (out / f"review-{on_pace}.html").read_text()
    assert "How reliable the odds were" in html and "Brier over 6 statements" in html


def test_a_plan_without_ended_rehearsals_says_so(tmp_path: Path) -> None:
    from cutover_tui.cli import main

    loaded = parse_plan(plan_text(10, SLOW_START), name="night.toml")
    runs = tmp_path / "runs"
    journal = Journal.create(runs, loaded, rehearsal=True, created_by=os_login())
    journal.close()  # created, never run: no outcome to score the odds against
    out = tmp_path / "out"
    out.mkdir()
    assert main(["report", journal.run_id, "--out", str(out), "--runs", str(runs), "--md"]) == 0
    md = (out / f"review-{journal.run_id}.md").read_text()
    assert "no stated odds to compare yet: over 0 rehearsal(s)" in md

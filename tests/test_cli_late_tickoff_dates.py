"""A late tick-off's echo dates a time that is not on the run's night, as a refusal does.

Found in review (2026-12-02): on a run begun two nights ago, `cutover do RUN complete s0
--at <last night 00:00>` echoed ", at 00:00, recorded 22:20:03", both read as tonight's.
The echo now follows engine/times.stamp, the rule `do`'s refusals already use.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path

from cutover_tui.engine.events import RunStarted
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from tests.journal_support import plan_text
from tests.test_cli_run import cutover

# Two nights ago at 22:00 UTC (the plan's zone): every time since is at least a day later.
BEGUN = datetime.combine(datetime.now(UTC).date() - timedelta(days=2), dt_time(22, 0), UTC)


def _begun_two_nights_ago(tmp_path: Path) -> tuple[str, Path]:
    runs = tmp_path / "runs"
    loaded = parse_plan(plan_text(steps=3, window_start=BEGUN), name="jt.toml")
    journal = Journal.create(runs, loaded, rehearsal=False, created_by=os_login())
    journal.append(RunStarted(actor="boss", at=BEGUN, plan_id="jt", key="go"))
    journal.close()
    return journal.run_id, runs


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_a_late_tick_off_off_the_runs_night_echoes_its_dates(tmp_path: Path) -> None:
    run, runs = _begun_two_nights_ago(tmp_path)
    began = cutover("do", run, "start", "s0", "--at", _iso(BEGUN + timedelta(minutes=5)), runs=runs)
    assert began.returncode == 0, began.stderr
    # On the run's night: no date; recorded now, over a day after the run began: dated.
    assert re.search(
        r", at 22:05, recorded \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", began.stdout.strip()
    ), began.stdout
    last_night = BEGUN + timedelta(days=1, hours=2)  # 00:00 the night after: a day on
    done = cutover("do", run, "complete", "s0", "--at", _iso(last_night), runs=runs)
    assert done.returncode == 0, done.stderr
    assert re.search(
        rf", at {last_night:%Y-%m-%d} 00:00, recorded \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d$",
        done.stdout.strip(),
    ), done.stdout

"""`cutover status` on a bundled plan's run, at an earlier moment and with an event dated a
little ahead, shows the run the war room shows (hostile user pass, 2026-12-02).

Found: `status` replayed the log through the rules whenever an event was dated after the
moment asked, and judged the RunStarted with the journal's seal, whose copy of the plan is
longer than any text an event may carry (a bundled plan's is 11,184 characters against
4,000): the start was left out, and with it every event after it. The war room said ROLL
BACK while `status` said "live, not-started ... ON TRACK".
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from cutover_tui.cli import main
from cutover_tui.engine.events import NoteAdded, RunStarted, StepStarted
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "plans" / "online-store.toml"


def online_store_run(tmp_path: Path, began: datetime) -> tuple[Journal, Path]:
    """A rehearsal of the online store begun at `began`, this OS user its commander."""
    text = PLAN.read_text(encoding="utf-8").replace('user = "alice"', f'user = "{os_login()}"')
    loaded = parse_plan(text, name=str(PLAN))
    runs = tmp_path / "runs"
    journal = Journal.create(runs, loaded, rehearsal=True, created_by=os_login())
    journal.append(
        RunStarted(actor="alice", at=began, plan_id=loaded.plan.plan.id, key="go", mode="rehearsal")
    )
    return journal, runs


def status_json(capsys, run: str, runs: Path, *at: str) -> dict:
    capsys.readouterr()
    assert main(["status", run, "--runs", str(runs), "--json", *at]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_sealed_start_is_longer_than_an_event_text_may_be(tmp_path: Path) -> None:
    journal, _ = online_store_run(tmp_path, datetime.now(UTC) - timedelta(minutes=30))
    start = journal.events()[0]
    assert isinstance(start, RunStarted) and len(start.plan_copy or "") > 4000  # the trap


def test_status_at_an_earlier_moment_keeps_the_start(tmp_path: Path, capsys) -> None:
    now = datetime.now(UTC)
    journal, runs = online_store_run(tmp_path, now - timedelta(minutes=30))
    first = "freeze-legacy"  # ready once the run has started
    journal.append(
        StepStarted(actor="alice", at=now - timedelta(minutes=25), step=first, key=uuid4().hex)
    )
    journal.append(
        NoteAdded(actor="alice", at=now - timedelta(minutes=5), text="later", key=uuid4().hex)
    )
    journal.close()
    then = (now - timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M")
    report = status_json(capsys, journal.run_id, runs, "--at", then)
    assert (report["mode"], report["phase"]) == ("rehearsal", "running"), report
    step = next(s for s in report["steps"] if s["id"] == first)
    assert step["status"] == "running"


def test_status_now_folds_an_event_dated_a_little_ahead(tmp_path: Path, capsys) -> None:
    now = datetime.now(UTC)
    journal, runs = online_store_run(tmp_path, now - timedelta(minutes=30))
    first = "freeze-legacy"  # ready once the run has started
    # Within the two minutes ahead a time may be (another host's clock, engine/times.py).
    journal.append(
        StepStarted(actor="alice", at=now + timedelta(seconds=60), step=first, key=uuid4().hex)
    )
    journal.close()
    report = status_json(capsys, journal.run_id, runs)
    assert (report["mode"], report["phase"]) == ("rehearsal", "running"), report
    step = next(s for s in report["steps"] if s["id"] == first)
    assert step["status"] == "running"  # as the war room, which folds the whole log, shows it

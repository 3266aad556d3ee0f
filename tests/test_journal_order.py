"""Runs are put in the order they were made, not in the order of their file names."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

from cutover_tui.engine.events import RunStarted
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.run_lookup import latest_open_run, list_runs, rehearsals_of
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from tests.journal_support import T0, plan_text


def test_runs_made_in_one_second_keep_the_order_they_were_made_in(tmp_path: Path) -> None:
    # Regression: rehearsals_of sorted by a creation time to the second and list_runs by file
    # name, where "jt-rehearsal-...-HHMMSS-2.db" comes before "...-HHMMSS.db" and "-10"
    # before "-2": the rehearsal trend was drawn out of order.
    ids = [f"jt-rehearsal-20261130-160000{suffix}" for suffix in ("", "-2", "-3")]
    for run_id in ids:
        loaded = parse_plan(plan_text(steps=2), name="jt.toml")
        journal = Journal.create(tmp_path, loaded, rehearsal=True, created_by=os_login())
        journal.close()
        (tmp_path / f"{journal.run_id}.db").rename(tmp_path / f"{run_id}.db")
        with sqlite3.connect(tmp_path / f"{run_id}.db") as db:
            db.execute("DROP TRIGGER meta_no_update")  # made as runs were before the seal
            db.execute("UPDATE meta SET value = ? WHERE key = 'run_id'", (run_id,))
            db.execute(
                "UPDATE meta SET value = '2026-11-30T16:00:00+00:00' WHERE key = 'created_at'"
            )
    assert sorted(p.name for p in tmp_path.glob("*.db"))[0] == f"{ids[1]}.db"  # the trap
    assert [r.run_id for r in list_runs(tmp_path)] == ids
    assert [run_id for run_id, _ in rehearsals_of(tmp_path, "jt")] == ids


def test_new_runs_are_ordered_to_the_microsecond(tmp_path: Path) -> None:
    loaded = parse_plan(plan_text(steps=2), name="jt.toml")
    made = []
    for _ in range(3):
        journal = Journal.create(tmp_path, loaded, rehearsal=False, created_by=os_login())
        journal.append(RunStarted(actor="boss", at=T0, plan_id="jt", key=uuid.uuid4().hex))
        made.append(journal.run_id)
        journal.close()
    runs = list_runs(tmp_path)
    assert [r.run_id for r in runs] == made
    assert all("." in r.created_at for r in runs)  # microseconds
    latest = latest_open_run(tmp_path, "jt")
    assert latest is not None and latest.run_id == made[-1]

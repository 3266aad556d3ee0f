"""`cutover do RUN ACTION --note ...`: the note is kept on the event, or the command is refused
before anything is written; never recorded without the operator's words (review, 2026-12-03:
`complete STEP --note "..."` wrote a completion and dropped the note). The fast path
(cli/do_fast_moves.py) writes the very row the full path writes, note and all."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cutover_tui.cli.do_commands import ACTIONS
from cutover_tui.engine.actions import TAKES_NOTE, Words, event_for
from cutover_tui.engine.events import dump_event
from cutover_tui.journal import do_facts
from cutover_tui.journal.do_moves import with_moves
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from tests.test_do_fast_moves import PROBE, ROOT, TAKEN, fast, new_run, rows, today, wait_for_moves

SAID = "rows copied: 1,204,331, checksums match"


def cutover(tmp_path: Path, run_id: str, *argv: str, probe: bool = False, refresh: str = "1"):
    """`cutover do RUN ARGV` in a fresh process on tmp_path's runs; `probe`: under PROBE;
    `refresh` "0": the fast note's facts kept in the command, none refreshed after."""
    env = dict(os.environ, CUTOVER_RUNS=str(tmp_path / "runs"), CUTOVER_STATE=str(tmp_path / "s"))
    env["CUTOVER_FACTS_REFRESH"] = refresh
    env["PYTHONPATH"] = str(ROOT)
    head = ["-c", PROBE] if probe else ["-m", "cutover_tui.cli"]
    done = subprocess.run(
        [sys.executable, *head, "do", run_id, *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def bodies(path: Path) -> list[str]:
    db = sqlite3.connect(path)
    try:
        return [row[0] for row in db.execute("SELECT body FROM events ORDER BY seq")]
    finally:
        db.close()


def test_a_completion_keeps_its_note_and_a_start_refuses_one(tmp_path: Path) -> None:
    path = new_run(tmp_path / "runs", ())
    run_id = Journal(path).run_id
    assert cutover(tmp_path, run_id, "start", "a").returncode == 0
    done = cutover(tmp_path, run_id, "complete", "a", "--note", SAID)
    assert done.returncode == 0, done.stderr
    journal = Journal(path)
    try:
        completed = journal.events()[-1]
        assert completed.type == "step-completed" and completed.note == SAID
    finally:
        journal.close()
    before = bodies(path)
    refused = cutover(tmp_path, run_id, "start", "b", "--note", "starting now")
    assert refused.returncode == 2
    assert (
        refused.stderr.count("\n") == 1
        and "start keeps no --note (nothing recorded)" in refused.stderr
    )
    assert "(nothing recorded)" in refused.stderr
    assert bodies(path) == before


def test_the_fast_path_writes_the_note_the_full_path_writes(tmp_path: Path) -> None:
    a = new_run(tmp_path / "a", ())
    b = tmp_path / "b.db"
    shutil.copy(a, b)
    for n, argv in enumerate(
        (["RUN", "start", "a"], ["RUN", "complete", "a", "--note", SAID, "--key", "k-done"])
    ):
        now = TAKEN + timedelta(minutes=n)
        journal = Journal(b)
        facts = with_moves(do_facts.take(journal, os_login(), now), journal.state(), now)
        journal.close()
        argv = [*argv, "--key", f"k{n}"] if "--key" not in argv else argv
        assert today(a, argv, os_login(), now, 10.0 + n, "boot") is None
        assert fast(b, argv, facts, now, 10.0 + n, "boot"), argv
        assert rows(a) == rows(b)
    assert f'"note":"{SAID}"' in bodies(b)[-1]


def test_a_real_fast_completion_keeps_its_note(tmp_path: Path) -> None:
    path = new_run(tmp_path / "runs", ())
    run_id = Journal(path).run_id
    assert cutover(tmp_path, run_id, "start", "a", probe=True).returncode == 0
    wait_for_moves(run_id, path, 2, tmp_path / "s")
    done = cutover(tmp_path, run_id, "complete", "a", "--note", SAID, probe=True)
    assert done.returncode == 0 and done.stderr.strip() == "LOADED -", done.stderr  # fast
    assert f'"note":"{SAID}"' in bodies(path)[-1]
    wait_for_moves(run_id, path, 3, tmp_path / "s")  # no refresh left running


@pytest.mark.parametrize("action", sorted(set(ACTIONS) - {"send"}))  # send: comms_commands
def test_takes_note_names_exactly_the_actions_whose_event_keeps_it(action: str) -> None:
    words = Words(
        note="<the-note>",
        reason="r",
        evidence="e",
        risks=("x",),
        duration="5m",
        title="t",
        owner="boss",
        template="t",
        to=("all",),
        subject="s",
        outcome="completed",
        severity="sev2",
        giver="boss",
    )
    target = {"handover": "commander"}.get(action, "3")
    now = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
    event = event_for(action, target, words, actor="boss", at=now, key="k")
    assert ("<the-note>" in dump_event(event)) == (action in TAKES_NOTE)

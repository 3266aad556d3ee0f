"""A plan the current OS user commands, and helpers for journal tests in real processes."""

from __future__ import annotations

import sqlite3
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from cutover_tui.engine.events import NoteAdded, RunStarted, StepCompleted, StepStarted
from cutover_tui.journal.backend import create_at
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan

T0 = datetime.fromisoformat("2026-11-27T22:00:00+00:00")


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def plan_text(
    steps: int = 40, commander_login: str | None = None, window_start: datetime = T0
) -> str:
    """`steps` independent 10-minute tasks, one contested step, a 15m trigger, a rollback,
    in a four-hour window from `window_start` (UTC)."""
    login = commander_login or os_login()
    out = [
        f"""format = 1
[plan]
id = "jt"
title = "Journal test"
timezone = "UTC"
[window]
start = {window_start:%Y-%m-%dT%H:%M:%S}
end = {window_start + timedelta(hours=4):%Y-%m-%dT%H:%M:%S}
buffer = "10%"
[people.boss]
name = "The Boss"
user = "{login}"
roles = ["commander"]
[people.op]
name = "An Operator"
user = "someone-else"
roles = ["operator"]
[[step]]
id = "contested"
title = "Everyone wants to close this one"
owner = "boss"
duration = "10m"
[[step]]
id = "slow"
title = "A step with a trigger"
owner = "op"
duration = "15m"
[rollback]
owner = "boss"
rto = "1h"
[[rollback.step]]
id = "rb"
title = "Put it back"
owner = "boss"
duration = "20m"
[[trigger]]
id = "slow-stuck"
step = "slow"
condition = "running-over"
limit = "30m"
action = "rollback"
"""
    ]
    for i in range(steps):
        out.append(f'[[step]]\nid = "s{i}"\ntitle = "Step {i}"\nowner = "boss"\nduration = "10m"\n')
    return "\n".join(out)


def new_run(directory: Path | str, steps: int = 40) -> Journal:
    """A started run in `directory`, or in PostgreSQL when it is a URL (the `where` fixture)."""
    loaded = parse_plan(plan_text(steps), name="jt.toml")
    journal = create_at(directory, loaded, rehearsal=False, created_by=os_login())
    journal.append(RunStarted(actor="boss", at=at(0), plan_id="jt", key=uuid.uuid4().hex))
    return journal


def worked(directory: Path) -> Path:
    """A run in `directory` with one step done and a note (closed): its file's path."""
    journal = new_run(directory, steps=4)
    journal.append(StepStarted(actor="boss", at=at(1), step="s0", key="a"))
    journal.append(StepCompleted(actor="boss", at=at(5), step="s0", key="b"))
    journal.append(NoteAdded(actor="boss", at=at(6), text="fine", key="c"))
    journal.close()
    return journal.path


def after_a_file_clock_tick(path: Path) -> None:
    """Wait until a file written now gets a later ctime than `path` has."""
    before = path.stat().st_ctime_ns
    probe = path.parent / "clock.probe"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        probe.write_bytes(b"tick")
        if probe.stat().st_ctime_ns > before:
            probe.unlink()
            return
    raise AssertionError("the file system's clock did not move in 10 s")


def copy_of(path: Path, into: Path) -> None:
    """A consistent copy of the run file at `path` as one file at `into` (no WAL beside it)."""
    src, dst = sqlite3.connect(path), sqlite3.connect(into)
    src.backup(dst)
    src.close()
    dst.execute("PRAGMA journal_mode = DELETE")
    dst.close()

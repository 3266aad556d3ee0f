"""A process that holds a run open through SQLite never reads it raw (journal/sqlite_io.py).

POSIX drops every lock a process holds on a file when it closes any descriptor of it. The
war room's prior search read every run file in the folder through one raw descriptor
(journal/run_snapshot.py), its own run's file too: the close took SQLite's locks away, the
next `cutover do` believed itself the last reader, checkpointed and removed the WAL under
the war room, and the run file was malformed at the next write (found in tmux: a war room
open on a rehearsal, `cutover do RUN start`, `cutover do RUN complete`, and `verify` said
"database disk image is malformed").
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from cutover_tui.engine.events import NoteAdded
from cutover_tui.journal import run_snapshot
from cutover_tui.rehearse.prior_history import all_summaries
from tests.journal_support import at, new_run


def _empty_wal(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # as after another process's last close


def _open_and_close_elsewhere(path: Path) -> None:
    """Another process opens the file through SQLite and closes it: if it holds the only
    lock, its close checkpoints and removes the WAL."""
    code = "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.execute('SELECT count(*) FROM events').fetchone(); db.close()"
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, timeout=60)


def test_a_raw_read_keeps_this_process_s_sqlite_locks(tmp_path: Path) -> None:
    journal = new_run(tmp_path, steps=4)
    _empty_wal(journal.db)
    wal = Path(f"{journal.path}-wal")
    assert wal.exists()
    opened = run_snapshot.open_bytes(journal.path)
    _open_and_close_elsewhere(journal.path)
    assert wal.exists(), "another process's close took the WAL: this process's locks are gone"
    assert opened is None  # held through SQLite: never read raw
    journal.close()


def test_the_prior_search_beside_an_open_run_loses_nothing(tmp_path: Path) -> None:
    journal = new_run(tmp_path, steps=4)
    _empty_wal(journal.db)
    all_summaries(tmp_path, "jt")  # the war room's odds worker, its own run in the folder
    cli = [sys.executable, "-m", "cutover_tui.cli", "do", journal.run_id, "note"]
    env = {**os.environ, "CUTOVER_FACTS_REFRESH": "0"}
    for n in range(3):
        subprocess.run(
            [*cli, "--note", f"from the CLI {n}", "--runs", str(tmp_path)],
            check=True,
            timeout=120,
            env=env,
            capture_output=True,
        )
        journal.append(NoteAdded(actor="boss", at=at(2 + n), text=f"in process {n}", key=f"k{n}"))
    journal.close()
    db = sqlite3.connect(journal.path)
    assert db.execute("PRAGMA quick_check").fetchone() == ("ok",)
    notes = db.execute("SELECT count(*) FROM events WHERE type = 'note-added'").fetchone()
    assert notes == (6,)

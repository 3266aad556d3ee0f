"""Regression tests for a review of the listing record and the fast note (issue 14).

- F1: a group member writing a run file through a shared memory map can change bytes without
  the kernel setting its ctime again; the record must not vouch for bytes by stat alone.
- F2: a rollback `-journal` beside a run is rolled back by every SQLite reader: bytes read
  whole without it are not the run others read.
- F3: a file named `*.db` is not read whole before its header says it is a database.
- F4: Ctrl-C while a fast note waits on a busy run exits 130 without a traceback.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tracemalloc
from pathlib import Path

from cutover_tui.cli import main
from cutover_tui.journal import run_snapshot
from cutover_tui.journal.listing import listed
from cutover_tui.journal.store import Journal
from tests.journal_support import new_run, worked
from tests.signals_support import as_foreground
from tests.waiting import exited, until


def summaries(directory: Path) -> dict[str, str]:
    return {item.run.path.name: item.run.summary for item in listed(directory, judge=True)}


def rewrite_in_place(path: Path) -> None:
    """Change one note's bytes, same length, without SQLite (as a memory map would)."""
    data = bytearray(path.read_bytes())
    at_ = data.find(b'"fine"')
    assert at_ > 0
    data[at_ : at_ + 6] = b'"FINE"'
    with open(path, "r+b") as f:
        f.write(data)


def test_bytes_changed_under_an_unmoved_ctime_are_walked_again(state, tmp_path) -> None:
    directory = tmp_path / "runs"
    directory.mkdir()
    run = worked(directory)
    assert summaries(directory)[run.name] == "running, 1/6 steps closed"
    rewrite_in_place(run)
    # The kernel left the stat as it was (a page already dirty in a shared map): the record's
    # entry is made to match the file's stat now, as it would have.
    record = next((state / "listed").iterdir())
    data = json.loads(record.read_bytes())
    info = os.stat(run)
    stat_now = [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]
    data["runs"][run.name]["file"][:5] = stat_now
    record.write_text(json.dumps(data))
    assert summaries(directory)[run.name].startswith("DAMAGED")


def test_a_rollback_journal_beside_a_run_sends_it_through_sqlite(state, tmp_path) -> None:
    directory = tmp_path / "runs"
    directory.mkdir()
    run = worked(directory)
    assert run_snapshot.open_bytes(run) is not None
    Path(f"{run}-journal").write_bytes(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + bytes(504))
    assert run_snapshot.open_bytes(run) is None


def test_a_run_not_in_wal_mode_is_not_read_whole(state, tmp_path) -> None:
    directory = tmp_path / "runs"
    directory.mkdir()
    run = worked(directory)
    db = sqlite3.connect(run, isolation_level=None)
    db.execute("PRAGMA journal_mode=DELETE")  # a hot journal would be of this mode
    db.close()
    assert run_snapshot.open_bytes(run) is None
    assert summaries(directory)[run.name] == "running, 1/6 steps closed"  # read as before


def test_junk_named_db_is_not_read_whole(state, tmp_path) -> None:
    junk = tmp_path / "junk.db"
    with open(junk, "wb") as f:
        f.truncate(64 * 2**20)  # sparse: 64 MB of nothing
    tracemalloc.start()
    try:
        assert run_snapshot.open_bytes(junk) is None
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2**20


def test_a_header_of_the_wrong_size_is_no_whole_database() -> None:
    header = bytearray(100)
    header[:16] = b"SQLite format 3\x00"
    header[16:18] = (4096).to_bytes(2, "big")
    header[18:20] = b"\x02\x02"
    header[24:28] = header[92:96] = (7).to_bytes(4, "big")
    header[28:32] = (3).to_bytes(4, "big")
    assert run_snapshot.whole_wal_database(bytes(header), 3 * 4096)
    assert not run_snapshot.whole_wal_database(bytes(header), 3 * 4096 + 1)
    header[92:96] = (6).to_bytes(4, "big")  # the page count is stale
    assert not run_snapshot.whole_wal_database(bytes(header), 3 * 4096)


def _holds_open(pid: int, path: Path) -> bool:
    try:
        return any(
            os.readlink(f"/proc/{pid}/fd/{fd}") == str(path) for fd in os.listdir(f"/proc/{pid}/fd")
        )
    except OSError:
        return False


def test_ctrl_c_while_a_fast_note_waits_exits_quietly(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    runs = tmp_path / "runs"
    journal = new_run(runs, steps=3)
    journal.close()
    note = ["do", journal.run_id, "note", "--note", "{}", "--runs", str(runs)]
    assert main([*note[:4], "first", *note[5:]]) == 0  # the full path keeps this user's facts
    holder = sqlite3.connect(journal.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a writer busy with the run
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "cutover_tui.cli", *note[:4], "second", *note[5:]],
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=as_foreground,  # Ctrl-C as at a terminal, however the suite was started
        )
        until(lambda: _holds_open(child.pid, journal.path), "the note opened the run")
        child.send_signal(signal.SIGINT)
        code = exited(child.pid)
        assert child.stderr is not None
        err = child.stderr.read()
        child.wait()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 130 and "Traceback" not in err, err
    assert len(Journal(journal.path).events()) == 2  # nothing written

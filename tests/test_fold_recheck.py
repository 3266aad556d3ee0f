"""The boot worker's fold is adopted only when the opening connection's log holds every row
it folded (journal/fold_recheck.py; issue 14, the hostile review's first finding).

Regression: `Journal.adopt` checked only that the log still held the fold's last row with its
hash, and `adopt_folded` found the fold by the inode of the PATH at adopt time. A group member
(shared mode) who rewrote row 3's body (its hash kept) or deleted it after the worker read it,
or who put a forged copy at the path (delete and create, or two renames around the open), got
the run opened; the usual open refuses it: "hash chain is broken". Real run files, a real
second writer (another process), the tamper made with sqlite3 as that member would.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from hashlib import sha256
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cutover_tui.cli.warroom_commands import war_room_parts
from cutover_tui.journal import fold_ahead as ahead
from cutover_tui.journal.fold_recheck import holds_fold
from cutover_tui.journal.store import Journal
from cutover_tui.journal.trust import guard
from cutover_tui.tui.boot import Refusal
from tests.boot_support import run_file
from tests.journal_support import copy_of
from tests.test_tui_boot_fold import second_writer

REFUSED = "hash chain is broken"


@pytest.fixture(autouse=True)
def _nothing_left_ahead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CUTOVER_RUNS", str(tmp_path))
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    ahead.forget_folded()
    yield
    ahead.forget_folded()


def noted_run(directory: Path) -> Path:
    """A run with five events: rows 3 and 5 are notes ("a note", "later note")."""
    path = run_file(directory)
    second_writer(path, "s1", "a note")
    second_writer(path, "s2", "later note")  # rows 4 and 5: the fold's last row stays
    return path


def folded_in_a_worker(path: Path) -> None:
    worker = threading.Thread(target=ahead.fold_ahead, args=(path,), name="boot-worker")
    worker.start()
    worker.join()


def as_a_group_member(path: Path, sql: str) -> None:
    """`sql` run on the file with its triggers dropped and put back (the schema looks the same)."""
    db = sqlite3.connect(path, isolation_level=None)
    triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _ in triggers:
        db.execute(f"DROP TRIGGER {name}")
    db.execute(sql)
    for _, create in triggers:
        db.execute(create)
    db.close()


REWRITE_ROW_3 = "UPDATE events SET body = replace(body, 'a note', 'a lie') WHERE seq = 3"
DELETE_ROW_3 = "DELETE FROM events WHERE seq = 3"


def opened(path: Path) -> str:
    parts = war_room_parts(Journal(path), read_only=False)
    return parts.line if isinstance(parts, Refusal) else "OPENED"


@pytest.mark.parametrize("tamper", [REWRITE_ROW_3, DELETE_ROW_3], ids=["rewritten", "deleted"])
@pytest.mark.parametrize("worker", [False, True], ids=["usual", "worker-folded"])
def test_a_row_tampered_after_the_workers_fold_is_refused_as_without_it(
    tmp_path: Path, tamper: str, worker: bool
) -> None:
    path = noted_run(tmp_path)
    if worker:
        folded_in_a_worker(path)  # the boot's worker read row 3 as it was
    as_a_group_member(path, tamper)
    assert REFUSED in opened(path)


def test_an_untouched_run_still_adopts_the_workers_fold(tmp_path: Path) -> None:
    path = noted_run(tmp_path)
    folded_in_a_worker(path)
    journal = Journal(path)
    assert ahead.adopt_folded(journal) and journal._fold.logged == 5
    assert guard(journal) is None


def forged_copy(path: Path, into: Path) -> None:
    """A copy of the run with row 3 rewritten (its hash kept), as one file (no WAL)."""
    copy_of(path, into)
    as_a_group_member(into, REWRITE_ROW_3)


def test_a_forged_file_created_at_the_same_path_is_refused(tmp_path: Path) -> None:
    """Deleted and created again: on ext4 the new file may get the same (device, inode)."""
    path = noted_run(tmp_path)
    forged = tmp_path / "forged.db"
    forged_copy(path, forged)
    data = forged.read_bytes()
    forged.unlink()
    folded_in_a_worker(path)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.write_bytes(data)
    os.chmod(path, 0o660)
    assert REFUSED in opened(path)


def test_two_renames_around_the_open_do_not_lend_the_fold_to_another_file(tmp_path: Path) -> None:
    """The connection opens the forged file; the real one is back at the path by the adopt."""
    path = noted_run(tmp_path)
    forged = tmp_path / "forged.tmp"
    forged_copy(path, forged)
    folded_in_a_worker(path)
    keep = tmp_path / "a.keep"
    os.link(path, keep)
    os.rename(forged, path)
    journal = Journal(path)  # on the forged file
    os.rename(keep, path)  # the real file back before adopt_folded looks at the path
    assert not ahead.adopt_folded(journal)
    assert REFUSED in (guard(journal) or "")


def test_a_busy_file_is_left_to_the_open_within_a_fifth_of_a_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: the worker's connection waited the journal's 15 s on a locked file."""
    path = run_file(tmp_path)
    waits: list[float] = []
    real = sqlite3.connect

    def connect(*args, **kwargs):
        waits.append(kwargs.get("timeout", 5.0))
        return real(*args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect)
    holder = real(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert ahead.fold_ahead(path) is None  # busy: left to the open
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert waits and max(waits) <= 0.2, waits


# -- the walk itself, over any log and any one change to it ---------------------------------


def made_log(bodies: list[str]) -> tuple[sqlite3.Connection, str]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY, body TEXT, prev TEXT, hash TEXT)")
    head = "0" * 64
    for seq, body in enumerate(bodies, start=1):
        digest = sha256(f"{head}\n{body}".encode()).hexdigest()
        db.execute("INSERT INTO events VALUES (?, ?, ?, ?)", (seq, body, head, digest))
        head = digest
    return db, head


CHANGES = [
    "UPDATE events SET body = body || 'x' WHERE seq = :n",
    "DELETE FROM events WHERE seq = :n",
    "UPDATE events SET seq = -seq WHERE seq = :n",
    "INSERT INTO events SELECT 0, body, prev, hash FROM events WHERE seq = :n",
    "UPDATE events SET prev = hash WHERE seq = :n",
]


@settings(max_examples=200, deadline=None)
@given(
    bodies=st.lists(st.text(max_size=8), min_size=1, max_size=30),
    appended=st.integers(0, 3),
    change=st.sampled_from(CHANGES),
    data=st.data(),
)
def test_the_walk_holds_exactly_when_no_folded_row_changed(
    bodies: list[str], appended: int, change: str, data: st.DataObject
) -> None:
    db, head = made_log(bodies)
    logged = len(bodies)
    extra, _ = made_log(bodies + ["more"] * appended)  # rows appended after the fold: fine
    assert holds_fold(db, logged, head) and holds_fold(extra, logged, head)
    n = data.draw(st.integers(1, logged))
    db.execute(change, {"n": n})
    assert not holds_fold(db, logged, head)


def test_a_snapshot_is_adopted_on_either_backend_and_not_one_that_differs(where) -> None:
    """The delivery thread adopts its conductor's fold through the same walk
    (clock/delivery.py), on a run file or in PostgreSQL (journal/pg_sql.py's connection)."""
    from cutover_tui.engine.events import NoteAdded
    from cutover_tui.journal.backend import open_at
    from tests.journal_support import at, new_run

    writer = new_run(where)
    writer.append(NoteAdded(actor="boss", at=at(1), text="one", key="n1"))
    reader = open_at(writer.locator)
    assert reader.adopt(writer.fold_snapshot())
    assert reader.state().event_count == writer.state().event_count and not reader.broken
    reader.close()
    other = writer.fold_snapshot()
    other.head = "f" * 64  # another log's head: walked to the end, it is not this one
    stranger = open_at(writer.locator)
    assert not stranger.adopt(other)
    stranger.close()
    writer.close()

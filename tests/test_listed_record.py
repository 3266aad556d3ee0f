"""Each user's record of runs already judged (journal/listed_record.py, run_snapshot.py): an
unchanged run is not walked again, and anything changed, or any record not plainly this
user's own, is walked as before (issue 14).

Files made by a test are seconds old, younger than SETTLE_NS, so the record would keep none of
them: the tests that need an entry set SETTLE_NS to 0 and, before they alter a remembered
file, wait (on a condition, with a deadline) until the file system's clock has moved past
that file's ctime, so the change cannot fall in the same tick.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cutover_tui.engine.events import NoteAdded
from cutover_tui.journal import listed_record, listing, run_snapshot, seen
from cutover_tui.journal.listing import listed
from cutover_tui.journal.store import Journal
from tests.journal_support import after_a_file_clock_tick, at, worked


def runs_dir(tmp_path: Path, count: int = 2) -> tuple[Path, list[Path]]:
    directory = tmp_path / "runs"
    directory.mkdir()
    return directory, [worked(directory) for _ in range(count)]


def walks_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count each chain walked from here on."""
    calls: list[int] = []
    real = listing.walked

    def counted(db):
        calls.append(1)
        return real(db)

    monkeypatch.setattr(listing, "walked", counted)
    return calls


def tamper(path: Path, keep_mtime: bool = True) -> None:
    """A group member edits a note's body in place and sets the mtime back."""
    after_a_file_clock_tick(path)
    was = path.stat()
    db = sqlite3.connect(path, isolation_level=None)
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    db.execute("UPDATE events SET body = replace(body, 'fine', 'FINE') WHERE seq = 4")
    db.close()
    assert not Path(f"{path}-wal").exists()  # checkpointed into the file itself
    if keep_mtime:
        os.utime(path, ns=(was.st_atime_ns, was.st_mtime_ns))
        assert path.stat().st_size == was.st_size


def summaries(directory: Path) -> dict[str, str]:
    return {
        item.run.path.name: "NOT TRUSTED" if item.distrusted else item.run.summary
        for item in listed(directory, judge=True)
    }


def record_file(state: Path) -> Path:
    (found,) = (state / "listed").iterdir()
    return found


def test_an_unchanged_run_is_not_walked_again(state, tmp_path, monkeypatch) -> None:
    directory, _ = runs_dir(tmp_path)
    first = listed(directory, judge=True)
    walks = walks_counted(monkeypatch)
    again = listed(directory, judge=True)
    assert walks == [] and again == first  # every field, from the record
    assert listed(directory) == first  # an unjudged listing reads it too
    assert record_file(state).stat().st_mode & 0o077 == 0


def test_a_row_altered_in_a_remembered_run_is_caught(state, tmp_path, monkeypatch) -> None:
    directory, (good, altered) = runs_dir(tmp_path)
    assert set(summaries(directory).values()) == {"running, 1/6 steps closed"}
    tamper(altered)
    walks = walks_counted(monkeypatch)
    assert summaries(directory) == {
        good.name: "running, 1/6 steps closed",
        altered.name: "DAMAGED: cutover verify says how",
    }
    assert len(walks) == 2  # the altered file twice (its bytes, then SQLite's own reading)
    assert summaries(directory)[altered.name].startswith("DAMAGED")  # and on every listing


def test_a_run_swapped_for_an_altered_copy_is_caught(state, tmp_path) -> None:
    directory, (_, victim) = runs_dir(tmp_path)
    copy = tmp_path / "copy.db"
    copy.write_bytes(victim.read_bytes())
    summaries(directory)
    tamper(copy)
    was = victim.stat()
    os.replace(copy, victim)
    os.utime(victim, ns=(was.st_atime_ns, was.st_mtime_ns))
    assert summaries(directory)[victim.name].startswith("DAMAGED")


def test_a_run_changed_lately_is_not_remembered(state, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(listed_record, "SETTLE_NS", 3600 * 10**9)  # every file is "recent"
    directory, _ = runs_dir(tmp_path)
    listed(directory, judge=True)
    walks = walks_counted(monkeypatch)
    listed(directory, judge=True)
    assert len(walks) == 2


def test_a_changed_memory_of_the_head_is_judged_again(state, tmp_path) -> None:
    directory, (_, run) = runs_dir(tmp_path)
    assert summaries(directory)[run.name].startswith("running")
    journal = Journal(run)
    seen.remember(journal.run_id, run, 9, "ab" * 32)  # this user once read event 9
    journal.close()
    assert summaries(directory)[run.name] == "NOT TRUSTED"


def test_a_run_whose_wal_holds_frames_is_read_through_sqlite(state, tmp_path) -> None:
    directory, (_, run) = runs_dir(tmp_path)
    writer = Journal(run)
    writer.append(NoteAdded(actor="boss", at=at(8), text="later", key="w"))  # in the WAL
    try:
        assert Path(f"{run}-wal").stat().st_size > 0
        events = {item.run.path.name: item.run.events for item in listed(directory, judge=True)}
        assert events[run.name] == 5
        entries = json.loads(record_file(state).read_bytes())["runs"]
        assert run.name not in entries and len(entries) == 1
    finally:
        writer.close()


def forge(state: Path, how: str, altered: Path, tmp_path: Path) -> None:
    """Make the record vouch for the altered file, in a way that must not be believed."""
    record = record_file(state)
    data = json.loads(record.read_bytes())
    data["runs"][altered.name]["file"] = listing.run_snapshot.open_bytes(altered).key
    if how == "well formed":
        record.write_text(json.dumps(data))
    elif how == "group-writable":
        record.write_text(json.dumps(data))
        record.chmod(0o660)
    elif how == "symlinked file":
        elsewhere = tmp_path / "forged.json"
        elsewhere.write_text(json.dumps(data))
        elsewhere.chmod(0o600)
        record.unlink()
        record.symlink_to(elsewhere)
    elif how == "symlinked folder":
        elsewhere = tmp_path / "forged"
        elsewhere.mkdir(mode=0o700)
        (elsewhere / record.name).write_text(json.dumps(data))
        (elsewhere / record.name).chmod(0o600)
        record.unlink()
        record.parent.rmdir()
        record.parent.symlink_to(elsewhere)
    elif how == "another directory's":
        data["directory"] = str(tmp_path / "elsewhere")
        record.write_text(json.dumps(data))
    elif how == "another code's":
        data["code"] = "0" * 64
        record.write_text(json.dumps(data))
    elif how == "wrong shapes":
        data["runs"][altered.name]["info"]["events"] = "4"
        record.write_text(json.dumps(data))
    elif how == "not json":
        record.write_bytes(b"\x00{garbage")
    elif how == "another user's":
        record.write_text(json.dumps(data))
        try:
            os.chown(record, 65534, 65534)
        except PermissionError:
            pytest.skip("these tests cannot chown (not root): another user's record untested")


def test_a_record_in_its_own_form_is_believed(state, tmp_path) -> None:
    """The boundary the record draws: this user's own, private record is believed (so each
    forgery below is refused by its check, not by its form)."""
    directory, (_, altered) = runs_dir(tmp_path)
    summaries(directory)
    tamper(altered)
    forge(state, "well formed", altered, tmp_path)
    assert summaries(directory)[altered.name].startswith("running")


@pytest.mark.parametrize(
    "how",
    [
        "group-writable",
        "symlinked file",
        "symlinked folder",
        "another directory's",
        "another code's",
        "wrong shapes",
        "not json",
        "another user's",
    ],
)
def test_a_record_not_plainly_this_users_own_is_ignored(state, tmp_path, how: str) -> None:
    directory, (good, altered) = runs_dir(tmp_path)
    summaries(directory)
    tamper(altered)
    forge(state, how, altered, tmp_path)
    found = summaries(directory)
    assert found[altered.name].startswith("DAMAGED") and found[good.name].startswith("running")


def _list_many(directory: str, state: str, times: int) -> None:
    os.environ["CUTOVER_STATE"] = state
    listed_record.SETTLE_NS = 0
    for _ in range(times):
        found = listed(Path(directory), judge=True)
        assert all(item.run.summary.startswith("running") for item in found)


def test_two_listings_at_once_leave_a_whole_record(state, tmp_path) -> None:
    directory, paths = runs_dir(tmp_path, count=3)
    fork = multiprocessing.get_context("fork")
    workers = [
        fork.Process(target=_list_many, args=(str(directory), str(state), 15)) for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    data = json.loads(record_file(state).read_bytes())
    assert sorted(data["runs"]) == sorted(p.name for p in paths)
    assert [p.name for p in (state / "listed").iterdir()] == [record_file(state).name]


def test_sqlite_reads_the_file_whose_identity_was_taken(tmp_path) -> None:
    """A file swapped by rename after its identity was taken is not the one walked."""
    _, (first, second) = runs_dir(tmp_path)
    opened = run_snapshot.open_bytes(first)
    os.replace(second, first)  # the path now names the other run
    try:
        db = opened.open_db()
    finally:
        opened.close()
    (run_id,) = db.execute("SELECT value FROM meta WHERE key = 'run_id'").fetchone()
    db.close()
    assert first.stem == run_id != second.stem
    assert sorted(p.name for p in first.parent.iterdir()) == [first.name]  # nothing made


def test_a_fifo_named_like_a_run_does_not_hang_the_listing(state, tmp_path) -> None:
    """A group member's FIFO in the runs directory: opened without blocking, named unreadable."""
    directory, _ = runs_dir(tmp_path, count=1)
    os.mkfifo(directory / "stuck.db")
    env = {**os.environ, "CUTOVER_STATE": str(state)}
    done = subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", "runs", "--runs", str(directory)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0 and "stuck" in done.stdout and "UNREADABLE" in done.stdout

"""A cold `cutover runs` (issue 14): each run file read into one buffer and digested with
SHA-256 (journal/run_snapshot.py), its bytes handed to SQLite without another copy, and
this user's memory of each head read once a listing, shared by the guard and the record."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from cutover_tui.journal import run_snapshot, seen
from cutover_tui.journal.listing import listed
from cutover_tui.journal.store import Journal
from tests.journal_support import worked


def runs(tmp_path: Path, count: int) -> tuple[Path, list[Path]]:
    directory = tmp_path / "runs"
    directory.mkdir()
    return directory, [worked(directory) for _ in range(count)]


def test_the_key_ends_with_the_sha256_of_the_very_bytes_read(tmp_path: Path) -> None:
    _, (run,) = runs(tmp_path, 1)
    opened = run_snapshot.open_bytes(run)
    assert opened is not None
    on_disk = run.read_bytes()
    assert bytes(opened.data) == on_disk
    assert opened.key[-1] == hashlib.sha256(on_disk).hexdigest()
    info = os.stat(run)
    assert opened.key[:5] == (
        info.st_dev,
        info.st_ino,
        info.st_size,
        info.st_mtime_ns,
        info.st_ctime_ns,
    )


@pytest.mark.parametrize("change", [b"x", b""])
def test_a_file_not_of_the_size_taken_is_not_read_whole(tmp_path: Path, change: bytes) -> None:
    """Grown (one byte more) or shrunk (one byte less) since its size was taken: the read
    into one buffer, one byte larger than the size, tells, and the run is left to SQLite."""
    _, (run,) = runs(tmp_path, 1)
    size = run.stat().st_size
    data = run.read_bytes()
    run.write_bytes(data + change if change else data[:-1])
    fd = os.open(run, os.O_RDONLY)
    try:
        assert run_snapshot._read_into(fd, memoryview(bytearray(size + 1))) != size
    finally:
        os.close(fd)
    run.write_bytes(data)
    memory = memoryview(bytearray(size + 1))
    fd = os.open(run, os.O_RDONLY)
    try:
        assert run_snapshot._read_into(fd, memory) == size
    finally:
        os.close(fd)
    assert memory[:size] == data


def test_runs_read_into_one_buffer_each_open_their_own_bytes(tmp_path: Path) -> None:
    _, paths = runs(tmp_path, 3)
    buffer = run_snapshot.ReadBuffer()
    for path in paths:
        opened = run_snapshot.open_bytes(path, buffer)
        assert opened is not None
        assert opened.key[-1] == hashlib.sha256(path.read_bytes()).hexdigest()
        db = opened.open_db()
        assert db is not None
        try:
            (run_id,) = db.execute("SELECT value FROM meta WHERE key = 'run_id'").fetchone()
        finally:
            db.close()
        assert run_id == path.stem


def test_a_read_voided_by_the_next_one_opens_nothing(tmp_path: Path) -> None:
    """Bytes read into a shared buffer that another file was read into since are never
    handed to SQLite as the first file's: the caller reads that file through SQLite."""
    _, (first, second) = runs(tmp_path, 2)
    buffer = run_snapshot.ReadBuffer()
    opened = run_snapshot.open_bytes(first, buffer)
    assert opened is not None
    assert run_snapshot.open_bytes(second, buffer) is not None  # the same size: overwritten
    assert first.stat().st_size == second.stat().st_size
    assert opened.open_db() is None


def test_the_bytes_are_handed_to_sqlite_once(tmp_path: Path) -> None:
    _, (run,) = runs(tmp_path, 1)
    opened = run_snapshot.open_bytes(run)
    assert opened is not None
    db = opened.open_db()
    assert db is not None
    try:
        assert db.execute("SELECT count(*) FROM events").fetchone()[0] > 0
    finally:
        db.close()
    assert opened.open_db() is None  # handed over: nothing is read twice, nor a stale copy


def count_memory_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each read of a stored memory of a head, by either way seen.py reads one."""
    reads: list[str] = []
    by_folder, by_path = seen.read_private_file, seen.read_private

    def read_file(folder: int, name: str) -> bytes | None:
        reads.append(name)
        return by_folder(folder, name)

    def read(parent: Path, folder_name: str, name: str) -> bytes | None:
        reads.append(name)
        return by_path(parent, folder_name, name)

    monkeypatch.setattr(seen, "read_private_file", read_file)
    monkeypatch.setattr(seen, "read_private", read)
    return reads


def test_a_cold_listing_reads_each_memory_once_and_names_a_rewrite(
    state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory, (kept, rewritten) = runs(tmp_path, 2)
    for run, seq, digest in ((kept, None, None), (rewritten, 9, "ab" * 32)):
        journal = Journal(run)
        seq, digest = (seq, digest) if seq else journal.head
        seen.remember(journal.run_id, run, seq, digest)  # this user read it, cutover status
        journal.close()
    reads = count_memory_reads(monkeypatch)
    found = {item.run.path: item.distrusted for item in listed(directory, judge=True)}
    assert found == {kept: False, rewritten: True}  # the rewrite named, the other trusted
    assert len(reads) == 2 and len(set(reads)) == 2  # one read of each run's memory
    reads.clear()
    found = {item.run.path: item.distrusted for item in listed(directory, judge=True)}
    assert found == {kept: False, rewritten: True}  # warm: the same, from the record
    assert len(reads) == 2


def test_a_memory_changed_between_listings_is_read_anew(
    state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memories are read once a listing, never carried from one listing to the next."""
    directory, (run,) = runs(tmp_path, 1)
    assert [item.distrusted for item in listed(directory, judge=True)] == [False]
    journal = Journal(run)
    seen.remember(journal.run_id, run, 9, "ab" * 32)
    journal.close()
    assert [item.distrusted for item in listed(directory, judge=True)] == [True]


def test_a_listing_reads_every_file_into_one_buffer(
    state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory, paths = runs(tmp_path, 3)
    buffers: list[run_snapshot.ReadBuffer | None] = []
    real = run_snapshot.open_bytes

    def reading(path: Path, buffer: run_snapshot.ReadBuffer | None = None):
        buffers.append(buffer)
        return real(path, buffer)

    monkeypatch.setattr(run_snapshot, "open_bytes", reading)
    assert [item.run.path for item in listed(directory, judge=True)] == paths
    assert len(buffers) == 3 and buffers[0] is not None and len(set(map(id, buffers))) == 1


def test_the_prior_search_reads_every_file_into_one_buffer(
    state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cutover_tui.rehearse import prior_history

    directory, _ = runs(tmp_path, 3)
    buffers: list[run_snapshot.ReadBuffer | None] = []
    real = prior_history.open_bytes

    def reading(path: Path, buffer: run_snapshot.ReadBuffer | None = None):
        buffers.append(buffer)
        return real(path, buffer)

    monkeypatch.setattr(prior_history, "open_bytes", reading)
    assert prior_history.counted_summaries(directory, "jt") == []  # live runs, no rehearsal
    assert len(buffers) == 3 and buffers[0] is not None and len(set(map(id, buffers))) == 1

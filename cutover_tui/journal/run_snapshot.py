"""A run file read whole through one descriptor, and opened in memory from those bytes.

The per-user record of runs already verified (journal/listed_record.py) says "the file with
this identity was walked and found so". That only holds if the bytes walked are the bytes
whose identity was taken: a file swapped by rename between the `stat` and SQLite's own open,
and swapped back after, would have the walk of one file remembered under the other's name.
So the identity comes from `fstat` of the descriptor the bytes are read from, and SQLite
reads those very bytes from memory (`deserialize`), never the path again.

The identity ends with a digest of those bytes: ctime alone does not vouch for them (a
group member writing through a shared memory map changes a page already dirty without the
kernel setting ctime again; found by review). SHA-256, not BLAKE2: OpenSSL's SHA-256 runs on
the CPU's SHA instructions where it has them, twice BLAKE2's speed here (issue 14: the digest
of 200 runs' bytes was a tenth of a cold `cutover runs`).

Only a WAL-mode file whose `-wal` is absent or empty and that has no rollback `-journal` is
read this way: committed events still in a WAL are not in the main file's bytes, and a
leftover `-journal` is rolled back by any SQLite reader, so the bytes here are not what
others read. Such a run (a night in progress, a writer that died) is listed through SQLite
as before and never remembered. Nor is a file whose header does not say it is a whole
SQLite database of its size: nothing is read whole before that.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

from .sqlite_io import raw_descriptor

# Above this a run is read through SQLite as before (the bytes would be held twice in memory).
SNAPSHOT_MAX_BYTES = 128 * 2**20
# Bytes 18-19 of a database header: 2, 2 in WAL mode, which an in-memory copy cannot be.
_WAL_HEADER = slice(18, 20)
_MAGIC = b"SQLite format 3\x00"

FileKey = tuple[int, int, int, int, int, str]  # dev, ino, size, mtime_ns, ctime_ns, digest


class ReadBuffer:
    """One buffer that many run files are read into in turn (a listing reads 200 of them).

    A buffer of each file's size made afresh, and SQLite's own copy of it, are new memory the
    kernel maps page by page: 18,000 page faults and a tenth of a cold `cutover runs` for 200
    files (issue 14). Read into one buffer, SQLite's copy too is made where the last one was.
    Each read voids the bytes of the one before: `RunBytes.open_db` of a voided read says
    None (the caller then reads the file through SQLite), never another file's bytes."""

    def __init__(self) -> None:
        self._memory = bytearray()
        self.reads = 0

    def take(self, size: int) -> memoryview:
        """`size` bytes to read into, voiding the last read's."""
        self.reads += 1
        if len(self._memory) < size:  # a new buffer: a view of the old one keeps its own
            self._memory = bytearray(size)
        return memoryview(self._memory)[:size]


@dataclass
class RunBytes:
    """A run file open for reading: its descriptor and the identity of what it reads."""

    path: Path
    data: memoryview  # the bytes read, once: the digest and SQLite's copy are of these
    key: FileKey
    changed_ns: int  # st_ctime_ns: when its bytes or inode last changed
    buffer: ReadBuffer | None = None  # read into a shared buffer: valid while its read is
    read: int = 0

    def open_db(self) -> sqlite3.Connection | None:
        """SQLite reading a copy of these very bytes in memory; None when it will not take
        them, they were handed over already, or the shared buffer they were read into has
        been read into since. (Not through /proc/self/fd/N: SQLite resolves that link back
        to a path.) The bytes are handed over, not copied first: SQLite copies them anyway,
        and nothing reads them after (the digest is taken)."""
        data, self.data = self.data, memoryview(b"")
        if self.buffer is not None and self.buffer.reads != self.read:
            return None
        return snapshot_db(data) if data else None

    def close(self) -> None:
        self.data = memoryview(b"")  # a listing holds one file's bytes at a time


def open_bytes(path: Path, buffer: ReadBuffer | None = None) -> RunBytes | None:
    """The run file read whole through one descriptor (into `buffer` when given), or None
    (read it through SQLite): not a regular file, too large, not a whole WAL-mode database
    by its header, its WAL holds frames or a rollback journal lies beside it."""
    if wal_has_frames(path) or _exists(f"{path}-journal"):
        return None
    try:
        with raw_descriptor(path) as fd:
            if fd is None:  # this process holds it through SQLite: read it that way
                return None
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > SNAPSHOT_MAX_BYTES:
                return None
            if not whole_wal_database(os.pread(fd, 100, 0), info.st_size):
                return None  # nothing is read whole before its header says what it is
            # One byte more than its size: a file grown since the fstat is told apart.
            size = info.st_size
            memory = memoryview(bytearray(size + 1)) if buffer is None else buffer.take(size + 1)
            if _read_into(fd, memory) != size:
                return None  # changed while read: let SQLite read it
    except OSError:
        return None
    data = memory[:size]
    digest = hashlib.sha256(data).hexdigest()
    key = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns, digest)
    read = 0 if buffer is None else buffer.reads
    return RunBytes(path, data, key, info.st_ctime_ns, buffer, read)


def _read_into(fd: int, memory: memoryview) -> int:
    """How many bytes of the file, from its start, fill `memory` (a short read is not the
    end of a file: read on until one says 0 or `memory` is full)."""
    got = 0
    while got < len(memory):
        read = os.preadv(fd, [memory[got:]], got)
        if not read:
            break
        got += read
    return got


def whole_wal_database(header: bytes, size: int) -> bool:
    """Whether a database header says WAL mode and a page count that fills `size` bytes
    (a file of another kind is not read whole only to be refused)."""
    if len(header) < 100 or not header.startswith(_MAGIC) or header[_WAL_HEADER] != b"\x02\x02":
        return False
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    valid_for, changes = header[92:96], header[24:28]  # the count holds only when they agree
    return valid_for == changes and page_size >= 512 and page_size * pages == size


def _exists(path: str) -> bool:
    try:
        os.lstat(path)
        return True
    except FileNotFoundError:
        return False
    except OSError:
        return True  # cannot tell: SQLite reads it


def wal_has_frames(path: Path) -> bool:
    """Whether `path`-wal exists and is not empty (or cannot be told)."""
    try:
        return os.stat(f"{path}-wal").st_size > 0
    except FileNotFoundError:
        return False
    except OSError:
        return True


def snapshot_db(image: bytearray | memoryview) -> sqlite3.Connection | None:
    """An in-memory database of `image` (a WAL-mode header read as the rollback mode it is
    once the WAL is empty: changed in `image`), or None when SQLite will not take it."""
    if image[_WAL_HEADER] == b"\x02\x02":
        image[_WAL_HEADER] = b"\x01\x01"
    db = sqlite3.connect(":memory:", isolation_level=None)
    try:
        db.deserialize(image)
        db.execute("PRAGMA query_only = ON")
        return db
    except sqlite3.Error:
        db.close()
        return None


__all__ = [
    "SNAPSHOT_MAX_BYTES",
    "FileKey",
    "ReadBuffer",
    "RunBytes",
    "open_bytes",
    "snapshot_db",
    "wal_has_frames",
]

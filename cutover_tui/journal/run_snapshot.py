"""A run file read whole through one descriptor, and opened in memory from those bytes.

The per-user record of runs already verified (journal/listed_record.py) says "the file with
this identity was walked and found so". That only holds if the bytes walked are the bytes
whose identity was taken: a file swapped by rename between the `stat` and SQLite's own open,
and swapped back after, would have the walk of one file remembered under the other's name.
So the identity comes from `fstat` of the descriptor the bytes are read from, and SQLite
reads those very bytes from memory (`deserialize`), never the path again.

Only a file whose `-wal` is absent or empty is read this way: committed events still in a
WAL are not in the main file's bytes. Such a run (a night in progress, a writer that died)
is listed through SQLite as before and never remembered.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

# Above this a run is read through SQLite as before (the bytes would be held twice in memory).
SNAPSHOT_MAX_BYTES = 128 * 2**20
# Bytes 18-19 of a database header: 2, 2 in WAL mode, which an in-memory copy cannot be.
_WAL_HEADER = slice(18, 20)

FileKey = tuple[int, int, int, int, int]  # dev, ino, size, mtime_ns, ctime_ns


@dataclass
class RunBytes:
    """A run file open for reading: its descriptor and the identity of what it reads."""

    path: Path
    fd: int
    key: FileKey
    changed_ns: int  # st_ctime_ns: when its bytes or inode last changed

    def read(self) -> bytearray:
        """The file's bytes, read from the descriptor (one copy: SQLite makes its own)."""
        data = bytearray(self.key[2])
        with os.fdopen(os.dup(self.fd), "rb") as f:
            f.seek(0)
            size = f.readinto(data)
        del data[size:]  # shorter than it was a moment ago: what it holds now
        return data

    def open_db(self) -> sqlite3.Connection | None:
        """SQLite reading a copy of these very bytes in memory; None when it will not take
        them. (Not through /proc/self/fd/N: SQLite resolves that link back to a path.)"""
        return snapshot_db(self.read())

    def close(self) -> None:
        os.close(self.fd)


def open_bytes(path: Path) -> RunBytes | None:
    """The run file open for reading whole, or None: not a regular file, too large, or its
    WAL holds frames (read it through SQLite)."""
    if wal_has_frames(path):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)  # a FIFO never blocks
    except OSError:
        return None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > SNAPSHOT_MAX_BYTES:
        os.close(fd)
        return None
    key = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    return RunBytes(path, fd, key, info.st_ctime_ns)


def wal_has_frames(path: Path) -> bool:
    """Whether `path`-wal exists and is not empty (or cannot be told)."""
    try:
        return os.stat(f"{path}-wal").st_size > 0
    except FileNotFoundError:
        return False
    except OSError:
        return True


def snapshot_db(image: bytearray) -> sqlite3.Connection | None:
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
    "RunBytes",
    "open_bytes",
    "snapshot_db",
    "wal_has_frames",
]

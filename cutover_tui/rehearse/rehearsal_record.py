"""Each user's memo of the rehearsals already folded, so opening a run does not fold every
rehearsal of its plan again (issue 14: the pace prior folded them all, every time).

Kept as the record of listed runs is (journal/listed_record.py), with the same machinery:
one JSON file per runs directory in the user's state directory (`rehearsals/`), read and
written through journal/private_dir.py (this user's own, writable by nobody else, never
through a symlink, replaced whole by a rename); anything not plainly so, a file that does
not parse, an entry of the wrong shape, another directory's or another code's memo: ignored,
the runs folded as before.

An entry says: the file with identity (dev, inode, size, mtime_ns, ctime_ns, digest of its
bytes), read through one descriptor with an empty WAL (journal/run_snapshot.py: the digest,
not ctime, vouches for the bytes), is a run of plan P in mode M,
and (for a rehearsal) folded to this summary (rehearse/summary.py), or was damaged. It is used
only while the identity is still so; an entry is kept only for a file unchanged for
listed_record.SETTLE_NS before the search began (a change within one tick of a coarse file
clock could leave its ctime as it was). The fold reads the very bytes whose identity was
taken (journal/bytes_journal.py). The code fingerprint covers every module the fold and the
summary read (the engine, the plan model, the journal, the rehearsal code).
"""

from __future__ import annotations

import functools
import hashlib
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

from ..journal import listed_record
from ..journal.folder_record import read_runs, write_runs
from ..journal.run_snapshot import FileKey

FORMAT = 1
FOLDER = "rehearsals"
_PACKAGES = ("engine", "plan", "journal", "rehearse")  # what a fold and a summary depend on


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(f"{sys.version}\0{sqlite3.sqlite_version}\0".encode())
    for package in _PACKAGES:
        sources = sorted((root / package).glob("*.py"))
        if not sources:  # installed without its source: no print to trust, never a hit
            return os.urandom(32).hex()
        for source in sources:
            h.update(f"{package}/{source.name}\0".encode() + source.read_bytes() + b"\0")
    return h.hexdigest()


class RehearsalRecord:
    """The memo of one runs directory: read at the start of a search, saved at its end."""

    def __init__(self, directory: Path, entries: dict[str, Any], now_ns: int) -> None:
        self.directory = directory
        self.now_ns = now_ns  # when the search began
        self._old = entries
        self._new: dict[str, Any] = {}

    def recall(self, name: str, key: FileKey) -> dict[str, Any] | None:
        """The entry for file `name` while it still describes the file, else None."""
        entry = self._old.get(name)
        if not isinstance(entry, dict) or entry.get("file") != [*key]:
            return None
        if not isinstance(entry.get("plan_id"), str) or not isinstance(entry.get("mode"), str):
            return None
        self._new[name] = entry
        return entry

    def keep(self, name: str, key: FileKey, changed_ns: int, entry: dict[str, Any]) -> None:
        """Remember what file `name` is, unless it changed too lately to tell a later change.
        `entry` holds plan_id, mode, and for a rehearsal of interest `summary` or `damaged`."""
        if changed_ns > self.now_ns - listed_record.SETTLE_NS:  # one knob for both records
            return
        self._new[name] = {"file": [*key], **entry}

    def save(self) -> None:
        """Write what this search found (runs gone from the folder go from the memo);
        silently nothing when the state directory cannot be written."""
        if self._new == self._old:
            return
        write_runs(FOLDER, self.directory, FORMAT, code_fingerprint(), self._new)


def open_record(directory: Path, now_ns: int) -> RehearsalRecord:
    """This user's memo of `directory` (empty when there is none to trust)."""
    return RehearsalRecord(directory, _entries(directory), now_ns)


def _entries(directory: Path) -> dict[str, Any]:
    return read_runs(FOLDER, directory, FORMAT, code_fingerprint())


__all__ = ["FOLDER", "RehearsalRecord", "code_fingerprint", "open_record"]

"""Each user's record of the run files `cutover runs` already walked, so only changed files
are walked again (issue 14: most of a listing was walking every run's hash chain).

One JSON file per runs directory in the user's state directory (`listed/`), read and written
through journal/private_dir.py as the plan cache is: the folder opened once refusing
symlinks, this user's and writable by nobody else, the file a regular file of this user's
that nobody else may write, replaced whole by a rename (two listings at once: the last
rename wins, neither is torn). Anything else, a file that does not parse, an entry of the
wrong shape, another directory's or another code's record: ignored, the runs walked.

An entry says: the file with identity (dev, inode, size, mtime_ns, ctime_ns, digest of its
bytes) read through one descriptor (journal/run_snapshot.py) with an empty WAL was walked and
judged so, while this user's memory of its head (journal/seen.py) was these bytes. It is
used only while all of that is still so. The digest, not ctime, vouches for the bytes: a
write through a shared memory map to a page already dirty leaves ctime as it was. An entry
is kept only for a file unchanged for SETTLE_NS before the listing began. `cutover verify`
never reads this record.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

from . import seen
from .folder_record import read_runs, write_runs
from .run_files import RunInfo
from .run_snapshot import FileKey

FORMAT = 1
SETTLE_NS = 2_000_000_000  # coarse file clocks tick in milliseconds; some in seconds
FOLDER = "listed"
# The modules whose code decides what a listing says: another version of them, another record.
_JUDGES = (
    *("listing", "listing_trust", "runindex", "trust", "seal", "seen", "store", "evidence"),
    *("run_snapshot", "run_files", "raw_chain", "sqlite_io", "folder_record", "moved"),
    # What was store.py's before it was split: a verdict may lean on any of it.
    *("faults", "chain_verify", "run_info", "stored_rows", "stored_plan", "idempotency"),
    "checked_append",
)


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    here = Path(__file__).parent
    h = hashlib.sha256(f"{sys.version}\0{sqlite3.sqlite_version}\0".encode())
    for name in (*_JUDGES, "listed_record"):
        try:
            h.update(name.encode() + b"\0" + (here / f"{name}.py").read_bytes() + b"\0")
        except OSError:  # installed without its source: no print to trust, never a hit
            return os.urandom(32).hex()
    return h.hexdigest()


# What an entry's `info` holds: RunInfo's fields but its path (the entry's own file name).
_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "run_id": str,
    "plan_id": str,
    "title": str,
    "mode": str,
    "created_at": str,
    "created_by": str,
    "events": int,
    "phase": str,
    "outcome": (str, type(None)),
    "speed": (float, int),
    "steps_done": int,
    "steps_total": int,
    "moved": (str, type(None)),
}


def info_fields(info: RunInfo) -> dict[str, Any]:
    return {name: getattr(info, name) for name in _FIELD_TYPES}


def run_info(fields: dict[str, Any], path: Path) -> RunInfo | None:
    """The RunInfo an entry holds, or None when it is not of that shape."""
    if set(fields) != set(_FIELD_TYPES) or not all(
        isinstance(fields[name], kind) for name, kind in _FIELD_TYPES.items()
    ):
        return None
    return RunInfo(path=path, **fields)


class ListedRecord:
    """The record of one runs directory: read at the start of a listing, saved at its end."""

    def __init__(self, directory: Path, entries: dict[str, Any], now_ns: int) -> None:
        self.directory = directory
        self.now_ns = now_ns  # when the listing began
        self._old = entries
        self._new: dict[str, Any] = {}
        self._memories: int | None = None
        self._memories_opened = False
        self._read: dict[tuple[str, str], bytes | None] = {}  # each memory read once a listing

    def recall(self, name: str, key: FileKey, *, judged: bool) -> dict[str, Any] | None:
        """The entry for file `name` if it still describes the file (with `judged`, and
        this user's memory of it): its `info` fields and `distrusted`; else None."""
        entry = self._old.get(name)
        try:
            if not isinstance(entry, dict) or [*key] != entry["file"]:
                return None
            info, distrusted = entry["info"], entry["distrusted"]
            if not isinstance(info, dict) or not isinstance(distrusted, bool):
                return None
            if judged and entry["seen"] != self.memory(info["run_id"], name):
                return None
        except (KeyError, TypeError):
            return None
        self._new[name] = entry
        return {"info": info, "distrusted": distrusted if judged else False}

    def keep(
        self, name: str, key: FileKey, changed_ns: int, info: dict[str, Any], distrusted: bool
    ) -> None:
        """Remember a judged file, unless it changed too lately to tell a later change."""
        if changed_ns > self.now_ns - SETTLE_NS:
            return
        self._new[name] = {
            "file": [*key],
            "seen": self.memory(info["run_id"], name),
            "info": info,
            "distrusted": distrusted,
        }

    def memory(self, run_id: str, name: str) -> str:
        """A digest of this user's memory of the head of run `run_id`, file `name` ("" when
        none): the guard's last check reads it, so a changed memory is judged again."""
        raw = self._memory_bytes(run_id, name)
        return hashlib.sha256(raw).hexdigest() if raw is not None else ""

    def seen_head(self, run_id: str, name: str) -> seen.Seen | None:
        """This user's memory of the head of run `run_id`, file `name`, for the guard: the
        very bytes `memory` keys the entry on (one read of each a listing, not two)."""
        return seen.parse(self._memory_bytes(run_id, name))

    def _memory_bytes(self, run_id: str, name: str) -> bytes | None:
        if not self._memories_opened:
            self._memories_opened = True
            self._memories = seen.open_memories()
        if self._memories is None:
            return None
        if (run_id, name) not in self._read:
            path = self.directory / name
            self._read[run_id, name] = seen.memory_bytes(self._memories, run_id, path)
        return self._read[run_id, name]

    def save(self) -> None:
        """Write what this listing found (the runs gone from the folder go from the record);
        silently nothing when the state directory cannot be written."""
        self.close()
        if self._new == self._old:
            return
        write_runs(FOLDER, self.directory, FORMAT, code_fingerprint(), self._new)

    def close(self) -> None:
        if self._memories is not None:
            os.close(self._memories)
            self._memories = None


def open_record(directory: Path, now_ns: int) -> ListedRecord:
    """This user's record of `directory` (empty when there is none to trust)."""
    return ListedRecord(directory, _entries(directory), now_ns)


def _entries(directory: Path) -> dict[str, Any]:
    return read_runs(FOLDER, directory, FORMAT, code_fingerprint())


__all__ = [
    "SETTLE_NS",
    "ListedRecord",
    "code_fingerprint",
    "info_fields",
    "open_record",
    "run_info",
]

"""Each user's memory of the heads they have seen: truncation and rewrites the file hides.

Whoever reads a run (`cutover status`, `do`, `verify`, the war room) remembers the last event
they saw, its seq and hash, in their own state directory, which nobody else can write. On the
next read the run must still hold that event with that hash: a journal that is shorter
(rows deleted, a `-wal` file lost with acknowledged events in it) or rewritten before that
point is named, whoever did it and however carefully they recomputed the hashes. It sees
only what this user saw; `cutover verify --expect` checks a head recorded anywhere else.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from .private_dir import open_private_dir, read_private, read_private_file, write_private
from .run_files import PLAIN_ID
from .state_home import STATE_ENV, state_dir  # noqa: F401  (STATE_ENV: callers read it here)

FOLDER = "seen"  # in state_dir()


class Seen(NamedTuple):  # not a dataclass: `cutover do`'s fast path spares that import
    seq: int
    hash: str
    at: str  # when it was seen (UTC, ISO)


def _name(run_id: str, path: Path) -> str:
    # The run's id and where it lives: two runs of one id in two directories are two runs.
    where = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    return f"{_id_part(run_id)}-{where}.json"


def _id_part(run_id: str) -> str:
    """The run's id as it stands when it is a plain name, else its digest: the id is the
    run file's word (any group member can write one), and `../../x` or `/home/alice/x`
    put the memory outside this folder, through any link on the way."""
    if PLAIN_ID.fullmatch(run_id) and len(run_id) <= 128:  # a name, and not too long
        return run_id
    return "id-" + hashlib.sha256(run_id.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _folder(create: bool) -> int | None:
    """The `seen` folder's descriptor: never through a symlink, only this user's own and
    writable by nobody else (journal/private_dir.py), so that under `sudo -E` root never
    writes where another user's link points."""
    return open_private_dir(state_dir(), FOLDER, create=create)


def recall(run_id: str, path: Path) -> Seen | None:
    try:
        raw = read_private(state_dir(), FOLDER, _name(run_id, path))
    except OSError:
        return None
    return parse(raw)


def parse(raw: bytes | None) -> Seen | None:
    """A memory's stored bytes (`memory_bytes`, `recall`) as a Seen, or None."""
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        return Seen(int(data["seq"]), str(data["hash"]), str(data["at"]))
    except (ValueError, KeyError, TypeError):
        return None  # never seen, or a memory we cannot read: nothing to compare


def remember(run_id: str, path: Path, seq: int, digest: str) -> None:
    """Keep (seq, hash) unless a higher seq is remembered; quietly nothing when the state
    directory cannot be written (a kiosk account): the memory is extra evidence, not a gate."""
    known = recall(run_id, path)
    if known is not None and known.seq >= seq:
        return
    at = datetime.now(UTC).isoformat(timespec="seconds")
    data = json.dumps({"seq": seq, "hash": digest, "at": at}).encode()
    write_private(state_dir(), FOLDER, _name(run_id, path), data)


def against(db: sqlite3.Connection, seen: Seen) -> str | None:
    """Why the journal no longer holds what this user saw, or None."""
    last = db.execute("SELECT max(seq) FROM events").fetchone()[0] or 0
    if last < seen.seq:
        return (
            f"the journal is shorter than when you last read it: it had {seen.seq} events "
            f"at {seen.at}, it has {last} (rows deleted, or a -wal file lost)"
        )
    row = db.execute("SELECT hash FROM events WHERE seq = ?", (seen.seq,)).fetchone()
    if row is None or row[0] != seen.hash:
        return (
            f"the journal was rewritten: event {seen.seq} is not the one you read at "
            f"{seen.at} (hash {seen.hash[:12]}…, now {(row[0] if row else 'none')[:12]}…)"
        )
    return None


def open_memories() -> int | None:
    """The `seen` folder's descriptor, to read many memories through one open (the caller
    closes it), or None when there is none of this user's own."""
    return _folder(create=False)


def memory_bytes(folder: int, run_id: str, path: Path) -> bytes | None:
    """The stored memory of `run_id` at `path` as it is on disk (journal/listed_record.py
    keys what it remembers on it), or None."""
    return read_private_file(folder, _name(run_id, path))

"""Making a run: its database's schema and meta, built whole under a hidden name and then
linked to its id's name (Journal.create), with the runs directory's and file's modes."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from .run_files import MAX_RUN_ID, JournalError, shown_id, too_long
from .seal import EVENT_TRIGGERS, HIGH_WATER, META_TRIGGERS
from .sqlite_io import immediate as _immediate
from .sqlite_io import sqlite_connect as _connect

if TYPE_CHECKING:
    from ..plan import LoadedPlan

SCHEMA_VERSION = 2  # 2: keys unique per author, meta sealed, high-water mark
FILE_MODE = 0o660  # the run's group may write (operators); others may not even read
DIR_MODE = 0o2770  # setgid: files made inside belong to the directory's group

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    type TEXT NOT NULL,
    actor TEXT NOT NULL,
    body TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (actor, key)
);
{EVENT_TRIGGERS}
{HIGH_WATER}
CREATE TABLE IF NOT EXISTS lease (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    holder TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    acquired REAL NOT NULL,
    heartbeat REAL NOT NULL
);
PRAGMA user_version = {SCHEMA_VERSION};
"""


def new_run_meta(
    loaded: LoadedPlan, rehearsal: bool, created_by: str, shift: timedelta, speed: float
) -> dict[str, str]:
    """A new run's meta rows, on either backend; `run_id` is the base id (plan id, mode and the
    second it started), which the backend suffixes with -2, -3 when that name is taken."""
    plan = loaded.plan
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    run_id = f"{plan.plan.id}-{'rehearsal-' if rehearsal else ''}{stamp}"
    if too_long(run_id + "-99"):  # before any file: a run no command could open again
        raise JournalError(
            f"a run of plan {shown_id(plan.plan.id)} would have an id of {len(run_id)} "
            f"characters; a run id may have {MAX_RUN_ID} (it names files), less 3 for the -2 "
            "of a second run begun that second: give the plan a shorter id"
        )
    return {
        "run_id": run_id,
        "plan_id": plan.plan.id,
        "title": plan.plan.title,
        # Absolute: read from another directory (`cutover export RUN --out`'s guard of the
        # plan file), a relative name named another file or none.
        "plan_path": _absolute(loaded.path),
        "plan_text": loaded.text,
        "mode": "rehearsal" if rehearsal else "live",
        "created_at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "created_by": created_by,
        "shift_s": str(shift.total_seconds()),
        "speed": str(speed),
    }


def create_run_file(
    directory: Path,
    loaded: LoadedPlan,
    *,
    rehearsal: bool,
    created_by: str,
    shift: timedelta = timedelta(0),
    speed: float = 1.0,
    file_mode: int = FILE_MODE,
) -> Path:
    """The path of a new run file of `loaded` in `directory` (Journal.create says why)."""
    meta = new_run_meta(loaded, rehearsal, created_by, shift, speed)  # may refuse: first
    _make_runs_dir(directory)
    base = meta["run_id"]
    meta["run_id"] = ""  # final once the file is claimed under its name
    old_umask = os.umask(0o007)
    # Built whole under a hidden name, then linked to its id's name: a reader never sees a
    # half-made run, and two `cutover start` in the same second get two runs (link fails
    # on an existing name), never one database with two sets of meta.
    building = directory / f".{base}.{os.getpid()}.{uuid.uuid4().hex[:8]}.building"
    try:
        db = _connect(building)
        db.executescript(SCHEMA)
        with _immediate(db):
            db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        db.close()
        run_id, n = base, 1
        while True:
            db = _connect(building)
            with _immediate(db):
                db.execute("UPDATE meta SET value = ? WHERE key = 'run_id'", (run_id,))
            db.close()  # the last connection: checkpointed, its -wal gone
            path = directory / f"{run_id}.db"
            if _claim(building, path):
                break
            n += 1
            run_id = f"{base}-{n}"
        db = _connect(path)
        db.executescript(META_TRIGGERS)  # its id is final: from now on meta is sealed
        db.close()
        _chmod(path, file_mode)
    finally:
        os.umask(old_umask)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{building}{suffix}").unlink(missing_ok=True)
    return path


def _claim(building: Path, path: Path) -> bool:
    """Give the finished database at `building` the name `path`, unless it is taken."""
    try:
        os.link(building, path)  # atomic, and fails on an existing name
        return True
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links: claim the name, then move onto it
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
        except FileExistsError:
            return False
        os.replace(building, path)
        return True


def _make_runs_dir(directory: Path) -> None:
    if not directory.exists():
        old = os.umask(0o007)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        finally:
            os.umask(old)
        _chmod(directory, DIR_MODE)


def _chmod(path: Path, mode: int = FILE_MODE) -> None:
    try:
        if path.exists():
            path.chmod(mode)
    except PermissionError:
        pass  # not ours (a shared runs directory): its owner set the mode


def _absolute(path: str) -> str:
    """A plan file's name from anywhere; anything else (no such file) as given."""
    return str(Path(path).absolute()) if Path(path).is_file() else path

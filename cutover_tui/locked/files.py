"""The locked-mode service's files: its own to write, the group's to read."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

RUN_FILE_MODE = 0o640  # the service writes; the group may read (backups); others nothing
RUNS_DIR_MODE = 0o2750


def lock_down(path: Path) -> None:
    """The run's files, ours and nobody else's to write (a run made in shared mode, 0660,
    is locked as soon as the service opens it)."""
    for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError):
            if part.stat().st_uid == os.geteuid():
                part.chmod(RUN_FILE_MODE)

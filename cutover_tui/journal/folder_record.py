"""A per-user JSON record about one runs directory, kept in the user's private state folder.

Shared by the record of runs already listed (journal/listed_record.py) and the memo of
rehearsals (rehearse/rehearsal_record.py): one file per runs directory, named by a digest of
its resolved path, read and written through journal/private_dir.py (the folder opened
refusing symlinks, this user's and writable by nobody else; the file replaced whole by a
rename). A file that does not parse, of another format, another code, another directory, or
whose `runs` is not a table reads as empty: the caller works everything out again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from . import seen
from .private_dir import read_private, write_private


def record_name(directory: Path) -> str:
    return hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:32] + ".json"


def read_runs(folder_name: str, directory: Path, form: int, code: str) -> dict[str, Any]:
    """The `runs` table of this user's record of `directory`, or {} when none is to trust."""
    raw = read_private(seen.state_dir(), folder_name, record_name(directory))
    try:
        data = json.loads(raw) if raw is not None else None
    except ValueError:
        return {}
    if (
        not isinstance(data, dict)
        or data.get("format") != form
        or data.get("code") != code
        or data.get("directory") != str(directory.resolve())
        or not isinstance(data.get("runs"), dict)
    ):
        return {}
    return data["runs"]


def write_runs(
    folder_name: str, directory: Path, form: int, code: str, runs: dict[str, Any]
) -> None:
    """Replace this user's record of `directory`; silently nothing when the state directory
    cannot be written (the next run works it out again)."""
    data = {"format": form, "code": code, "directory": str(directory.resolve()), "runs": runs}
    write_private(seen.state_dir(), folder_name, record_name(directory), json.dumps(data).encode())


__all__ = ["read_runs", "record_name", "write_runs"]

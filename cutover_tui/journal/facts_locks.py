"""The locks that order the writers of this user's facts (journal/do_facts.py), all in the
user's private `do/` folder (journal/private_dir.py's rules: no link followed, this user's own).

- The folder itself, `flock`ed for a moment: each keep reads the kept facts, compares and
  replaces them under it, so facts of an older head never replace newer ones.
- One lock file per run file (`<32 hex>.refresh`), held for a whole background refresh
  (cli/facts_refresh.py) and taken without waiting: at most one refresh per user and run at
  a time; a refresh that finds it held leaves the work to the holder, which looks at the
  head again once it has let go.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import Iterator

from . import seen
from .private_dir import open_private_dir

FOLDER = "do"  # do_facts.FOLDER
LOCK_FLAGS = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC


@contextlib.contextmanager
def folder_locked(folder: int) -> Iterator[None]:
    """The private folder's descriptor `folder` locked (waiting) for the block."""
    fcntl.flock(folder, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(folder, fcntl.LOCK_UN)


def lock_name(path: str) -> str:
    return f"{hashlib.sha256(path.encode()).hexdigest()[:32]}.refresh"


def take_refresh_lock(path: str) -> int | None:
    """A descriptor holding this user's refresh lock of the run file at `path`, or None:
    another refresh holds it, or the state directory will not do."""
    try:
        folder = open_private_dir(seen.state_dir(), FOLDER, create=True)
    except OSError:
        return None
    if folder is None:
        return None
    try:
        fd = os.open(lock_name(path), LOCK_FLAGS, 0o600, dir_fd=folder)
    except OSError:
        return None
    finally:
        os.close(folder)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.utime(fd)  # pruned with the facts, newest first (do_facts._prune)
    except OSError:  # held by another refresh (or not a file we may lock)
        os.close(fd)
        return None
    return fd


def release(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)  # the only descriptor of this open file here: the lock goes with it

"""A directory only this user can change, opened once and used through its descriptor.

The plan cache (journal/plan_cache.py) writes, lists and deletes files in the user's state
directory. A path names whatever it points at when it is used, so a symlink planted there
by someone else (the state dir, or its `plans`) would turn those writes and deletes onto
their chosen directory: with `sudo -E`, `su` without `-`, or a preserved XDG_STATE_HOME /
CUTOVER_STATE, root would follow another user's link. So the directory is opened with
O_NOFOLLOW (the state dir too: the lstat, done atomically by the open), checked on the
descriptor (a directory of geteuid() that no group or other may write), and every later
operation is relative to that descriptor: nothing can be swapped in between.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import time
from pathlib import Path

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
TEMP_NAME = re.compile(r"\.writing-[0-9a-f]{16}\.tmp")  # write_private_file's temporary files
STALE_TEMP_S = 600.0  # a live writer renames its own within milliseconds


def is_private(info: os.stat_result) -> bool:
    """Owned by this (effective) user and writable by nobody else."""
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def open_private_dir(parent: Path, name: str, *, create: bool) -> int | None:
    """A descriptor of `parent/name` if both are real directories (no symlink at either) and
    `name` is private to this user, else None. With `create`, makes what is missing, 0700;
    but `name` only inside a parent of this user (root makes nothing in another's directory).
    The caller closes the descriptor."""
    parent_fd = _open_parent(parent, create)
    if parent_fd is None:
        return None
    try:
        if create and os.fstat(parent_fd).st_uid == os.geteuid():
            # If it exists it may be a link or someone else's: the open and the check decide.
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, 0o700, dir_fd=parent_fd)
        fd = os.open(name, DIR_FLAGS, dir_fd=parent_fd)
    except OSError:  # missing, a symlink (ELOOP/ENOTDIR), not a directory, no permission
        return None
    finally:
        os.close(parent_fd)
    if not is_private(os.fstat(fd)):
        os.close(fd)
        return None
    return fd


def _open_parent(parent: Path, create: bool) -> int | None:
    try:
        return os.open(parent, DIR_FLAGS)
    except FileNotFoundError:
        if not create:
            return None
    except OSError:  # a symlink (ELOOP or ENOTDIR under O_NOFOLLOW), a file, no permission
        return None
    try:
        parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        return os.open(parent, DIR_FLAGS)
    except OSError:
        return None


def one_name(name: str) -> bool:
    """Whether `name` is one entry of the folder: a path (`../x`, `/home/x`) would leave it,
    and `dir_fd` does not hold an absolute one back."""
    return name not in ("", ".", "..") and "/" not in name and "\0" not in name


def read_private_file(folder: int, name: str) -> bytes | None:
    """The bytes of `name` in `folder` if it is a regular file (not a link) of this user that
    nobody else may write, else None."""
    if not one_name(name):
        return None
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=folder)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode) or not is_private(info):
            return None
        return f.read()


def write_private_file(folder: int, name: str, data: bytes) -> None:
    """`data` as `name` in `folder`, 0600: a new temporary file (never an existing one, never
    through a link) renamed into place, so a reader sees the old file or this whole one."""
    import secrets  # late: only a writer pays for it (cutover do's client only reads)

    if not one_name(name):
        raise OSError(errno.EINVAL, "not a name in the folder", name)
    temp = f".writing-{secrets.token_hex(8)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(temp, flags, 0o600, dir_fd=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(temp, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        os.unlink(temp, dir_fd=folder)
        raise


def remove_stale_temps(folder: int) -> None:
    """The temporary files of writers killed between their write and their rename (SIGKILL,
    the OOM killer, a power cut), once STALE_TEMP_S old: nothing else ever removed them, and
    a plan's is megabytes. Only regular files named as write_private_file names them."""
    now = time.time()
    for name in os.listdir(folder):
        if not TEMP_NAME.fullmatch(name):
            continue
        with contextlib.suppress(OSError):  # gone meanwhile: its writer renamed it
            info = os.stat(name, dir_fd=folder, follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime > STALE_TEMP_S:
                os.unlink(name, dir_fd=folder)


def read_private(parent: Path, folder_name: str, name: str) -> bytes | None:
    """`read_private_file` of `name` in the private folder `parent/folder_name` (opened,
    never made, and closed again); None when either is not there or not this user's own."""
    folder = open_private_dir(parent, folder_name, create=False)
    if folder is None:
        return None
    try:
        return read_private_file(folder, name)
    finally:
        os.close(folder)


def write_private(parent: Path, folder_name: str, name: str, data: bytes) -> None:
    """`write_private_file` of `data` as `name` in the private folder `parent/folder_name`
    (made if need be); quietly nothing when the folder or the file cannot be written."""
    folder = open_private_dir(parent, folder_name, create=True)
    if folder is None:
        return
    try:
        with contextlib.suppress(OSError):
            write_private_file(folder, name, data)
    finally:
        os.close(folder)

"""A run's validated plan, kept per user, so that `cutover do` and `status` need not parse and
validate the sealed TOML again on every command (issue 14).

The key is the SHA-256 of the plan text the run stores: the digest its first event seals
(journal.seal), which every command's guard checks against that text (journal.trust). So a
cached plan is only ever used for text the chain vouches for; the guard still runs as before.
The key also holds a fingerprint of the code that validated it (the plan package's source,
Python's and pydantic's versions): a plan validated by other code is parsed again.

The cache is a pickle, so it lives where only its user can write: the user's state directory
(journal.seen.state_dir), each file 0600. Before unpickling, a file must be a regular file
owned by this user and writable by nobody else, and its payload must match the SHA-256 in its
header; the unpickled object must name the same key and be a Plan. Anything else, and any
error at all, is a miss: the caller parses the text in full, as it did before the cache.
Writers write a private temporary file and rename it into place, so concurrent writers never
leave a torn file, and readers see a whole file or none.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from . import seen

if TYPE_CHECKING:
    from ..plan.model import Plan

MAGIC = b"cutover-plan-cache 1\n"
DIGEST_BYTES = 32
KEEP = 64  # files kept; the oldest go on a write (a 320-step plan is about 110 kB)
KEEP_BYTES = 256 * 2**20  # and no more than this (a 20,000-step plan is about 6 MB)


def cache_dir() -> Path:
    return seen.state_dir() / "plans"


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """What a cached plan depends on besides its text: the code that validated it."""
    import pydantic

    from .. import plan as plan_package

    folder = Path(plan_package.__file__).parent
    sources = [*sorted(folder.glob("*.py")), folder.parent / "inert.py"]  # all plan/ imports
    sources = [source for source in sources if source.is_file()]
    if not sources:  # installed without its source: no print to trust, so never a hit
        return os.urandom(32).hex()
    h = hashlib.sha256(f"{sys.version}\0{pydantic.VERSION}\0".encode())
    for source in sources:
        h.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return h.hexdigest()


def _key(text: str, shift_s: str) -> tuple[str, str, str]:
    """The plan text's digest (the one the seal holds), its clock shift, the code's print."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), shift_s, code_fingerprint()


def cache_file(text: str, shift_s: str = "0") -> Path:
    digest, shift, code = _key(text, shift_s)
    moved = hashlib.sha256(shift.encode()).hexdigest()[:8]
    return cache_dir() / f"{digest[:32]}-{moved}-{code[:16]}.plan"


def recall(text: str, shift_s: str = "0") -> Plan | None:
    """The plan validated from `text` and moved by `shift_s` seconds before, or None (a
    miss: parse it)."""
    try:
        return _recall(cache_file(text, shift_s), _key(text, shift_s))
    except Exception:  # a cache never breaks a command: a miss, parsed in full
        return None


def _recall(path: Path, key: tuple[str, str, str]) -> Plan | None:
    raw = _read_own_file(path)
    if raw is None or not raw.startswith(MAGIC):
        return None
    digest = raw[len(MAGIC) : len(MAGIC) + DIGEST_BYTES]
    payload = raw[len(MAGIC) + DIGEST_BYTES :]
    if hashlib.sha256(payload).digest() != digest:
        return None  # torn, truncated or edited
    stored_key, plan = pickle.loads(payload)  # this user's own file, checked above
    from ..plan.model import Plan

    if stored_key != key or not isinstance(plan, Plan):
        return None
    return plan


def _read_own_file(path: Path) -> bytes | None:
    """The file's bytes if it is a regular file of this user that nobody else may write."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            return None
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return None
        return f.read()


def keep(text: str, plan: Plan, shift_s: str = "0") -> None:
    """Remember `plan`, validated from `text` and moved by `shift_s` seconds (a rehearsal's
    shift re-validates the whole plan too); silently nothing when it cannot be written."""
    try:
        _keep(cache_file(text, shift_s), _key(text, shift_s), plan)
    except Exception:  # a read-only or full disk: the next command parses again
        return


def _keep(path: Path, key: tuple[str, str, str], plan: Plan) -> None:
    payload = pickle.dumps((key, plan), protocol=pickle.HIGHEST_PROTOCOL)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=".writing-", suffix=".tmp")  # 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + hashlib.sha256(payload).digest() + payload)
        os.replace(name, path)  # atomic: a reader sees the old file, or this whole one
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    _prune(path.parent)


def _prune(directory: Path) -> None:
    """Keep the newest KEEP files within KEEP_BYTES: plans of old runs are parsed again if
    ever reopened."""
    files = [(p, p.stat()) for p in directory.glob("*.plan")]
    files.sort(key=lambda item: item[1].st_mtime, reverse=True)
    total = 0
    for n, (path, info) in enumerate(files):
        total += info.st_size
        if n >= KEEP or (n and total > KEEP_BYTES):  # the newest is always kept
            path.unlink(missing_ok=True)

"""A run's validated plan, kept per user, so that `cutover do` and `status` need not parse and
validate the sealed TOML again on every command (issue 14).

The key is the SHA-256 of the plan text the run stores: the digest its first event seals
(journal.seal), which every command's guard checks against that text (journal.trust). So a
cached plan is only ever used for text the chain vouches for; the guard still runs as before.
The key also holds a fingerprint of the code and data that validated it (the plan package's
source, Python's, pydantic's, rtoml's and tomli's versions, the tz database's version): a
plan validated by other code or other time-zone rules is parsed again.

The cache is a pickle, so it lives where only its user can write: the user's state directory
(journal.seen.state_dir), each file 0600. The directory is opened once, refusing symlinks,
and must be this user's and writable by nobody else, or there is no cache at all; every read,
write, listing and deletion goes through its descriptor (journal/private_dir.py), and only
files named as the cache names them are ever pruned. Before unpickling, a file must be a regular file
owned by this user and writable by nobody else, and its payload must match the SHA-256 in its
header; the unpickled object must name the same key and be a Plan. Anything else, and any
error at all, is a miss: the caller parses the text in full, as it did before the cache.
Writers write a private temporary file and rename it into place, so concurrent writers never
leave a torn file, and readers see a whole file or none.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import re
import stat
import sys
import zoneinfo
from pathlib import Path
from typing import TYPE_CHECKING

from . import seen
from .private_dir import (
    open_private_dir,
    read_private_file,
    remove_stale_temps,
    write_private_file,
)

if TYPE_CHECKING:
    from ..plan.model import Plan

MAGIC = b"cutover-plan-cache 1\n"
DIGEST_BYTES = 32
KEEP = 64  # files kept; the oldest go on a write (a 320-step plan is about 110 kB)
KEEP_BYTES = 256 * 2**20  # and no more than this (a 20,000-step plan is about 6 MB)
DIST_INFO = re.compile(r"(rtoml|tomli|tzdata)-([^-]+)\.dist-info", re.IGNORECASE)
CACHE_NAME = re.compile(r"[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{16}\.plan")  # cache_file's names


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
    h = hashlib.sha256(f"{sys.version}\0{pydantic.VERSION}\0{data_versions()}\0".encode())
    for source in sources:
        h.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return h.hexdigest()


def data_versions() -> str:
    """What else changes a validated plan: the TOML readers (rtoml first, tomli on any doubt:
    plan/toml_fast.py) and the time-zone data its times are resolved with (ZoneInfo reads
    TZPATH first, then the tzdata package): after a tzdata update a cached plan and a fresh
    parse could disagree about a deadline."""
    found = _installed_versions()
    readers = [f"{name} {found.get(name, 'absent')}" for name in ("rtoml", "tomli", "tzdata")]
    return "\0".join([*readers, *(_zone_data(Path(d)) for d in zoneinfo.TZPATH)])


def _installed_versions() -> dict[str, str]:
    """The versions of the distributions import would find first on sys.path, from their
    dist-info folders' names: importlib.metadata is not imported, a command never pays for
    it (tests/test_cli_lazy.py)."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:  # a zip file, a folder gone
            continue
        for name in names:
            if match := DIST_INFO.fullmatch(name):
                found.setdefault(match[1].lower(), match[2])
    return found


def _zone_data(folder: Path) -> str:
    """The system tz database's version line (`# version 2025b` atop tzdata.zi); without
    one, the folder's change time (a coarse stand-in: files replaced in its subfolders do
    not change it)."""
    try:
        with open(folder / "tzdata.zi", "rb") as f:
            first = f.readline(64).strip().decode("ascii", "replace")
        if first.startswith("# version "):
            return f"{folder}: {first}"
    except OSError:
        pass
    try:
        info = folder.stat()
    except OSError:
        return f"{folder}: absent"
    return f"{folder}: changed {info.st_ctime_ns}"


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
    folder = _open_dir(create=False)
    if folder is None:
        return None
    try:
        raw = read_private_file(folder, path.name)
    finally:
        os.close(folder)
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


def _open_dir(create: bool) -> int | None:
    """The cache directory's descriptor, or None: no cache at all (journal/private_dir.py)."""
    folder = cache_dir()
    return open_private_dir(folder.parent, folder.name, create=create)


def keep(text: str, plan: Plan, shift_s: str = "0") -> None:
    """Remember `plan`, validated from `text` and moved by `shift_s` seconds (a rehearsal's
    shift re-validates the whole plan too); silently nothing when it cannot be written."""
    try:
        _keep(cache_file(text, shift_s), _key(text, shift_s), plan)
    except Exception:  # a read-only or full disk: the next command parses again
        return


def _keep(path: Path, key: tuple[str, str, str], plan: Plan) -> None:
    payload = pickle.dumps((key, plan), protocol=pickle.HIGHEST_PROTOCOL)
    folder = _open_dir(create=True)
    if folder is None:
        return  # a link, or a directory others own or may write: no cache
    try:
        write_private_file(folder, path.name, MAGIC + hashlib.sha256(payload).digest() + payload)
        _prune(folder)
    finally:
        os.close(folder)


def _prune(folder: int) -> None:
    """Keep the newest KEEP files within KEEP_BYTES: plans of old runs are parsed again if
    ever reopened. Only the cache's own regular files are counted or removed."""
    remove_stale_temps(folder)
    files = []
    for name in os.listdir(folder):
        if CACHE_NAME.fullmatch(name):
            info = os.stat(name, dir_fd=folder, follow_symlinks=False)
            if stat.S_ISREG(info.st_mode):
                files.append((name, info))
    files.sort(key=lambda item: item[1].st_mtime, reverse=True)
    total = 0
    for n, (name, info) in enumerate(files):
        total += info.st_size
        if n >= KEEP or (n and total > KEEP_BYTES):  # the newest is always kept
            with contextlib.suppress(FileNotFoundError):  # another writer pruned it first
                os.unlink(name, dir_fd=folder)

"""What names and describes the run files of a runs directory, apart from the journal that
reads them: `RunInfo` (a run as a listing shows it), `Unreadable`, `JournalError` and
`runs_dir`. Imported by `cutover runs` without the engine, the plan model or pydantic (issue
14: the command's cost was mostly imports); journal/store.py re-exports every name.
"""

from __future__ import annotations

import errno
import os
import pwd
import re
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .hostconfig import HostConfigError, load_host_config
from .identity import os_login

RUNS_ENV = "CUTOVER_RUNS"
READABLE_VERSIONS = (1, 2)  # schema versions read (store.SCHEMA_VERSION; 1: runs made before)


class JournalError(Exception):
    """A run that cannot be opened or created, said in words."""


# Every run id cutover makes (a plan id, a stamp, a number) and more; never a path. The id is
# the run file's word, and any group member may write a run file: an id holding `/` would
# name files outside where each command puts them (the memory of heads, an export, a review).
PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# The id names files: RUN.db (-wal, -shm, -journal), RUN.csv, review-RUN.html, and the hidden
# name a new run is built under (35 bytes more). A file name holds 255 bytes: a longer id
# could be read by no command (review, 2026-12-03: export said "cannot read", the OS's words).
MAX_RUN_ID = 200


def run_id_problem(run_id: str) -> str | None:
    """Why `run_id` (a run file's meta) is not a run id, or None when it is one."""
    if too_long(run_id):
        return f"its run id {shown_id(run_id)} {too_long(run_id)}"
    if PLAIN_ID.fullmatch(run_id):
        return None
    return f"its run id {run_id[:80]!r} is not one cutover makes (made by hand)"


def too_long(run_id: str) -> str | None:
    """ "has 300 characters, more than ...": why `run_id` is too long to be one, or None."""
    size = len(run_id.encode("utf-8", "surrogatepass"))
    if size <= MAX_RUN_ID:
        return None
    return f"has {size} characters, more than the {MAX_RUN_ID} a run id may have (it names files)"


def shown_id(run_id: str) -> str:
    """The id quoted, its first 40 characters: a line that names it stays a line."""
    return repr(run_id[:40] + ("…" if len(run_id) > 40 else ""))


def ref_problem(ref: str) -> str | None:
    """Why the run named on a command line (an id, or RUN.db) cannot be one: too long. A
    path (with `/`) is the OS's to judge."""
    if "/" in ref:
        return None
    problem = too_long(ref.removesuffix(".db"))
    return f"no run {shown_id(ref)}: its id {problem}" if problem else None


def runs_dir(option: str | None = None) -> Path:
    """The runs directory: the option, else $CUTOVER_RUNS, else the host config's `runs`
    (/etc/cutover/cutover.toml: `ssh jump cutover ...` has no profile), else ./runs."""
    if option or os.environ.get(RUNS_ENV):
        return Path(option or os.environ[RUNS_ENV])
    try:
        host = load_host_config()
    except HostConfigError as exc:
        raise JournalError(str(exc)) from None
    return host.runs or Path("runs")


def run_files(directory: Path) -> list[Path]:
    """The run files in `directory`, sorted: the `*.db` that are regular files. A FIFO named
    like a run (any group member can make one) hangs whoever opens it, SQLite included."""
    return run_names(directory)[0]


def run_names(directory: Path) -> tuple[list[Path], list[Path]]:
    """The `*.db` names in `directory`, sorted, in one listing: the regular files (runs),
    and the rest (a FIFO, a device, a folder: never to be opened)."""
    if not directory.is_dir():
        return [], []
    files: list[Path] = []
    others: list[Path] = []
    for path in sorted(directory.glob("*.db")):
        (files if path.is_file() else others).append(path)
    return files, others


def run_path(ref: str, directory: Path) -> Path | None:
    """The file of run `ref`: its path as given, else by id in `directory`; None when none
    of those is a file. JournalError when a bare word (no `/`) names a file here and
    another run in `directory`: anyone who may write the working directory (/tmp, a shared
    folder) could put a run of their own there named as the team's, and take the command."""
    if problem := ref_problem(ref):  # before the file system says "File name too long"
        raise JournalError(problem)
    given = Path(ref)
    named = run_in(ref, directory)
    if not given.is_file():
        return named
    if named is not None and "/" not in ref and not _same_file(given, named):
        raise JournalError(
            f"{ref!r} is both the file {ref} here and the run {named}: name the one you mean "
            f"by its path (./{ref}, or {named})"
        )
    return given


def run_in(ref: str, directory: Path) -> Path | None:
    """The file of run `ref` by its id in `directory` (RUN or RUN.db), or None."""
    return next((p for p in (directory / ref, directory / f"{ref}.db") if p.is_file()), None)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def may_list(directory: Path) -> None:
    """Raise PermissionError when `directory` exists but this user may not list it.

    A listing of such a directory comes back empty, not refused: someone outside the run's
    group was told "no run of this plan is under way" while the run went on (`cli/in_words`
    says this one in a line)."""
    try:
        os.stat(directory)  # a parent closed to us raises here, naming the directory
    except FileNotFoundError:
        return  # no runs yet
    if not os.access(directory, os.R_OK | os.X_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(directory))


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    path: Path
    plan_id: str
    title: str
    mode: str  # live | rehearsal
    created_at: str
    created_by: str
    events: int
    phase: str
    outcome: str | None
    speed: float = 1.0  # its clock's rate: above 1 for a simulation
    steps_done: int = 0  # plan steps closed (done or skipped)
    steps_total: int = 0
    moved: str | None = None  # the run moved elsewhere (journal/moved.py): said in one line

    @property
    def made(self) -> tuple[datetime, int]:
        """When the run was made, for putting runs in order: its creation time (to the
        microsecond; to the second for runs made before), then its id's number (two runs
        made in one second are `...-HHMMSS` and `...-HHMMSS-2`)."""
        head, _, tail = self.run_id.rpartition("-")
        number = int(tail) if head and tail.isdigit() and len(tail) < 6 else 1
        return datetime.fromisoformat(self.created_at), number

    @property
    def rehearsal(self) -> bool:
        return self.mode == "rehearsal"

    @property
    def summary(self) -> str:
        """Where it stands in a few words: "running, 12/40 steps closed"."""
        if self.phase == "damaged":
            return "DAMAGED: cutover verify says how"
        if self.phase == "ended":
            return f"ended ({self.outcome})" if self.outcome else "ended"
        steps = f", {self.steps_done}/{self.steps_total} steps closed" if self.events else ""
        return f"{self.phase}{steps}"


@dataclass(frozen=True)
class Unreadable:
    """A file in the runs directory that cannot be opened as a run, and why."""

    path: Path
    why: str


__all__ = [
    "READABLE_VERSIONS",
    "RUNS_ENV",
    "JournalError",
    "RunInfo",
    "Unreadable",
    "may_list",
    "run_path",
    "runs_dir",
]


def unreadable(path: Path) -> str | None:
    """Why this OS user may not read `path`, when that is why SQLite could not open it: its
    "unable to open database file" named no permission (user pass). A folder SQLite may
    not write its -wal file in is not told apart here: None, and SQLite's own words."""
    try:
        info = path.stat()
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    if not os.access(path, os.R_OK):
        return (
            f"you ({os_login()}) may not read it (owner {_owner(info.st_uid)}, mode "
            f"{stat.S_IMODE(info.st_mode):04o}): ask its owner to share the runs folder's group"
        )
    return None


def _owner(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)

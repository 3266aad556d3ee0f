"""What `cutover do`'s fast path (cli/do_fast.py) knows of a run, as this user's engine
found it at one head: kept after each full `cutover do`, as plain JSON in the user's state
directory, so the next note needs neither pydantic nor the plan nor a fold (issue 14).

Every fact is the engine's own answer, asked here through its real objects (one truth):
whether this login may add a note now (`check_rules` on a probe note without a step: the
roles, the run's phase and the times), the steps a note may name, which event types fold
nothing but their count and key (`engine.fold.folds_nothing`: a note), the
run's index row at that head, and the note event's fields in the order its model dumps
them. The fast path uses them only while the journal's chain still passes that very head
(each hash covers every row before it) with nothing after it but rows of those types, the
stored plan is the one they were taken from and the code that took them is the code
running; anything else and the command takes the full path.

The facts may also hold the engine's answers for the step actions at that head (`moves`,
journal/do_moves.py), added after the command answered (cli/facts_refresh.py), for the
step actions' fast path (cli/do_fast_moves.py).

Kept by journal/private_dir.py's rules, like the plan cache: never through a link, only
this user's own folder and files, and each file carries the SHA-256 of its contents.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import sqlite3
import stat
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from . import seen
from .facts_locks import folder_locked
from .private_dir import (
    open_private_dir,
    read_private,
    read_private_file,
    remove_stale_temps,
    write_private_file,
)

if TYPE_CHECKING:
    from .store import Journal

VERSION = 1
FOLDER = "do"
INDEX_FIELDS = ("seq", "hash", "events", "phase", "outcome", "steps_done", "steps_total")
KEEP = 64  # runs whose facts are kept; an older run's next note takes the full path
FILE_NAME = re.compile(r"[0-9a-f]{32}\.json")  # file_name's names: nothing else is pruned
LOCK_NAME = re.compile(r"[0-9a-f]{32}\.refresh")  # journal/facts_locks.py's lock files
PYDANTIC = re.compile(r"(pydantic|pydantic_core)-([^-]+)\.dist-info", re.IGNORECASE)
# The code the facts depend on: the engine's rules and fold, the journal, the plan, and how
# the CLI builds and dumps the event (a change to any: a fresh full path).
CODE = (
    "engine",
    "journal",
    "plan",
    "cli/do_fast.py",
    "cli/do_fast_moves.py",
    "cli/do_commands.py",
    "cli/facts_refresh.py",
    "clocks.py",
)
Head = Callable[[], "tuple[int, str] | None"]  # reads a journal's head (seq, hash) now


class Facts(NamedTuple):  # not a dataclass: the fast path spares that import (15 ms)
    run_id: str
    path: str  # the run file, resolved
    login: str
    actor: str
    seq: int  # the head the facts were taken at
    head: str
    plan_sha256: str
    may_note: bool  # a note without a step by this actor passes the rules at that head
    inert_types: list[str]  # the event types that fold nothing but their count and key
    started_at: str  # ISO: a note dated before it is the engine's to refuse
    steps: list[str]
    index_row: list  # the run_index row at the head: seq, hash, events, phase, outcome, done, total
    fields: list[str]  # NoteAdded's fields, in the order model_dump_json writes them
    code: str
    # The engine's answers for the step actions at this head (journal/do_moves.py), taken
    # after the command answered (cli/facts_refresh.py); None until then.
    moves: dict | None = None
    moves_at: str | None = None  # ISO: when they were asked; an earlier moment is not judged

    def advanced(self, seq: int, head: str, events: int = 1) -> Facts:
        """The same facts `events` rows on, each of a type that folds nothing (a note): the
        engine's answers stand, the head and the index row's count move."""
        row = [seq, head, self.index_row[2] + events, *self.index_row[3:]]
        return self._replace(seq=seq, head=head, index_row=row)


@functools.lru_cache(maxsize=1)
def code_print() -> str:
    """The package's code the facts depend on, this Python and the pydantic installed."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(f"{VERSION}\0{sys.version}\0{_pydantic_versions()}\0".encode())
    for source in code_files(root):
        h.update(str(source.relative_to(root)).encode() + b"\0" + source.read_bytes() + b"\0")
    return h.hexdigest()


def code_files(root: Path) -> list[Path]:
    """The files of CODE under the package's directory `root`, in a fixed order."""
    out: list[Path] = []
    for part in CODE:
        where = root / part
        out += sorted(where.glob("*.py")) if where.is_dir() else [where]
    return out


def _pydantic_versions() -> str:
    found = []
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        found += [name for name in names if PYDANTIC.fullmatch(name)]
    return ",".join(found) or "absent"


def file_name(run_id: str, path: Path) -> str:
    key = f"{path}\0{run_id}".encode()
    return f"{hashlib.sha256(key).hexdigest()[:32]}.json"


def take(journal: Journal, login: str, now: datetime) -> Facts | None:
    """The facts of `journal` at its head, asked of the engine (the full path, after an
    append); None when the run has no index row or no start."""
    from ..engine.events import EVENT_TYPES, NoteAdded
    from ..engine.fold import folds_nothing
    from ..engine.rules import check_rules
    from .identity import actor_for
    from .runindex import read as read_index
    from .seal import digest

    state = journal.state()
    seq, head = journal.head
    index = read_index(journal.db)
    if journal.broken or index is None or state.started_at is None:
        return None
    actor = actor_for(journal.plan, login)
    probe = NoteAdded(actor=actor, at=now, recorded_at=now, text="x", key="do-facts-probe")
    return Facts(
        run_id=journal.run_id,
        path=str(Path(journal.path).resolve()),
        login=login,
        actor=actor,
        seq=seq,
        head=head,
        plan_sha256=digest(journal.meta.get("plan_text", "")),
        may_note=check_rules(state, probe) is None,
        inert_types=sorted(kind for kind in EVENT_TYPES if folds_nothing(kind)),
        started_at=state.started_at.isoformat(),
        steps=list(state.steps),
        index_row=[getattr(index, name) for name in INDEX_FIELDS],
        fields=[name for name in NoteAdded.model_fields if name != "seq"],
        code=code_print(),
    )


def keep(facts: Facts, *, prune: bool = False, head: Head | None = None) -> None:
    """Write `facts` for this user, unless they are older than the kept ones (`supersedes`,
    compared and replaced under the folder's lock); silently nothing when the state
    directory will not do. `head`: reads the journal's head now. `prune` (the full path's
    keep): only the newest KEEP runs' facts stay."""
    payload = dump(facts)
    try:
        folder = open_private_dir(seen.state_dir(), FOLDER, create=True)
        if folder is None:
            return
        try:
            name = file_name(facts.run_id, Path(facts.path))
            with folder_locked(folder):
                kept = _parse(
                    read_private_file(folder, name), facts.run_id, facts.path, facts.login
                )
                if not supersedes(facts, kept, None if head is None else head()):
                    return
                data = hashlib.sha256(payload).hexdigest().encode() + payload
                write_private_file(folder, name, data)
            if prune:
                _prune(folder)
        finally:
            os.close(folder)
    except (OSError, sqlite3.Error):
        return


def supersedes(new: Facts, kept: Facts | None, head: tuple[int, str] | None) -> bool:
    """Whether `new` may replace `kept`. `head`: the journal's (seq, hash) now, when the
    writer read it: facts of another head are stale already and never written, and facts
    of the head now replace whatever was kept (older, or of a chain since replaced).
    Without it, only facts of a later head replace kept ones. At the same head, facts with
    the step actions' answers are never replaced by facts without."""
    if head is not None and tuple(head) != (new.seq, new.head):
        return False
    if kept is None:
        return True
    if (kept.seq, kept.head) == (new.seq, new.head):
        return new.moves is not None or kept.moves is None
    return head is not None or kept.seq < new.seq


def head_of(db: sqlite3.Connection) -> tuple[int, str] | None:
    """The journal's head as its last row says it now (one indexed read)."""
    row = db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    return None if row is None else (row[0], row[1])


def _prune(folder: int) -> None:
    """Keep the newest KEEP files of facts, and of refresh locks (a lock unlinked while held
    costs at most one refresh run twice); only regular files named as ours are removed."""
    remove_stale_temps(folder)
    names = os.listdir(folder)
    for pattern in (FILE_NAME, LOCK_NAME):
        _prune_named(folder, [name for name in names if pattern.fullmatch(name)])


def _prune_named(folder: int, names: list[str]) -> None:
    files = []
    for name in names:
        with contextlib.suppress(FileNotFoundError):  # another writer pruned it first
            info = os.stat(name, dir_fd=folder, follow_symlinks=False)
            if stat.S_ISREG(info.st_mode):
                files.append((info.st_mtime_ns, name))
    for _, name in sorted(files, reverse=True)[KEEP:]:
        with contextlib.suppress(FileNotFoundError):  # another writer pruned it first
            os.unlink(name, dir_fd=folder)


def recall(run_id: str, path: Path, login: str) -> Facts | None:
    """This user's facts of the run at `path`, if kept by this code for this login."""
    try:
        raw = read_private(seen.state_dir(), FOLDER, file_name(run_id, path))
    except OSError:
        return None
    return _parse(raw, run_id, str(path), login)


def _parse(raw: bytes | None, run_id: str, path: str, login: str) -> Facts | None:
    if raw is None or hashlib.sha256(raw[64:]).hexdigest().encode() != raw[:64]:
        return None  # none kept, torn or edited
    facts = load(raw[64:])
    mine = facts is not None and (facts.run_id, facts.path, facts.login) == (run_id, path, login)
    return facts if mine else None


def dump(facts: Facts) -> bytes:
    return json.dumps(facts._asdict(), separators=(",", ":")).encode()


def load(raw: bytes) -> Facts | None:
    """Facts as `dump` wrote them, if taken by this code; else None."""
    try:
        facts = Facts(**json.loads(raw))
    except (ValueError, TypeError):
        return None
    return facts if facts.code == code_print() else None

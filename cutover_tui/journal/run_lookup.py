"""Finding runs in a runs directory and reading a run's rows for exports: the helpers around
`Journal` (journal/store.py) that no method of it needs."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..engine.events import Event, RunStarted
from ..engine.state import RunState
from .run_files import JournalError, RunInfo, Unreadable, run_files, run_path
from .store import Journal, _nearest, parse_rows


def open_run(ref: str, directory: Path) -> Journal:
    """A run by id (in `directory`) or by the path of its database."""
    path = run_path(ref, directory)
    if path is None:
        raise no_such_run(ref, directory)
    return Journal(path)


def no_such_run(ref: str, directory: Path) -> JournalError:
    """No run `ref` in `directory`, with the nearest id there is (the service says it too)."""
    known = [p.stem for p in run_files(directory)]
    hint = _nearest(ref, known)
    return JournalError(
        f"no run {ref!r} in {directory}/"
        + (f"; did you mean {hint!r}?" if hint else "")
        + ("" if known else " (there are no runs yet: `cutover start PLAN` makes one)")
    )


def list_runs(directory: Path) -> list[RunInfo]:
    """Every run in `directory` that can be read, oldest first (from each file's index row
    where it holds: journal/listing.py)."""
    from .listing import list_runs_indexed  # listing reads through this module

    return [info for info in list_runs_indexed(directory) if isinstance(info, RunInfo)]


def open_runs(
    directory: Path, paths: Iterable[Path] | None = None
) -> Iterator[Journal | Unreadable]:
    """Each run file in `directory` (or only `paths`) opened (the caller closes it), or why
    it cannot be."""
    if paths is None:
        paths = run_files(directory)
    for path in paths:
        try:
            journal = Journal(path)
        except JournalError as exc:
            yield Unreadable(path, str(exc).removeprefix(f"{path}: "))
            continue
        except (OSError, sqlite3.DatabaseError, KeyError, ValueError) as exc:
            yield Unreadable(path, f"cannot be read: {exc}")
            continue
        yield journal


def list_all_runs(
    directory: Path, inspect: Callable[[Journal, RunInfo], object] | None = None
) -> list[RunInfo | Unreadable]:
    """Every run file in `directory`, oldest first, those that cannot be opened as
    `Unreadable` (last): `cutover runs` lists them as such rather than hiding them.
    `inspect` is called with each run opened and its info (the file read once)."""
    out: list[RunInfo] = []
    bad: list[Unreadable] = []
    for journal in open_runs(directory):
        if isinstance(journal, Unreadable):
            bad.append(journal)
            continue
        try:
            out.append(journal.info())
            if inspect is not None:
                inspect(journal, out[-1])
        finally:
            journal.close()
    # not by file name: "-2.db" sorts before ".db"
    return [*sorted(out, key=lambda r: r.made), *bad]


def latest_open_run(directory: Path, plan_id: str) -> RunInfo | None:
    """The most recent run of `plan_id` that has not ended (for `cutover run PLAN`). A
    simulation left unfinished is not one to join: its fast clock ran on without its driver."""
    runs = [
        r
        for r in list_runs(directory)
        if r.plan_id == plan_id and r.phase not in ("ended", "damaged") and r.speed == 1.0
    ]
    return max(runs, key=lambda r: r.made, default=None)


def rehearsals_of(directory: Path, plan_id: str) -> list[tuple[str, RunState]]:
    """Every rehearsal run of `plan_id`, oldest first, with its folded state."""
    wanted = [
        info
        for info in list_runs(directory)
        if info.plan_id == plan_id and info.mode == "rehearsal" and info.phase != "damaged"
    ]
    out: list[tuple[str, RunState]] = []
    for info in sorted(wanted, key=lambda r: r.made):
        journal = Journal(info.path)
        try:
            out.append((info.run_id, journal.state()))
        finally:
            journal.close()
    return out


def event_rows(journal: Journal) -> list[dict]:
    """Every event as stored, for exports and tests: seq, key, type, actor, body, hashes."""
    cursor = journal.db.execute(  # in seq order: PostgreSQL keeps no row order of its own
        "SELECT seq, key, type, actor, body, prev, hash FROM events ORDER BY seq"
    )
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) | {"body": json.loads(row[4])} for row in cursor]


def first_of(journal: Journal, kind: str) -> Event | None:
    """The first event of type `kind`, read alone: the journal keeps no events, and parsing
    the log to find one (a rehearsal's RunStarted, for each rehearsal) costs the whole log."""
    row = journal.db.execute(
        "SELECT seq, body FROM events WHERE type = ? ORDER BY seq LIMIT 1", (kind,)
    ).fetchone()
    return parse_rows([row])[0] if row else None


def is_started(journal: Journal) -> bool:
    return isinstance(first_of(journal, "run-started"), RunStarted)

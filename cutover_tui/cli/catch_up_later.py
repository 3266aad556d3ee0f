"""What changed since this login last looked, worked out after the war room opens (issue 14).

`catch_up_lines` asks the one verdict twice (at the last event this login saw, and now), each
with its odds: at 20,000 steps about 25 s of CPU (32,780 events, 50 new), spent on the UI
thread while the war room opened through the boot (the sketch's clock stood still, keys went
unanswered), or before the first frame on the usual path. Here the same lines are worked out
in a daemon thread the war room starts (tui/catch_up_news.py: not a Textual worker, so a quit
never waits for it) on a connection of its own, opened and closed in that thread (a SQLite
connection serves the thread that opened it), and said once they are ready, once, as before.

That thread opens the run's PATH again, later: another file may be there by then (a group
member can rename one over it in shared mode). So it is given what the UI thread knows once
the trust guard has passed: the file's identity, the run id and a snapshot of the fold the
guard checked (`Seen`). It says nothing unless the file at the path is still that file (before
its connection opens and after the lines are made), with that run id, and its connection's
log holds, link by link, every row the guard folded (`Journal.adopt`, journal/fold_recheck.py)
with no break in what was appended since. Adopting the snapshot also spares the thread
folding the whole log again (the GIL it would hold: tui/catch_up_news.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..journal.fold_ahead import adopt_same_run
from ..journal.folding import Fold
from ..journal.sqlite_io import file_id
from ..journal.store import Journal
from .catch_up import catch_up_lines


@dataclass(frozen=True)
class Seen:
    """What the UI thread's open saw of the run, once the guard passed: the thread's check."""

    path: Path
    identity: tuple[int, int]  # (device, inode) of the file at the path
    run_id: str
    fold: Fold  # a snapshot: the state, the last row folded and its hash


def catch_up_later(journal: object, since: int | None) -> Callable[[], list[str]] | None:
    """The catch-up of `journal` since event `since`, to be worked out in another thread;
    None when there is nothing to say (never looked, nothing new since) or no file to open
    again. Call it on the thread that opened `journal`, after its trust guard passed."""
    if since is None or type(journal) is not Journal:  # PostgreSQL, the locked service
        return None
    assert isinstance(journal, Journal)
    if not 0 < since < journal.head[0] or journal.broken:  # the guard folded the log: cheap
        return None
    identity = file_id(journal.path)
    if identity is None:
        return None  # gone already: nothing to check a later open against
    seen = Seen(journal.path, identity, journal.run_id, journal.fold_snapshot())

    def work() -> list[str]:
        return lines_on_own_connection(seen, since)

    return work


def lines_on_own_connection(seen: Seen, since: int) -> list[str]:
    """`catch_up_lines` on a connection opened and closed in the calling thread; [] unless
    that connection reads the very run `seen` describes (the module's docstring)."""
    if file_id(seen.path) != seen.identity:
        return []
    try:
        journal = Journal(seen.path)
    except Exception:
        return []  # the run went away meanwhile: the war room says so in its own way
    try:
        if not adopt_same_run(journal, seen.run_id, seen.fold):
            return []  # another run or plan, or rows changed or gone since the guard read them
        lines = catch_up_lines(journal, since)
        if journal.broken or file_id(seen.path) != seen.identity:
            return []  # a break in what was appended since, or the file swapped meanwhile
        return lines
    finally:
        journal.close()


__all__ = ["Seen", "catch_up_later", "lines_on_own_connection"]

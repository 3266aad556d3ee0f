"""What changed since this login last looked, worked out after the war room opens (issue 14).

`catch_up_lines` asks the one verdict twice (at the last event this login saw, and now), each
with its odds: at 20,000 steps about 25 s of CPU (32,780 events, 50 new), spent on the UI
thread while the war room opened through the boot (the sketch's clock stood still, keys went
unanswered), or before the first frame on the usual path. Here the same lines are worked out
by a worker of the war room (tui/catch_up_news.py) on a connection of its own, opened and
closed in that thread (a SQLite connection serves the thread that opened it), and said once
they are ready, once, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..journal.store import Journal
from .catch_up import catch_up_lines


def catch_up_later(journal: object, since: int | None) -> Callable[[], list[str]] | None:
    """The catch-up of `journal` since event `since`, to be worked out by a worker; None when
    there is nothing to say (never looked, nothing new since) or no file to open again."""
    if since is None or type(journal) is not Journal:  # PostgreSQL, the locked service
        return None
    assert isinstance(journal, Journal)
    if not 0 < since < journal.head[0]:  # the guard folded the log already: cheap
        return None
    path = journal.path

    def work() -> list[str]:
        return lines_on_own_connection(path, since)

    return work


def lines_on_own_connection(path: Path, since: int) -> list[str]:
    """`catch_up_lines` on a connection opened and closed in the calling thread."""
    try:
        journal = Journal(path)
    except Exception:
        return []  # the run went away meanwhile: the war room says so in its own way
    try:
        return catch_up_lines(journal, since)
    finally:
        journal.close()


__all__ = ["catch_up_later", "lines_on_own_connection"]

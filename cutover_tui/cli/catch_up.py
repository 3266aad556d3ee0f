"""What `cutover run` tells someone joining the bridge: what changed since their login last
looked at this run (journal/seen.py keeps that per login; engine/catchup.py says it)."""

from __future__ import annotations

from ..engine.catchup import catch_up
from ..journal import seen
from ..journal.store import Journal


def last_seen(journal) -> int | None:
    """The last event this login saw of the run, or None (never looked, or a locked host,
    whose files the service holds)."""
    if not isinstance(journal, Journal):
        return None
    known = seen.recall(journal.run_id, journal.path)
    return known.seq if known else None


def catch_up_lines(journal, since: int | None) -> list[str]:
    if since is None or not isinstance(journal, Journal):
        return []
    try:
        return catch_up(journal.state(), journal.events_after(since), since)
    except ValueError:  # unreadable events: the guard has said so already
        return []

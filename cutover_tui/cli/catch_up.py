"""What `cutover run` tells someone joining the bridge: what changed since their login last
looked at this run (journal/seen.py keeps that per login; engine/catchup.py says it), the
level then and now from the one verdict (`cutover status`'s, the war room's)."""

from __future__ import annotations

from ..engine.catchup import catch_up
from ..engine.state import fold
from ..journal import seen
from ..journal.run import run_clock
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
        events = journal.events()
    except ValueError:  # unreadable events: the guard has said so already
        return []
    seen_then = [e for e in events if e.seq <= since]
    if len(seen_then) == len(events) or not seen_then:
        return []
    state = journal.state()
    return catch_up(state, events, since, _levels(journal, seen_then, state))


def _levels(journal: Journal, seen_then: list, state) -> tuple[str, str]:
    """The verdict's word at the last event they saw, and now."""
    from .status_command import assess_run  # the verdict with the war room's odds and prior

    then = fold(journal.plan, seen_then)
    word_then = assess_run(journal, then, seen_then[-1].at)[2].word
    word_now = assess_run(journal, state, run_clock(journal, None).now())[2].word
    return word_then, word_now

"""What `cutover run` tells someone joining the bridge: what changed since their login last
looked at this run (journal/seen.py keeps that per login; engine/catchup.py says it), the
level then and now from the one verdict (`cutover status`'s, the war room's)."""

from __future__ import annotations

from ..engine.catchup import catch_up
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
        state = journal.state()
        if not 0 < since < state.last_seq:
            return []
        # Only the events since, and the state then folded compactly: a 100,000-event run
        # is not parsed and kept whole before the war room opens (journal/folding.py).
        new = journal.event_page(since + 1, state.last_seq)
        then, last = journal.state_at(since), journal.event_page(since, since)
    except ValueError:  # unreadable events: the guard has said so already
        return []
    return catch_up(state, new, since, _levels(journal, then, last[-1].at, state))


def _levels(journal: Journal, then, then_at, state) -> tuple[str, str]:
    """The verdict's word at the last event they saw, and now."""
    from .status_command import assess_run  # the verdict with the war room's odds and prior

    word_then = assess_run(journal, then, then_at)[2].word
    word_now = assess_run(journal, state, run_clock(journal, None).now())[2].word
    return word_then, word_now

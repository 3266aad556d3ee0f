"""The log as a sequence read a page at a time: what the war room's comms log scrolls through.

The journal keeps no events (journal/folding.py); a 100,000-event log shown as a list would
parse and keep them all again. `LogPages` is a `Sequence[Event]` of the events numbered 1 to
`len`: item i is event i + 1 (a row deleted by hand, which the chain check reports, shows as
one "event N missing" line, so the numbering holds),
read through `Journal.event_page` a page at a time, the pages last used kept (an LRU), so the
comms log's virtual list lays out the newest screenful at once and reads older pages as it is
scrolled. `LogView` is the same log through a filter: only the indices of the events kept.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import overload

from ..engine.events import Event, NoteAdded

PAGE = 256  # events per page read
BULK = 5000  # events read at a time by `where`
PAGES_KEPT = 16  # pages kept (4,096 events): a screenful and its neighbours, and the filter's


class LogPages(Sequence[Event]):
    """Events 1..count of a run, each page read once while it stays among the last used."""

    def __init__(self, read: Callable[[int, int], list[Event]], count: int) -> None:
        self._read = read  # (first seq, last seq) -> those events (Journal.event_page)
        self._count = count
        self._pages: OrderedDict[int, list[Event]] = OrderedDict()
        self._labels: dict[Callable[[Event], str], list[str]] = {}  # by labeller (where)
        self.reads = 0  # pages read from the journal (tests, benchmarks)

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Event: ...
    @overload
    def __getitem__(self, index: slice) -> list[Event]: ...

    def __getitem__(self, index: int | slice) -> Event | list[Event]:
        if isinstance(index, slice):
            return [self._at(i) for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        return self._at(index)

    def __iter__(self) -> Iterator[Event]:
        for i in range(self._count):
            yield self._at(i)

    def append(self, event: Event) -> None:
        """An event folded after the log was opened: the next one (its seq is len + 1)."""
        if event.seq != self._count + 1:
            raise ValueError(f"event {event.seq} does not follow event {self._count}")
        number = self._count // PAGE
        page = self._pages.get(number)
        if page is not None and len(page) == self._count % PAGE:
            page.append(event)
        self._count += 1

    def where(self, label: Callable[[Event], str], wanted: str) -> LogView:
        """The events whose `label` is `wanted`, as indices into this log. Each event's label
        is worked out once (read in spans of `BULK` events: one query and one validation
        each, 100,000 events in about 2 s) and kept, a string per event: the next filter
        of the same labels costs a scan of them, not the log read again."""
        labels = self._labels.setdefault(label, [])
        for first in range(len(labels) + 1, self._count + 1, BULK):
            span = self._read_page(first, min(first + BULK - 1, self._count))
            labels.extend(map(label, span))
        return LogView(self, array("l", (i for i, got in enumerate(labels) if got == wanted)))

    def _at(self, index: int) -> Event:
        number, offset = divmod(index, PAGE)
        page = self._pages.get(number)
        if page is None or offset >= len(page):
            first = number * PAGE + 1
            page = self._read_page(first, min(first + PAGE - 1, self._count))
            self.reads += 1
            self._pages[number] = page
            while len(self._pages) > PAGES_KEPT:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        return page[offset]

    def _read_page(self, first: int, last: int) -> list[Event]:
        """The page, or each event alone when one of them cannot be read: the fold reads a
        note from its columns only, so a note whose body was rewritten (and rehashed) past
        the rules shows as unreadable here, never as a traceback."""
        try:
            return whole(self._read(first, last), first, last)
        except ValueError:
            return [self._one(seq) for seq in range(first, last + 1)]

    def _one(self, seq: int) -> Event:
        try:
            return whole(self._read(seq, seq), seq, seq)[0]
        except ValueError:
            return unreadable(seq)


def whole(events: list[Event], first: int, last: int) -> list[Event]:
    """Events `first`..`last`, one per seq: a row deleted by hand (the chain check has said
    so, loudly) shows as a line saying it is missing, so item i stays event i + 1."""
    if len(events) == last - first + 1:
        return events
    by_seq = {e.seq: e for e in events}
    return [by_seq.get(seq) or missing(seq) for seq in range(first, last + 1)]


def missing(seq: int) -> Event:
    """What the log shows in place of an event whose row is gone."""
    return placeholder(seq, f"event {seq} missing: its row was deleted (`cutover verify`)")


def unreadable(seq: int) -> Event:
    """What the log shows in place of an event that cannot be read."""
    return placeholder(seq, f"event {seq} cannot be read: `cutover verify` says how")


def placeholder(seq: int, text: str) -> Event:
    return NoteAdded.model_construct(
        seq=seq,
        actor="conductor",
        at=datetime.fromtimestamp(0, UTC),
        key="",
        kind="deviation",
        text=text,
    )


class LogView(Sequence[Event]):
    """A filtered log: the indices of the events kept, read through the log's pages."""

    def __init__(self, log: LogPages, indices: array) -> None:
        self._log = log
        self._indices = indices

    def __len__(self) -> int:
        return len(self._indices)

    @overload
    def __getitem__(self, index: int) -> Event: ...
    @overload
    def __getitem__(self, index: slice) -> list[Event]: ...

    def __getitem__(self, index: int | slice) -> Event | list[Event]:
        if isinstance(index, slice):
            return [self._log[i] for i in self._indices[index]]
        return self._log[self._indices[index]]

    def append(self, event: Event) -> None:
        """An event the filter keeps, already appended to the log."""
        self._indices.append(event.seq - 1)


def kept(events: Sequence[Event], label: Callable[[Event], str], wanted: str) -> Sequence[Event]:
    """The events whose `label` is `wanted`: a view of a paged log, or a list of a list's."""
    if isinstance(events, LogPages):
        return events.where(label, wanted)
    return [e for e in events if label(e) == wanted]

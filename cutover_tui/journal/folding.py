"""The fold a journal connection keeps, compact, and shared by the connections of one process.

A 100,000-event run is mostly notes. Folding it used to parse every row into a pydantic event
and keep them all (about 1.4 kB each), once per connection, and the war room opens three (the
trust guard's, the conductor's, its delivery thread's): 3.5 s and 150 MB each. Here:

- `fold_log` reads the log in pages by seq, checks every link of the chain as before (every
  row is hashed), and parses only the rows whose event changes the state: a note
  (`engine.fold.folds_nothing`; a clock jump changes the running steps) adds only its key,
  count and seq, read from the row's columns. The body is still what the hash covers; a row whose columns its body does not
  provably agree with (journal/columns.py) is parsed like any other. Nothing is kept but the state: the log is read again,
  a page at a time, by whoever shows it (`Journal.event_page`, journal/pages.py).
- `Fold` is the one fold of a run in a process: `Journal.reopen()` on the same thread shares
  it (the conductor's connection reads only what is new), and `Fold.snapshot()` gives a
  thread of its own (delivery) a copy to catch up from, not a fold from the first event.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from hashlib import sha256

from ..engine.events import Event
from ..engine.fold import fold, folds_nothing
from ..engine.state import RunState
from ..plan.model import Plan
from .columns import columns_suffice

PAGE_ROWS = 5000  # rows read at a time: the transient cost of a fold, whatever the log's size
Row = tuple[int, str, str, str, str, str]  # seq, key, type, body, prev, hash


@dataclass
class Fold:
    """What one process has folded of a run: the state, the last row folded and its hash,
    and the first break in the chain seen (shared by the connections sharing the fold)."""

    state: RunState
    head: str
    logged: int = 0  # the seq of the last row folded (0: none yet)
    broken: str | None = None
    thread: int = field(default_factory=threading.get_ident)

    def shareable(self) -> bool:
        """A connection on this thread may share it (a Journal is not shared across threads)."""
        return self.thread == threading.get_ident()

    def snapshot(self) -> Fold:
        """A copy for another thread, taken on this one (nothing folds meanwhile). The plan,
        its steps, the step states and the graph's derived structures are shared, not
        copied: a fold replaces a step's state or a planned step, never edits one."""
        state = self.state
        memo: dict[int, object] = {id(state.plan): state.plan, id(state.derived): state.derived}
        for shared in (*state.steps.values(), *state.status.values()):
            memo[id(shared)] = shared
        return Fold(copy.deepcopy(state, memo), self.head, self.logged, self.broken)


def fold_log(
    plan: Plan,
    read_page: Callable[[int, int], Sequence[Row]],
    head: str,
    broken: Callable[[str], None] | None,
) -> tuple[RunState | None, str, int]:
    """The state of the whole log, read `PAGE_ROWS` at a time: (state, head hash, last seq),
    or (None, head, 0) for an empty log. With `broken`, each row must follow the one before
    and hash to what it says, as Journal._check_links checks them (in the same loop: one
    pass over 100,000 rows); the first that does not is told to `broken`, and the fold goes
    on (a broken run is shown, never appended to)."""
    wanted: list[tuple[int, str]] = []  # (seq, body) of the rows the state needs
    keys: list[str] = []  # the keys of the rows folded from their columns alone
    last = count = 0
    check = broken is not None
    skips: dict[str, bool] = {}  # by type: may be folded from the columns
    while True:
        rows = read_page(last, PAGE_ROWS)
        if not rows:
            break
        for seq, key, kind, body, prev, digest in rows:
            if check and (
                seq != last + 1
                or prev != head
                or sha256(f"{prev}\n{body}".encode()).hexdigest() != digest  # store.chain
            ):
                broken(f"event {seq} does not follow from the one before it")  # type: ignore[misc]
                check = False
            last, head = seq, digest
            skip = skips.get(kind)
            if skip is None:
                skip = skips[kind] = folds_nothing(kind)
            if skip and columns_suffice(kind, key, body):  # the columns say what the body says
                if key:
                    keys.append(key)
                count += 1
            else:
                wanted.append((seq, body))
    if not last:
        return None, head, 0
    state = fold(plan, parse_wanted(wanted))
    state.event_count += count
    state.keys.update(keys)
    state.last_seq = last
    return state, head, last


# Rows validated per call: one call holds the GIL throughout (0.2 s for 20,000 rows), so a
# fold in a worker (journal/fold_ahead.py) leaves the UI thread a turn between calls.
PARSE_ROWS = 1000


def parse_wanted(rows: list[tuple[int, str]]) -> list[Event]:
    from .store import parse_rows  # store imports this module

    events: list[Event] = []
    for start in range(0, len(rows), PARSE_ROWS):
        events += parse_rows(rows[start : start + PARSE_ROWS])
    return events

"""A fold made ahead by a worker, adopted and caught up, is the fold of the whole log
(journal/fold_ahead.py; issue 14): whatever the log, wherever the worker's read falls, and
however the rows are split into validation calls (journal/folding.py PARSE_ROWS)."""

from __future__ import annotations

import tempfile
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cutover_tui.engine.events import NoteAdded, StepCompleted, StepStarted
from cutover_tui.journal import fold_ahead as ahead
from cutover_tui.journal import folding
from cutover_tui.journal.store import Journal
from tests.journal_support import at, new_run

STEPS = 6


def events_of(ops: list[int]) -> list:
    """Legal events from step numbers: a step's first mention starts it, its second
    completes it, and anything else is a note."""
    mentioned: dict[int, int] = {}
    out = []
    for minute, step in enumerate(ops, start=1):
        seen = mentioned.get(step, 0)
        mentioned[step] = seen + 1
        key, when = uuid.uuid4().hex, at(minute)
        if seen == 0:
            out.append(StepStarted(actor="boss", at=when, step=f"s{step}", key=key))
        elif seen == 1:
            out.append(StepCompleted(actor="boss", at=when, step=f"s{step}", key=key))
        else:
            out.append(NoteAdded(actor="boss", at=when, text=f"note {minute}", key=key))
    return out


@contextmanager
def parse_rows_per_call(rows: int):
    before = folding.PARSE_ROWS
    folding.PARSE_ROWS = rows
    try:
        yield
    finally:
        folding.PARSE_ROWS = before


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    ops=st.lists(st.integers(0, STEPS - 1), min_size=1, max_size=14),
    split=st.integers(0, 14),
    per_call=st.integers(1, 5),
)
def test_adopted_and_caught_up_is_the_whole_fold(ops: list[int], split: int, per_call: int) -> None:
    events = events_of(ops)
    split = min(split, len(events))
    with tempfile.TemporaryDirectory() as tmp:
        writer = new_run(Path(tmp), steps=STEPS)
        for event in events[:split]:
            writer.append(event)
        with parse_rows_per_call(per_call):  # the worker's rows, validated a few at a time
            worker = threading.Thread(target=ahead.fold_ahead, args=(writer.path,))
            worker.start()
            worker.join()
        for event in events[split:]:  # after the worker's read, before the open
            writer.append(event)
        writer.close()
        opened, whole = Journal(writer.path), Journal(writer.path)
        try:
            assert ahead.adopt_folded(opened)
            state, expected = opened.state(), whole.state()
            assert state == expected and state.keys == expected.keys
            assert opened.head == whole.head and state.last_seq == len(events) + 1
            assert opened.broken is None
        finally:
            opened.close()
            whole.close()
            ahead.forget_folded()

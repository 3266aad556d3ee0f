"""The war room's first read of a run is the log its journal already parsed (issue 14): `cutover
run` checks the journal (the trust guard folds every event) before the screen opens, and the
first poll parsed the whole log a second time (a 100,000-event run: 3.7 s and 150 MB more)."""

from __future__ import annotations

from pathlib import Path

from cutover_tui.engine.events import NoteAdded
from cutover_tui.journal.run import JournalRun
from cutover_tui.journal.store import Journal
from cutover_tui.journal.trust import guard
from tests.journal_support import at, new_run


def test_the_first_poll_shares_the_events_the_guard_read(tmp_path: Path) -> None:
    writer = new_run(tmp_path)
    for i in range(5):
        writer.append(NoteAdded(actor="boss", at=at(1), text=f"note {i}", key=f"n{i}"))
    journal = Journal(writer.path)
    assert guard(journal, remember=False) is None
    source = JournalRun(journal, "boss")
    first = source.poll()
    assert [e.seq for e in first] == list(range(1, 7))
    assert all(a is b for a, b in zip(first, journal.events(), strict=True))
    assert journal.followed == journal.head  # what the user's memory of the head records
    # Later polls read only what is new.
    writer.append(NoteAdded(actor="boss", at=at(2), text="later", key="n9"))
    assert [e.text for e in source.poll()] == ["later"]
    assert source.poll() == []


def test_a_runs_plan_is_loaded_once_per_process(tmp_path: Path) -> None:
    # The war room opens a run three times (trust guard, conductor, delivery thread): a
    # 20,000-step plan took seconds each time before the screen could paint.
    writer = new_run(tmp_path)
    assert Journal(writer.path).plan is Journal(writer.path).plan

"""The war room's first read of a run is the fold its journal already made (issue 14): `cutover
run` checks the journal (the trust guard folds every event) before the screen opens, and the
first poll parsed the whole log a second time (a 100,000-event run: 3.7 s and 150 MB more).
Now the room opens on the guard's fold and reads the log a page at a time (journal/pages.py)."""

from __future__ import annotations

from pathlib import Path

from cutover_tui.engine.events import NoteAdded
from cutover_tui.journal.run import JournalRun
from cutover_tui.journal.store import Journal
from cutover_tui.journal.trust import guard
from tests.journal_support import at, new_run


def test_the_war_room_opens_on_the_fold_the_guard_made(tmp_path: Path) -> None:
    writer = new_run(tmp_path)
    for i in range(5):
        writer.append(NoteAdded(actor="boss", at=at(1), text=f"note {i}", key=f"n{i}"))
    journal = Journal(writer.path)
    assert guard(journal, remember=False) is None
    source = JournalRun(journal, "boss")
    opened = source.opening()
    assert opened is not None
    state, log = opened
    assert state is journal.state()  # the guard's fold, not a second one
    assert [e.seq for e in log] == list(range(1, 7))  # the log, read back a page at a time
    assert journal.followed == journal.head  # what the user's memory of the head records
    assert source.poll() == []  # nothing new since
    # Later polls read only what is new, folded into the same state.
    writer.append(NoteAdded(actor="boss", at=at(2), text="later", key="n9"))
    assert [e.text for e in source.poll()] == ["later"]
    assert state.event_count == 7 and source.poll() == []


def test_a_first_poll_without_opening_reads_the_whole_log(tmp_path: Path) -> None:
    writer = new_run(tmp_path)
    writer.append(NoteAdded(actor="boss", at=at(1), text="note", key="n1"))
    source = JournalRun(Journal(writer.path), "boss")
    assert [e.seq for e in source.poll()] == [1, 2]
    writer.append(NoteAdded(actor="boss", at=at(2), text="later", key="n2"))
    assert [e.text for e in source.poll()] == ["later"]


def test_a_runs_plan_is_loaded_once_per_process(tmp_path: Path) -> None:
    # The war room opens a run three times (trust guard, conductor, delivery thread): a
    # 20,000-step plan took seconds each time before the screen could paint.
    writer = new_run(tmp_path)
    assert Journal(writer.path).plan is Journal(writer.path).plan

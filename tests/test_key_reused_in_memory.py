"""The war room's in-memory run (tui/source.py MemoryRun, a plan opened before anyone started
it) answers a key its author used as a real run file does: the same command again with the
row it recorded, another command refused in the journal's own line (review, 2026-12-03: it
answered any repeat of a key with the earlier event, a start taken for a note)."""

from __future__ import annotations

from pathlib import Path

from cutover_tui.engine.events import Event, NoteAdded, StepStarted
from cutover_tui.engine.state import Refused
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal
from cutover_tui.plan import load_plan
from cutover_tui.tui.source import MemoryRun
from tests.warroom_support import PLAN_PATH, at, started


def answers(submit, events: list[Event]) -> list[object]:
    """What each submit answered: the row's seq and type, or the refusal's words."""
    out: list[object] = []
    for event in events:
        try:
            stored = submit(event.model_copy(update={"recorded_at": event.at}))
        except Refused as refusal:
            out.append(str(refusal))
        else:
            out.append((stored.seq, stored.type))
    return out


def test_the_memory_run_answers_a_used_key_as_the_journal_does(tmp_path: Path) -> None:
    loaded = load_plan(PLAN_PATH)
    journal = Journal.create(tmp_path, loaded, rehearsal=False, created_by=os_login())
    note = NoteAdded(actor="dba", at=at(1), text="lag 2s", key="K")
    events = [
        *started(),
        note,
        note.model_copy(update={"at": at(3)}),  # retried later: the same command
        note.model_copy(update={"at": at(4), "step": "freeze"}),  # about a step
        StepStarted(actor="dba", at=at(5), step="freeze", key="K"),
        StepStarted(actor="alice", at=at(6), step="freeze", key="K"),  # keys are per person
    ]
    memory = MemoryRun(loaded.plan, "dba")
    said = answers(memory.submit, events)
    assert said == answers(lambda e: journal.append(e, now=lambda: e.at), events)
    assert said[1:3] == [(2, "note-added")] * 2 and said[5] == (3, "step-started")
    for refusal in said[3:5]:
        assert refusal == "key 'K' was used at 22:01 for note-added #2; use a new key"
    journal.close()

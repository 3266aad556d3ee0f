"""The index of runs (journal/runindex.py, journal/listing.py): each run file's own row,
written with each event, read while it names the chain's head, and never trusted over it.

Issue 14: `cutover runs` on 200 runs took 18 s, every stored plan parsed and every log
folded. These tests prove the structure (a listing of indexed runs opens no Journal, folds
nothing) and the fallbacks; benchmarks/runs_list.py has the figures.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cutover_tui.engine.events import (
    NoteAdded,
    RollbackInvoked,
    RunEnded,
    RunStarted,
    StepCompleted,
    StepStarted,
)
from cutover_tui.journal import listing, runindex
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.listing import listed, run_paths
from cutover_tui.journal.run_lookup import latest_open_run, list_runs, rehearsals_of
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from tests.journal_support import at, new_run, plan_text


def worked(directory: Path, end: bool = False) -> Journal:
    """A run with a step done and a note (and ended, if asked)."""
    journal = new_run(directory, steps=4)
    journal.append(StepStarted(actor="boss", at=at(1), step="s0", key="a"))
    journal.append(StepCompleted(actor="boss", at=at(5), step="s0", key="b"))
    journal.append(NoteAdded(actor="boss", at=at(6), text="fine", key="c"))
    if end:
        journal.append(RunEnded(actor="boss", at=at(7), outcome="aborted", key="d"))
    return journal


def folded_info(path: Path):
    journal = Journal(path)
    try:
        return journal.info()
    finally:
        journal.close()


def no_journal_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening a Journal (parsing its plan, folding its log) fails the test from here on."""

    def refuse(self, path):
        raise AssertionError(f"the listing opened {path} as a Journal")

    monkeypatch.setattr(Journal, "__init__", refuse)  # the listing imports it where it folds


@pytest.mark.parametrize("end", [False, True])
def test_the_row_written_with_each_event_says_what_the_fold_says(tmp_path: Path, end: bool) -> None:
    journal = worked(tmp_path, end)
    journal.close()
    expected = folded_info(journal.path)
    db = sqlite3.connect(journal.path)
    row = runindex.read(db)
    db.close()
    assert row is not None and row.seq == expected.events
    (item,) = listed(tmp_path, judge=True)
    assert item.run == expected and not item.distrusted


def test_an_indexed_listing_opens_no_journal(tmp_path: Path, monkeypatch) -> None:
    for _ in range(3):
        worked(tmp_path).close()
    expected = [folded_info(p) for p in sorted(tmp_path.glob("*.db"))]
    no_journal_opened(monkeypatch)
    assert sorted(r.run_id for r in list_runs(tmp_path)) == sorted(e.run_id for e in expected)
    found = listed(tmp_path, judge=True)
    assert {item.run.run_id: item.run for item in found} == {e.run_id: e for e in expected}


def test_a_run_made_before_the_index_is_folded_then_indexed_on_its_next_append(
    tmp_path: Path,
) -> None:
    journal = worked(tmp_path)
    journal.close()
    db = sqlite3.connect(journal.path)
    db.execute("DROP TABLE run_index")  # as a file written before the index
    db.commit()
    db.close()
    (item,) = listed(tmp_path, judge=True)
    assert item.run == folded_info(journal.path) and item.run.events == 4
    db = sqlite3.connect(journal.path)
    assert runindex.read(db).events == 4  # the listing that folded it left the row
    db.close()
    again = Journal(journal.path)
    again.append(NoteAdded(actor="boss", at=at(8), text="later", key="e"))
    again.close()
    db = sqlite3.connect(journal.path)
    assert runindex.read(db).events == 5
    db.close()


def test_a_row_left_behind_by_an_older_writer_is_not_used(tmp_path: Path, monkeypatch) -> None:
    journal = worked(tmp_path)
    monkeypatch.setattr(runindex, "record", lambda *args: None)  # an older cutover
    journal.append(StepStarted(actor="boss", at=at(9), step="s1", key="f"))
    journal.close()
    monkeypatch.undo()
    db = sqlite3.connect(journal.path)
    assert runindex.read(db) is None  # it names event 4, the head is 5
    db.close()
    (item,) = listed(tmp_path)
    assert item.run.events == 5 and item.run.summary == "running, 1/6 steps closed"


def test_an_index_that_fails_to_write_leaves_no_event_and_no_fold_ahead(
    tmp_path: Path, monkeypatch
) -> None:
    journal = worked(tmp_path)
    state = journal.state()

    def fail(*args):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(runindex, "record", fail)
    with pytest.raises(sqlite3.OperationalError):
        journal.append(StepStarted(actor="boss", at=at(9), step="s1", key="g"))
    monkeypatch.undo()
    assert journal.state() is state  # the same object, folded again from the log
    assert state.status["s1"].status == "pending" and state.last_seq == 4
    assert journal.db.execute("SELECT max(seq) FROM events").fetchone()[0] == 4
    journal.append(StepStarted(actor="boss", at=at(9), step="s1", key="g"))  # and on it goes
    assert journal.state().last_seq == 5
    journal.close()


def test_a_chain_broken_under_an_index_that_names_the_head_is_damaged(tmp_path: Path) -> None:
    journal = worked(tmp_path)
    journal.close()
    db = sqlite3.connect(journal.path, isolation_level=None)
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    db.execute("UPDATE events SET body = replace(body, 'fine', 'FINE') WHERE seq = 4")
    assert runindex.read(db) is not None  # the row still names the head: the chain decides
    db.close()
    (item,) = listed(tmp_path, judge=True)
    assert item.run.summary.startswith("DAMAGED")
    assert list_runs(tmp_path)[0].summary.startswith("DAMAGED")


@pytest.mark.parametrize(
    "forged",
    [
        "phase = 'ended', outcome = 'completed'",  # a running run shown over
        "phase = 'damaged', outcome = 'cutover verify says how'",  # shown damaged, skipped
        "phase = 'not-started'",
        "events = events + 5",
    ],
)
def test_a_forged_row_the_chain_contradicts_is_not_listed(tmp_path: Path, forged: str) -> None:
    """A group member edits the index row (no trigger guards it): the listing checks the
    phase, outcome and count against the chain's rows and folds the log instead."""
    journal = worked(tmp_path)
    journal.close()
    db = sqlite3.connect(journal.path, isolation_level=None)
    db.execute(f"UPDATE run_index SET {forged}")
    db.close()
    (item,) = listed(tmp_path, judge=True)
    assert item.run.phase == "running" and item.run.events == 4
    assert item.run.summary == folded_info(journal.path).summary
    assert latest_open_run(tmp_path, "jt").run_id == journal.run_id  # `cutover run PLAN` joins it


def test_a_rehearsal_forged_damaged_in_its_row_is_still_searched(tmp_path: Path) -> None:
    loaded = parse_plan(plan_text(4), name="jt.toml")
    journal = Journal.create(tmp_path, loaded, rehearsal=True, created_by=os_login())
    journal.append(RunStarted(actor="boss", at=at(0), plan_id="jt", mode="rehearsal", key="r"))
    journal.append(RunEnded(actor="boss", at=at(7), outcome="aborted", key="d"))
    journal.close()
    db = sqlite3.connect(journal.path, isolation_level=None)
    db.execute("UPDATE run_index SET phase = 'damaged'")  # the search skips a damaged run
    db.close()
    assert [run_id for run_id, _ in rehearsals_of(tmp_path, "jt")] == [journal.run_id]


def test_a_note_that_spells_an_end_does_not_end_a_run_in_the_listing(tmp_path: Path) -> None:
    journal = worked(tmp_path)
    journal.append(NoteAdded(actor="boss", at=at(8), text='"type":"run-ended"', key="n"))
    journal.close()
    (item,) = listed(tmp_path)
    assert item.run.phase == "running"
    assert listing.chain_says(sqlite3.connect(journal.path))[0] == "running"


def test_triggers_removed_make_an_indexed_run_not_trusted(tmp_path: Path) -> None:
    journal = worked(tmp_path)
    journal.close()
    db = sqlite3.connect(journal.path, isolation_level=None)
    (name,) = db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' LIMIT 1").fetchone()
    db.execute(f"DROP TRIGGER {name}")
    db.close()
    (item,) = listed(tmp_path, judge=True)
    assert item.distrusted


def test_the_rehearsal_search_opens_only_that_plans_rehearsals(tmp_path: Path) -> None:
    live = worked(tmp_path)  # journal_support's runs are live runs of plan "jt"
    live.close()
    assert list(run_paths(tmp_path, "jt", "rehearsal")) == []
    assert list(run_paths(tmp_path, "jt", "live")) == [live.path]
    (tmp_path / "junk.db").write_bytes(b"not a database" * 100)
    assert list(run_paths(tmp_path, "jt", "rehearsal")) == [tmp_path / "junk.db"]  # judged later


def test_the_count_moved_by_each_event_is_the_count_made_over_every_step(tmp_path: Path) -> None:
    """Start and complete move the count by their own step; a skip, a failure and its retry,
    an added step, notes, a rollback and the end: after every append the row says what
    counting every step says."""
    from cutover_tui.engine.events import RollbackInvoked, StepAdded, StepFailed, StepSkipped

    journal = new_run(tmp_path, steps=4)
    night = [
        StepStarted(actor="boss", at=at(1), step="s0"),
        StepCompleted(actor="boss", at=at(4), step="s0"),
        StepSkipped(actor="boss", at=at(5), step="s1", reason="not needed"),
        StepStarted(actor="boss", at=at(6), step="s2"),
        StepFailed(actor="boss", at=at(8), step="s2", reason="disk"),
        StepStarted(actor="boss", at=at(9), step="s2"),
        StepCompleted(actor="boss", at=at(12), step="s2"),
        NoteAdded(actor="boss", at=at(13), text="half way"),
        StepAdded(
            actor="boss",
            at=at(14),
            step="x1",
            title="Extra",
            owner="boss",
            duration_s=60,
            reason="found late",
        ),
        StepStarted(actor="boss", at=at(15), step="x1"),
        StepCompleted(actor="boss", at=at(16), step="x1"),
        RollbackInvoked(actor="boss", at=at(17), reason="drill"),
        RunEnded(actor="boss", at=at(40), outcome="rolled-back"),
    ]
    counts = []
    for n, event in enumerate(night):
        journal.append(event.model_copy(update={"key": f"e{n}"}))
        row = runindex.read(journal.db)
        assert row is not None and row.steps_done == runindex.steps_closed(journal.state())
        assert row.steps_total == len(journal.state().order)
        counts.append(row.steps_done)
    journal.close()
    assert counts[:3] == [0, 1, 2] and max(counts) >= 4  # the count did move


def test_a_backfill_never_writes_over_a_newer_head_nor_past_a_writer(tmp_path: Path) -> None:
    journal = worked(tmp_path)
    journal.close()
    db = sqlite3.connect(journal.path, isolation_level=None)
    db.execute("DROP TABLE run_index")
    stale = Journal(journal.path)  # folded at event 4
    stale.state()
    writer = Journal(journal.path)
    writer.append(NoteAdded(actor="boss", at=at(9), text="later", key="late"))  # its row: 5
    listing.backfill(stale)
    assert runindex.read(db).seq == 5  # the fold of event 4 did not write over it
    db.execute("DROP TABLE run_index")
    db.execute("BEGIN IMMEDIATE")  # a writer holds the file
    fresh = Journal(journal.path)
    listing.backfill(fresh)  # gives up at once, quietly
    db.execute("COMMIT")
    assert runindex.read(db) is None
    for opened in (stale, writer, fresh):
        opened.close()
    db.close()


@pytest.mark.parametrize("ending", ["", "rollback", "end", "rollback-end"])
def test_one_walk_says_what_the_link_check_and_chain_says_said(tmp_path: Path, ending: str) -> None:
    """`walked` reads the rows once (issue 14); it must agree with the two reads it replaced."""
    journal = worked(tmp_path)
    journal.append(NoteAdded(actor="boss", at=at(8), text='"type":"run-ended"', key="n"))
    if "rollback" in ending:
        journal.append(RollbackInvoked(actor="boss", at=at(9), reason="why", key="rb"))
    if "end" in ending:
        journal.append(RunEnded(actor="boss", at=at(10), outcome="aborted", key="e"))
    journal.close()
    db = sqlite3.connect(journal.path)
    assert listing.walked(db) == (listing.broken_link(db), listing.chain_says(db))
    assert all(kind.startswith("r") for kind in listing._PHASE_TYPES)  # walked's filter


def test_one_walk_still_finds_a_broken_link(tmp_path: Path) -> None:
    journal = worked(tmp_path)
    journal.close()
    db = sqlite3.connect(journal.path, isolation_level=None)
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")]
    for name in names:
        db.execute(f"DROP TRIGGER {name}")
    db.execute("UPDATE events SET body = replace(body, 'boss', 'BOSS') WHERE seq = 2")
    broken, _ = listing.walked(db)
    assert broken == listing.broken_link(db) == "event 2 does not follow from the one before it"

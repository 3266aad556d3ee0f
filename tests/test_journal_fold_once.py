"""One compact fold per process (issue 14): the journal keeps no events, notes are folded from
their rows' columns, the conductor's connection shares the fold, its delivery thread adopts a
copy, and the war room's comms log reads the log a page at a time."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import AcceleratedClock
from cutover_tui.engine.events import (
    ClockJumped,
    NoteAdded,
    StepCompleted,
    StepStarted,
    dump_event,
)
from cutover_tui.engine.fold import fold
from cutover_tui.journal import folding, store
from cutover_tui.journal.pages import PAGE, LogPages
from cutover_tui.journal.run import JournalRun
from cutover_tui.journal.store import Journal, _immediate, chain
from cutover_tui.journal.trust import guard
from cutover_tui.plan import parse_plan
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.widgets.comms import CommsLog
from tests.journal_support import at, new_run, plan_text
from tests.waiting import until_async

NOTES = 100_000
PLAN = parse_plan(plan_text(), name="jt.toml")


def bulk_notes(journal: Journal, count: int, start: float = 1.0) -> None:
    """`count` notes appended in one transaction with their chain, as benchmarks/app_real.py
    writes a long night (the checked append takes minutes for 100,000)."""
    _, head = journal.head
    with _immediate(journal.db):
        for i in range(count):
            event = NoteAdded(
                actor="boss", at=at(start + i / 1000), text=f"status {i}", key=f"note-{i}"
            )
            body = dump_event(event)
            digest = chain(head, body)
            journal.db.execute(
                "INSERT INTO events (key, type, actor, body, prev, hash) VALUES (?, ?, ?, ?, ?, ?)",
                (event.key, event.type, event.actor, body, head, digest),
            )
            head = digest


@pytest.fixture(scope="module")
def long_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real run file: RunStarted, then 100,000 notes."""
    writer = new_run(tmp_path_factory.mktemp("long"))
    bulk_notes(writer, NOTES)
    writer.close()
    return writer.path


@pytest.fixture
def folds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each whole-log fold made in this process (any thread), by the seq it reached."""
    made: list[int] = []
    real = store.fold_log

    def counting(*args, **kwargs):
        out = real(*args, **kwargs)
        made.append(out[2])
        return out

    monkeypatch.setattr(store, "fold_log", counting)
    return made


def test_the_log_pages_return_the_right_rows_at_both_ends(long_run: Path, folds) -> None:
    journal = Journal(long_run)
    assert guard(journal, remember=False) is None
    opened = JournalRun(journal, "boss").opening()
    assert opened is not None
    state, log = opened
    assert len(log) == NOTES + 1 == state.event_count == state.last_seq
    assert log[0].type == "run-started" and log[0].seq == 1
    assert (log[1].seq, log[1].text) == (2, "status 0")
    assert (log[-1].seq, log[-1].text) == (NOTES + 1, f"status {NOTES - 1}")
    assert [e.seq for e in log[-3:]] == [NOTES - 1, NOTES, NOTES + 1]
    assert log[50_000].text == "status 49999"
    assert [e.seq for e in log[PAGE - 1 : PAGE + 1]] == [PAGE, PAGE + 1]  # across a page
    assert log.reads <= 5  # pages read, not the log
    # The notes were folded from their columns: their keys still guard a repeat.
    assert f"note-{NOTES - 1}" in state.keys and "note-0" in state.keys
    assert folds == [NOTES + 1]  # the guard's, and the war room took that one


def test_pages_are_kept_few_and_a_new_event_joins_the_last_page() -> None:
    events = [NoteAdded(actor="boss", at=at(0), text=f"n{i}", key=f"k{i}") for i in range(1000)]
    events = [e.model_copy(update={"seq": i + 1}) for i, e in enumerate(events)]
    asked: list[tuple[int, int]] = []

    def read(first: int, last: int):
        asked.append((first, last))
        return events[first - 1 : last]

    log = LogPages(read, 999)
    assert log[-1].text == "n998" and log[3].text == "n3"
    log.append(events[999])
    assert log[-1].text == "n999" and len(log) == 1000
    assert len(asked) == 2  # the last page took the new event without a read
    with pytest.raises(ValueError):
        log.append(events[5])  # not the next one
    view = log.where(lambda e: e.text[-1], "7")
    assert [e.text for e in view[:3]] == ["n7", "n17", "n27"] and len(view) == 100


def test_the_compact_fold_is_the_fold_of_every_event(tmp_path: Path) -> None:
    writer = new_run(tmp_path)
    for i in range(30):  # steps started and completed among notes and clock jumps
        sid = f"s{i}"
        writer.append(StepStarted(actor="boss", at=at(i), step=sid, key=f"a{i}"))
        writer.append(NoteAdded(actor="boss", at=at(i), text=f"n{i}", step=sid, key=f"n{i}"))
        if i % 3:
            writer.append(StepCompleted(actor="boss", at=at(i + 0.5), step=sid, key=f"b{i}"))
        if i % 7 == 0:
            writer.append(ClockJumped(actor="conductor", at=at(i), seconds=90.0, key=f"j{i}"))
    compact = Journal(writer.path).state()
    whole = fold(compact.plan, writer.events())
    assert compact.event_count == whole.event_count and compact.last_seq == whole.last_seq
    assert compact.keys == whole.keys
    for sid in compact.order:
        a, b = compact.status[sid], whole.status[sid]
        assert (a.status, a.started_at, a.finished_at) == (b.status, b.started_at, b.finished_at)


def test_a_fold_is_adopted_only_where_the_log_still_holds_its_head(tmp_path: Path) -> None:
    writer = new_run(tmp_path)
    writer.append(NoteAdded(actor="boss", at=at(1), text="one", key="n1"))
    snapshot = writer.fold_snapshot()
    assert snapshot.state is not writer.state() and snapshot.state.plan is writer.plan
    reader = Journal(writer.path)
    assert reader.adopt(snapshot)
    writer.append(NoteAdded(actor="boss", at=at(2), text="two", key="n2"))
    assert reader.state().event_count == 3 and not reader.broken  # caught up from it
    stale = writer.fold_snapshot()
    stale.head = "f" * 64  # not the log's head: this connection folds the log itself
    assert not Journal(writer.path).adopt(stale)


def test_a_reopened_connection_shares_the_fold_and_sees_its_appends(where) -> None:
    writer = new_run(where)  # a file, or a schema in PostgreSQL
    war_room = writer.reopen()
    conductor = war_room.reopen()
    assert conductor.state() is war_room.state()
    conductor.append(NoteAdded(actor="boss", at=at(3), text="from the conductor", key="c1"))
    war_room.append(NoteAdded(actor="boss", at=at(4), text="from the room", key="r1"))
    assert war_room.head == conductor.head and not war_room.broken
    assert [e.key for e in war_room.events()[-2:]] == ["c1", "r1"]


async def test_the_war_room_folds_the_log_once_and_shows_a_note_from_another_process(
    long_run: Path, folds, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    run = tmp_path / long_run.name  # its own copy: this test appends to it
    shutil.copy(long_run, run)
    adopted: list[bool] = []
    real_adopt = Journal.adopt

    def adopt(self, fold):
        adopted.append(real_adopt(self, fold))
        return adopted[-1]

    monkeypatch.setattr(Journal, "adopt", adopt)
    journal = Journal(run)  # what `cutover run` opens: the guard, then the room
    assert guard(journal, remember=False) is None
    clock = AcceleratedClock(at(120), 1.0)
    source = JournalRun(journal, "boss", now=clock.now, monotonic=clock.monotonic)
    conductor = Conductor(journal.reopen(), clock)
    app = WarRoomApp(source, clock, conductor=conductor)
    async with app.run_test(size=(160, 48)):
        log = app.query_one(CommsLog)
        await until_async(lambda: adopted, "the delivery thread opened its connection")
        assert adopted == [True]  # it caught up from the conductor's fold
        await until_async(lambda: any(f"status {NOTES - 1}" in s for s in log.plain_lines()))
        assert not any("status 0 ·" in s for s in log.plain_lines())  # only the newest
        # A note from another process (the CLI's path: its own connection, its own fold).
        code = (
            "import sys; from pathlib import Path; from datetime import datetime\n"
            "from cutover_tui.journal.store import Journal\n"
            "from cutover_tui.engine.events import NoteAdded\n"
            "j = Journal(Path(sys.argv[1]))\n"
            "when = datetime.fromisoformat(sys.argv[2])\n"
            "j.append(NoteAdded(actor='boss', at=when, text='from next door', key=sys.argv[3]),"
            " now=lambda: when)\n"
        )
        when = (at(120) + timedelta(seconds=1)).isoformat()
        subprocess.run([sys.executable, "-c", code, str(run), when, uuid.uuid4().hex], check=True)
        await until_async(lambda: any("from next door" in s for s in log.plain_lines()))
        assert app.state is journal.state() and app.state.event_count >= NOTES + 2
        while log.cycle_filter(app.frame) != "decision":  # read in bulk once, then kept
            pass
        assert log.plain_lines() == []  # no decision among the notes
        while log.cycle_filter(app.frame) != "note":
            pass
        assert any("from next door" in s for s in log.plain_lines())
        assert not any("started" in s for s in log.plain_lines())
    assert folds == [NOTES + 1]  # once in this process: the guard's


# -- the compact fold is the fold, whatever the mix (a property) -------------------------------

OPS = st.lists(st.one_of(st.just("note"), st.just("jump"), st.integers(0, 9)), max_size=60)


def night_of(ops: list) -> list:
    """Legal events from `ops`: a number starts its step, then completes it; notes and clock
    jumps between (a note the fold reads from its columns alone; a jump changes the running
    steps)."""
    events, running, done = [], set(), set()
    for n, op in enumerate(ops):
        when, key = at(1 + n), f"k{n}"
        if op == "note":
            events.append(NoteAdded(actor="boss", at=when, text=f"n{n}", key=key))
        elif op == "jump":
            events.append(ClockJumped(actor="conductor", at=when, seconds=60.0, key=key))
        elif f"s{op}" in running:
            running.discard(f"s{op}")
            done.add(f"s{op}")
            events.append(StepCompleted(actor="boss", at=when, step=f"s{op}", key=key))
        elif f"s{op}" not in done:
            running.add(f"s{op}")
            events.append(StepStarted(actor="boss", at=when, step=f"s{op}", key=key))
    return [e.model_copy(update={"seq": i + 1}) for i, e in enumerate(events)]


@settings(max_examples=60, deadline=None)
@given(ops=OPS)
def test_the_compact_fold_equals_the_fold_of_every_event(ops: list) -> None:
    plan = PLAN.plan
    events = night_of(ops)
    rows, head = [], store.GENESIS
    for e in events:
        body = dump_event(e)
        digest = chain(head, body)
        rows.append((e.seq, e.key, e.type, body, head, digest))
        head = digest
    breaks: list[str] = []
    compact, last_hash, last = folding.fold_log(
        plan, lambda after, n: rows[after : after + n], store.GENESIS, breaks.append
    )
    assert not breaks and (last, last_hash) == ((len(rows), head) if rows else (0, head))
    if not events:
        assert compact is None
        return
    whole = fold(plan, events)
    assert compact is not None
    assert (compact.event_count, compact.last_seq) == (whole.event_count, whole.last_seq)
    assert compact.keys == whole.keys
    for sid in whole.order:
        a, b = compact.status[sid], whole.status[sid]
        assert (a.status, a.started_at, a.finished_at) == (b.status, b.started_at, b.finished_at)


def test_a_row_that_does_not_follow_is_told_and_the_fold_goes_on() -> None:
    events = night_of(["note", 1, "note", 1])
    rows, head = [], store.GENESIS
    for e in events:
        body = dump_event(e)
        rows.append((e.seq, e.key, e.type, body, head, chain(head, body)))
        head = rows[-1][5]
    seq, key, kind, body, prev, digest = rows[2]
    rows[2] = (seq, key, kind, body.replace("n2", "n9"), prev, digest)  # edited, not rehashed
    breaks: list[str] = []
    state, _, last = folding.fold_log(
        PLAN.plan, lambda after, n: rows[after : after + n], store.GENESIS, breaks.append
    )
    assert breaks == ["event 3 does not follow from the one before it"]
    assert last == 4 and state is not None and state.status["s1"].status == "done"


def test_a_note_rewritten_past_the_rules_shows_as_unreadable_not_a_traceback(
    tmp_path: Path,
) -> None:
    writer = new_run(tmp_path)
    for i in range(3):
        writer.append(NoteAdded(actor="boss", at=at(1), text=f"note {i}", key=f"n{i}"))
    db = sqlite3.connect(writer.path)
    db.execute("DROP TRIGGER events_no_update")  # someone with the file and sqlite3
    body, prev = db.execute("SELECT body, prev FROM events WHERE seq = 3").fetchone()
    body = body.replace('"kind":"info"', '"kind":"bogus"')  # not a kind the rules know
    db.execute("UPDATE events SET body = ?, hash = ? WHERE seq = 3", (body, chain(prev, body)))
    db.commit()
    db.close()
    journal = Journal(writer.path)  # the chain from event 4 on no longer links: read all
    opened = JournalRun(journal, "boss").opening()
    assert opened is not None
    _, log = opened
    assert [e.seq for e in log] == [1, 2, 3, 4]
    assert "event 3 cannot be read" in log[2].text and log[3].text == "note 2"


def test_the_rehearsal_history_reads_each_runs_start_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cutover_tui.rehearse.history import history
    from tests.test_rehearse_history import rehearsal_file

    plan = tmp_path / "jt.toml"
    plan.write_text(plan_text())
    runs = tmp_path / "runs"
    rehearsal_file(runs, plan, {"s0": 10, "s1": 12}).close()
    rehearsal_file(runs, plan, {"s0": 11}, note="simulated at 60x").close()

    def whole_log(self):
        raise AssertionError("the whole log parsed to find its RunStarted")

    monkeypatch.setattr(Journal, "events", whole_log)
    found = history(runs, "jt")  # the simulation told by its RunStarted's note
    assert [len(found.counted), len(found.simulated)] == [1, 1]


async def test_a_large_plans_conductor_starts_once_its_first_frame_is_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The conductor's connection shares the war room's state, which the first-frame worker
    # of a large plan reads (tui/first_paint.py): it starts after that frame, not during it.
    import threading

    import cutover_tui.tui.first_frame as app_module  # the first-frame worker's schedule
    from cutover_tui.tui import first_paint

    monkeypatch.setattr(first_paint, "DEFER_STEPS", 10)  # the 40-step plan counts as large
    release = threading.Event()
    real = app_module.schedule

    def held(state, now):
        if threading.current_thread() is not threading.main_thread():
            assert release.wait(60), "the test never let the schedule worker go"
        return real(state, now)

    monkeypatch.setattr(app_module, "schedule", held)
    writer = new_run(tmp_path)
    journal = Journal(writer.path)
    assert guard(journal, remember=False) is None
    clock = AcceleratedClock(at(30), 1.0)
    source = JournalRun(journal, "boss", now=clock.now, monotonic=clock.monotonic)
    conductor = Conductor(journal.reopen(), clock)
    app = WarRoomApp(source, clock, conductor=conductor)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await until_async(lambda: first_paint.SCHEDULE_PENDING in status_of(app))
            for _ in range(5):  # the sketch is out and its refreshes ran
                await pilot.pause()
            assert not conductor.holding and conductor.jobs() == []  # not started
            release.set()
            await until_async(lambda: app.frame is not None)
            await until_async(lambda: conductor.holding, "the conductor took the lease")
    finally:
        release.set()


def status_of(app: WarRoomApp) -> str:
    from cutover_tui.tui.widgets.status import StatusBar

    return app.query_one(StatusBar).plain

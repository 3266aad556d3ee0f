"""The log folded off the UI thread (journal/fold_ahead.py, issue 14).

The boot's worker folds the run on its own connection; the open on the UI thread adopts that
fold and catches up only what was appended since. Regression: the open folded the whole log
on the UI thread (0.8-2 s at 20,000 steps), the sketch's clock stood still and keys went
unanswered meanwhile. Real run files, a real second writer (another process); the slow fold
is made slow by an Event the test sets, never by a sleep.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cutover_tui.journal import fold_ahead as ahead
from cutover_tui.journal import store
from cutover_tui.journal.first_facts import read_first_facts
from cutover_tui.journal.store import Journal
from cutover_tui.journal.trust import guard
from cutover_tui.tui import boot
from tests.boot_support import SIZE, run_file, sketch_text, taken_over
from tests.test_cli_warroom import ROOT
from tests.test_journal_trust import attacker
from tests.warroom_support import settle

HOLD_S = 30.0  # how long a held fold waits for the test before it gives up (a real fault)


@pytest.fixture(autouse=True)
def _nothing_left_ahead():
    ahead.forget_folded()
    yield
    ahead.forget_folded()


class HeldFold:
    """store.fold_log, held until the test lets it go; each call's thread remembered."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.calls: list[tuple[str, bool]] = []  # (thread name, held until released)
        real = store.fold_log

        def held(*args, **kwargs):
            self.entered.set()
            released = self.release.wait(HOLD_S)
            self.calls.append((threading.current_thread().name, released))
            return real(*args, **kwargs)

        monkeypatch.setattr(store, "fold_log", held)

    def on_main(self) -> list[tuple[str, bool]]:
        return [call for call in self.calls if call[0] == threading.main_thread().name]


def second_writer(path: Path, step: str, note: str) -> None:
    """Another process appends a step's start and a note, as `cutover do` would."""
    code = (
        "import sys, uuid\n"
        "from datetime import UTC, datetime\n"
        "from pathlib import Path\n"
        "from cutover_tui.engine.events import NoteAdded, StepStarted\n"
        "from cutover_tui.journal.store import Journal\n"
        "j = Journal(Path(sys.argv[1]))\n"
        "now = datetime.now(UTC)\n"
        "j.append(StepStarted(actor='boss', at=now, step=sys.argv[2], key=uuid.uuid4().hex),"
        " now=lambda: now)\n"
        "j.append(NoteAdded(actor='boss', at=now, text=sys.argv[3], key=uuid.uuid4().hex),"
        " now=lambda: now)\n"
        "j.close()\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path), step, note], check=True, cwd=ROOT)


def fold_in_a_thread(path: Path) -> None:
    worker = threading.Thread(target=ahead.fold_ahead, args=(path,), name="boot-worker")
    worker.start()
    worker.join()


def fresh_state(path: Path):
    journal = Journal(path)  # nothing adopted: the whole log folded from its first event
    try:
        return journal.state(), journal.head
    finally:
        journal.close()


async def test_the_sketch_ticks_and_answers_keys_while_the_log_is_folded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cutover_tui.cli.warroom_boot import prepare_war_room
    from cutover_tui.cli.warroom_commands import war_room_parts

    path = run_file(tmp_path)
    second_writer(path, "s3", "before the open")
    fold = HeldFold(monkeypatch)
    ticks = iter(range(10**6))  # each sketch shows a later clock: a tick is seen on screen
    base = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
    facts = read_first_facts(path, time.time())
    assert facts is not None
    app = boot.WarRoomBoot(
        facts,
        lambda: war_room_parts(Journal(path), read_only=False),
        prepare=lambda: prepare_war_room(path),  # what `cutover run RUN` gives its worker
        login="tester",
        now=lambda: base + timedelta(seconds=next(ticks)),
    )
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, fold.entered.is_set, timeout=60)  # the fold has begun
            clock = app.query_one("#status-clock").text.plain
            await settle(pilot, lambda: app.query_one("#status-clock").text.plain != clock)
            await pilot.press("plus")  # a war room key: answered, held back in words
            await settle(
                pilot, lambda: any(boot.HELD_BACK in str(n.message) for n in app._notifications)
            )
            assert "steps done" in sketch_text(app) and type(app) is boot.WarRoomBoot
            fold.release.set()
            await settle(pilot, lambda: taken_over(app), timeout=60)
            assert fold.on_main() == [], "the UI thread folded the log"
            assert fold.calls[0][1], "the fold went on before the test let it"
            # The worker's fold, adopted: the writer's step is in the war room's state.
            assert app.state is app.source.journal.state() and app.state.last_seq >= 3
            assert app.state.status["s3"].started_at is not None
    finally:
        fold.release.set()


def test_an_event_appended_between_the_workers_fold_and_the_open_is_folded_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = run_file(tmp_path)
    second_writer(path, "s1", "folded by the worker")
    fold_in_a_thread(path)
    second_writer(path, "s2", "appended after the worker's read")  # a real second writer
    folds: list[str] = []
    real = store.fold_log
    monkeypatch.setattr(store, "fold_log", lambda *a, **k: folds.append("whole") or real(*a, **k))
    journal = Journal(path)  # the open, on this thread
    try:
        assert ahead.adopt_folded(journal)
        state = journal.state()  # the guard's read: the rows after the worker's head only
        assert folds == [], "the whole log was folded again"
        monkeypatch.setattr(store, "fold_log", real)
        expected, head = fresh_state(path)
        assert journal.head == head and state.last_seq == 5
        assert state == expected  # the same state, each event applied once
        assert state.keys == expected.keys and state.event_count == 5
        assert state.status["s1"].started_at and state.status["s2"].started_at
        assert guard(journal) is None
    finally:
        journal.close()
    again = Journal(path)
    try:
        assert not ahead.adopt_folded(again), "a fold is taken once"
    finally:
        again.close()


def test_a_break_the_worker_folded_past_still_refuses_the_run(tmp_path: Path) -> None:
    path = run_file(tmp_path)
    second_writer(path, "s1", "a note")
    db = attacker(path)  # the note's body changed, its hash left: the chain breaks there
    db.execute("UPDATE events SET body = replace(body, 'a note', 'a lie') WHERE seq = 3")
    db.close()
    fold_in_a_thread(path)
    journal = Journal(path)
    try:
        assert ahead.adopt_folded(journal)
        assert "hash chain is broken" in (guard(journal) or "")
    finally:
        journal.close()


def test_a_log_rewritten_after_the_workers_fold_is_folded_whole_and_refused(
    tmp_path: Path,
) -> None:
    path = run_file(tmp_path)
    second_writer(path, "s1", "a note")
    fold_in_a_thread(path)
    db = attacker(path)  # the worker's last row rewritten after it read it
    db.execute("UPDATE events SET hash = replace(hash, substr(hash, 1, 1), 'x') WHERE seq = 3")
    db.close()
    journal = Journal(path)
    try:
        assert not ahead.adopt_folded(journal), "a fold whose head the log no longer holds"
        assert "hash chain is broken" in (guard(journal) or "")
    finally:
        journal.close()


def test_a_missing_or_damaged_file_is_left_to_the_open(tmp_path: Path) -> None:
    assert ahead.fold_ahead(tmp_path / "gone.db") is None
    assert not (tmp_path / "gone.db").exists(), "the worker creates nothing"
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"not a database at all" * 100)
    assert ahead.fold_ahead(damaged) is None

"""What changed since the last look, worked out by a worker once the war room is up
(cli/catch_up_later.py, tui/catch_up_news.py; issue 14).

Regression: `war_room_parts` asked the verdict twice, with its odds, on the thread that opens
the war room (about 25 s of CPU at 20,000 steps): the boot's sketch stood still, the usual
path's first frame waited. A real run file; the catch-up held by an Event the test sets.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cutover_tui.cli import catch_up_later as later_module
from cutover_tui.cli.catch_up import catch_up_lines
from cutover_tui.cli.warroom_commands import war_room_parts
from cutover_tui.engine.events import NoteAdded, StepStarted
from cutover_tui.journal.store import Journal
from cutover_tui.journal.trust import guard
from cutover_tui.tui.catch_up_news import TITLE
from tests.journal_support import new_run
from tests.test_cli_warroom import ROOT
from tests.warroom_support import settle

HOLD_S = 30.0  # how long a held catch-up waits for the test before it gives up (a real fault)


def looked_then_changed(directory: Path) -> tuple[Path, int]:
    """A run this login looked at (its head remembered), with two events since: its path and
    the seq looked at."""
    journal = new_run(directory)
    assert guard(journal) is None  # a look, as `cutover run` makes: the head remembered
    seen_seq = journal.head[0]
    now = datetime.now(UTC)
    journal.append(StepStarted(actor="boss", at=now, step="s1", key=uuid.uuid4().hex))
    journal.append(NoteAdded(actor="boss", at=now, text="after the look", key=uuid.uuid4().hex))
    journal.close()
    return journal.path, seen_seq


def test_the_parts_carry_the_catch_up_to_be_worked_out_later(tmp_path: Path) -> None:
    path, seen_seq = looked_then_changed(tmp_path)
    expected = catch_up_lines(Journal(path), seen_seq)
    assert expected and expected[0].startswith("2 events since you last looked")
    parts = war_room_parts(Journal(path), read_only=True)
    assert parts.catch_up == [] and parts.catch_up_later is not None
    assert parts.catch_up_later() == expected  # the same words, worked out elsewhere
    again = war_room_parts(Journal(path), read_only=True)  # the guard remembered the head
    assert again.catch_up == [] and again.catch_up_later is None


async def test_the_war_room_answers_while_the_catch_up_is_worked_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = looked_then_changed(tmp_path)
    entered, release = threading.Event(), threading.Event()
    threads: list[str] = []
    real = later_module.catch_up_lines

    def held(journal, since):
        threads.append(threading.current_thread().name)
        entered.set()
        release.wait(HOLD_S)
        return real(journal, since)

    monkeypatch.setattr(later_module, "catch_up_lines", held)
    parts = war_room_parts(Journal(path), read_only=True)  # as `cutover run` (usual path)
    app = parts.app_class(parts.source, parts.clock, **parts.options)
    app.catch_up, app.catch_up_later = parts.catch_up, parts.catch_up_later
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot, entered.is_set)
            await settle(pilot, lambda: app.frame is not None)  # the whole first frame
            await pilot.press("plus")  # a key acts meanwhile: the timeline zooms
            assert threads and threading.main_thread().name not in threads
            assert not any(n.title == TITLE for n in app._notifications)
            release.set()
            await settle(pilot, lambda: any(n.title == TITLE for n in app._notifications), 120)
            said = [str(n.message) for n in app._notifications if n.title == TITLE]
            # Two events, and what the conductor wrote on opening (worked out when asked).
            assert len(said) == 1 and "events since you last looked" in said[0]
    finally:
        release.set()


async def test_a_large_plans_catch_up_starts_after_its_whole_first_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not beside the first schedule's worker (tui/first_paint.py): after the whole frame."""
    from cutover_tui.tui import app as app_module
    from cutover_tui.tui import first_frame

    path, _ = looked_then_changed_large(tmp_path)
    started: list[bool] = []  # was the whole first frame made when the catch-up started?
    real = app_module.start_catch_up

    def recorded(app) -> None:
        if app.catch_up_later is not None:
            started.append(app._warming is None and app.frame is not None)
        real(app)

    monkeypatch.setattr(app_module, "start_catch_up", recorded)
    monkeypatch.setattr(first_frame, "start_catch_up", recorded)  # after the whole frame
    parts = war_room_parts(Journal(path), read_only=True)
    app = parts.app_class(parts.source, parts.clock, **parts.options)
    app.catch_up, app.catch_up_later = parts.catch_up, parts.catch_up_later
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: any(n.title == TITLE for n in app._notifications), 120)
        assert started == [True]


def looked_then_changed_large(directory: Path) -> tuple[Path, int]:
    """`looked_then_changed` on a plan above first_paint.DEFER_STEPS."""
    journal = new_run(directory, steps=150)
    assert guard(journal) is None
    seen_seq = journal.head[0]
    now = datetime.now(UTC)
    journal.append(StepStarted(actor="boss", at=now, step="s1", key=uuid.uuid4().hex))
    journal.close()
    return journal.path, seen_seq


# A war room whose catch-up is still being worked out when it is left: the process ends.
LEFT_WHILE_HELD = """
import asyncio, sys, threading
from pathlib import Path
from cutover_tui.cli import catch_up_later as later_module
from cutover_tui.cli.warroom_commands import war_room_parts
from cutover_tui.journal.store import Journal

entered = threading.Event()

def held(journal, since):
    entered.set()
    threading.Event().wait(120)  # never set: a catch-up still being worked out
    return []

later_module.catch_up_lines = held

async def main():
    parts = war_room_parts(Journal(Path(sys.argv[1])), read_only=True)
    app = parts.app_class(parts.source, parts.clock, **parts.options)
    app.catch_up_later = parts.catch_up_later
    async with app.run_test(size=(160, 48)) as pilot:
        while not entered.is_set():
            await pilot.pause(0.02)

asyncio.run(main())
print("left", flush=True)
"""


def test_leaving_while_the_catch_up_is_worked_out_does_not_wait_for_it(tmp_path: Path) -> None:
    """Regression: as a Textual thread worker it ran in the loop's executor, which the
    process waits for on the way out: a quit soon after the open waited for the catch-up."""
    path, _ = looked_then_changed(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", LEFT_WHILE_HELD, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,  # the held catch-up waits 120 s: only a process that waits for it fails
    )
    assert done.returncode == 0 and done.stdout.strip() == "left", done.stderr[-2000:]

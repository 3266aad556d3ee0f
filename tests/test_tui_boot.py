"""The hand-over from the boot's sketch to the war room on the same App (tui/boot.py).

A real run file, the war room made as `cutover run` makes it (cli/warroom_commands
war_room_parts); the boot's imports are held until the test lets them go, so the sketch
is on screen for as long as the test needs. Pilot tests: conditions, never pauses.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from cutover_tui.engine.events import NoteAdded
from cutover_tui.journal.store import Journal
from cutover_tui.tui import boot, first_paint
from cutover_tui.tui.widgets import status
from tests.boot_support import SIZE, boot_app, run_file, sketch_text, taken_over
from tests.test_journal_trust import attacker
from tests.warroom_support import settle


def said(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_the_sketch_shows_the_files_facts_then_the_war_room_takes_over(
    tmp_path: Path,
) -> None:
    app, release = boot_app(run_file(tmp_path))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, lambda: "steps done" in sketch_text(app))
            text = sketch_text(app)
            assert "LIVE · Journal test" in text and "tester" in text
            assert "0 of 152 steps done │ working out the schedule…" in text
            assert "conductor: none" in text
            assert type(app) is boot.WarRoomBoot
            release.set()
            await settle(pilot, lambda: taken_over(app))
            assert app.query_one("#status").plain.startswith(" cutover · LIVE · Journal test")
            assert not app.query(boot.SketchBar)  # the sketch's widgets are gone
            assert len(app.query("#status")) == 1 and len(app.query("#panes")) == 1
            await pilot.press("plus")  # the war room's keys act now
            await settle(pilot, lambda: app.frame is not None)
            assert boot.HELD_BACK not in said(app)
    finally:
        release.set()


async def test_a_key_pressed_during_the_sketch_says_why_and_nothing_crashes(
    tmp_path: Path,
) -> None:
    app, release = boot_app(run_file(tmp_path))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, lambda: "steps done" in sketch_text(app))
            await pilot.press("plus")  # zoom: acts on the run, held back in words
            await settle(pilot, lambda: boot.HELD_BACK in said(app))
            await pilot.press("s")
            await pilot.resize_terminal(90, 30)  # narrow: the conductor in a word
            await settle(
                pilot, lambda: "cond OK" in sketch_text(app) or "cond NONE" in sketch_text(app)
            )
            await pilot.resize_terminal(*SIZE)
            await settle(pilot, lambda: "conductor: none" in sketch_text(app))
            release.set()
            await settle(pilot, lambda: taken_over(app))
            assert app.is_running and app.size.width == SIZE[0]
    finally:
        release.set()


async def test_a_note_written_after_the_hand_over_reaches_the_comms_log(tmp_path: Path) -> None:
    path = run_file(tmp_path)
    app, release = boot_app(path)
    release.set()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: taken_over(app))
        journal = Journal(path)
        now = datetime.now(UTC)
        note = NoteAdded(
            actor="boss", at=now, text="ping after the hand-over", key=uuid.uuid4().hex
        )
        journal.append(note, now=lambda: now)
        journal.close()
        comms = app.query_one("#comms")
        await settle(
            pilot, lambda: any("ping after the hand-over" in line.text for line in comms.lines)
        )


async def test_a_broken_chain_leaves_with_its_line_and_no_war_room(tmp_path: Path) -> None:
    path = run_file(tmp_path)
    db = attacker(path)  # event 1's body changed, its hash left: the chain breaks
    db.execute("UPDATE events SET body = replace(body, 'boss', 'eve') WHERE seq = 1")
    db.close()
    app, release = boot_app(path)
    release.set()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: not app.is_running or app._exit)
    assert app.return_code == 1
    assert len(app.said) == 1 and "JOURNAL NOT TRUSTED" in app.said[0]
    assert type(app) is boot.WarRoomBoot  # never taken over


def test_the_boots_words_are_the_war_rooms() -> None:
    """Copied, not imported (importing them loads the engine): kept equal here."""
    assert boot.SCHEDULE_PENDING == first_paint.SCHEDULE_PENDING
    assert boot.HELD_BACK == first_paint.HELD_BACK
    assert boot.PHASE_LABEL == status.PHASE_LABEL
    assert boot.BEFORE_TAKEOVER <= first_paint.BEFORE_FRAME


async def test_quitting_during_the_sketch_leaves_at_once(tmp_path: Path) -> None:
    app, release = boot_app(run_file(tmp_path))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, lambda: "steps done" in sketch_text(app))
            await pilot.press("q")
            await settle(pilot, lambda: app._exit)
        assert app.return_code == 0 and type(app) is boot.WarRoomBoot and app.said == []
    finally:
        release.set()  # the worker's imports end in their own time; nothing is taken over


def guard_timers(app) -> list:
    return [t for t in app._timers if t.name == "terminal-guard" and t._task is not None]


async def test_one_terminal_guard_watches_after_the_hand_over(tmp_path: Path) -> None:
    """The boot's guard is removed with its check, the war room's own installed: a guard
    removed used to keep its 0.25 s check running (two checks after every hand-over)."""
    app, release = boot_app(run_file(tmp_path))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, lambda: "steps done" in sketch_text(app))
            app.guard.install()  # as on a terminal (a headless app installs none)
            assert len(guard_timers(app)) == 1
            release.set()
            await settle(pilot, lambda: taken_over(app))
            app.guard.install()  # the war room's, as its on_mount does on a terminal
            assert len(guard_timers(app)) == 1
            app.guard.remove()
            assert guard_timers(app) == []
    finally:
        release.set()

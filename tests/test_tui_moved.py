"""The war room on a run file whose run moved (`cutover migrate`, journal/moved.py): its status
bar says so and where, in place of LIVE and the stale figures, and nothing is offered. User
pass (2026-12-02): the war room open on the old file looked live and went silently stale while
the night went on in PostgreSQL. A real migrate, to the tests' own PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

from textual.widgets._footer import FooterKey

from cutover_tui.clocks import FixedClock
from cutover_tui.journal.migrate import migrate
from cutover_tui.journal.run import JournalRun
from cutover_tui.journal.store import Journal
from cutover_tui.tui import first_paint
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.screens.form import FormScreen
from cutover_tui.tui.widgets.status import StatusBar
from tests.boot_support import boot_app, run_file, sketch_text, taken_over
from tests.journal_support import at, new_run
from tests.test_tui_first_paint import held_schedule
from tests.warroom_support import notices, settle

SIZE = (160, 48)
EVERYONE = {"why", "filter", "command_palette", "help", "quit"}  # what a watcher is offered


def app_on(path: Path, clock: FixedClock) -> WarRoomApp:
    source = JournalRun(Journal(path), "boss", now=clock.now)  # the commander
    return WarRoomApp(source, clock, poll_seconds=0.05)


def footer(app: WarRoomApp) -> set[str]:
    return {key.action for key in app.query(FooterKey)}


def status(app: WarRoomApp) -> str:
    return app.query_one(StatusBar).plain


def shown(app: WarRoomApp) -> str:
    """The war room's status line, or nothing while the boot's sketch is still up."""
    bars = app.query(StatusBar)
    return bars.first().plain if bars else ""


async def test_a_war_room_open_when_the_run_moves_says_where_and_offers_nothing(
    postgres_url: str, tmp_path: Path
) -> None:
    journal = new_run(tmp_path)
    app = app_on(journal.path, FixedClock(at(1)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: {"start", "end_run"} <= footer(app))
        assert "LIVE" in status(app) and "MOVED" not in status(app)
        migrate(Journal(journal.path), postgres_url, at(2))
        await settle(pilot, lambda: "MOVED to postgresql://" in status(app))
        top, figures = status(app).splitlines()
        assert "MOVED" in top and "LIVE" not in top and "read-only: the run moved" in top
        assert figures.strip().startswith("MOVED to postgresql://"), figures
        # Stop note (2026-12-03): the command that opens the run where it went, exactly.
        command = f"the run goes on there: cutover run {journal.run_id} --journal 'postgresql://"
        assert command in figures, figures
        await settle(pilot, lambda: footer(app) == EVERYONE)
        await pilot.press("E")  # end the run: refused at once, saying where the run went
        await settle(pilot, lambda: any(command in n for n in notices(app)))
        assert not isinstance(app.screen, FormScreen)
        app.action_start("s0")
        await pilot.pause()
        assert app.state.status["s0"].status == "pending"
    assert Journal(journal.path).state().status["s0"].status == "pending"


async def test_a_war_room_opened_on_a_moved_file_says_so_from_the_first_frame(
    postgres_url: str, tmp_path: Path
) -> None:
    journal = new_run(tmp_path)
    migrate(Journal(journal.path), postgres_url, at(2))
    app = app_on(journal.path, FixedClock(at(3)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: app.frame is not None and footer(app))
        assert "MOVED to postgresql://" in status(app) and "LIVE" not in status(app)
        await settle(pilot, lambda: footer(app) == EVERYONE)


async def test_cutover_run_on_a_moved_file_opens_read_only_and_its_conductor_stands_down(
    postgres_url: str, tmp_path: Path
) -> None:
    """As `cutover run RUN` opens it (tui/boot.py, the war room's own conductor)."""
    path = run_file(tmp_path, steps=8)
    migrate(Journal(path), postgres_url, at(2))
    app, release = boot_app(path)
    try:
        async with app.run_test(size=SIZE) as pilot:
            release.set()
            await settle(pilot, lambda: taken_over(app))
            await settle(pilot, lambda: "MOVED to postgresql://" in status(app))
            await settle(pilot, lambda: footer(app) == EVERYONE)
            await settle(pilot, lambda: app.conductor is not None and app.conductor.moved)
            assert not app.conductor.holding
    finally:
        release.set()


async def test_both_sketches_of_a_large_moved_file_say_moved_not_live(
    postgres_url: str, tmp_path: Path, monkeypatch
) -> None:
    """Stop note (2026-12-03): on a plan above DEFER_STEPS the first quick frames, the boot's
    sketch (tui/boot.py) and the war room's own before its schedule (tui/first_frame.py),
    said LIVE and the file's step count until the whole frame, on a file whose run moved."""
    path = run_file(tmp_path)  # 150 steps: both sketches are shown
    migrate(Journal(path), postgres_url, at(2))
    scheduled = held_schedule(monkeypatch)
    app, release = boot_app(path)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, lambda: "MOVED" in sketch_text(app))  # the boot's sketch
            said = sketch_text(app)
            assert "LIVE" not in said and "steps done" not in said, said
            assert "MOVED to postgresql://" in said and "read-only: the run moved" in said
            release.set()
            await settle(pilot, lambda: "conductor" in shown(app))  # the war room's sketch
            assert app.frame is None, "the war room's sketch is held, not its whole frame"
            assert first_paint.SCHEDULE_PENDING not in status(app)
            top, figures = status(app).splitlines()
            assert "MOVED" in top and "LIVE" not in top and "read-only: the run moved" in top
            assert figures.strip().startswith("MOVED to postgresql://"), figures
            scheduled.set()
            await settle(pilot, lambda: taken_over(app))
            assert "MOVED to postgresql://" in status(app) and "LIVE" not in status(app)
    finally:
        release.set()
        scheduled.set()

"""Leaving while the boot hands over (tui/boot.py): a signal or a quit that comes while the
run is opened or the war room's imports run (issue 14, the boot's hostile review).

Regressions: the boot removed its terminal guard's signal handlers when the war room took
over, and asyncio drops a signal whose handler is gone by the time the loop reads it: a
SIGTERM sent while the run was being opened (seconds at 20,000 steps) was lost, the war room
ran on and kept the lease. And a quit during the imports was followed by the run being
opened and taken over anyway, on an app that was leaving (its conductor started).
"""

from __future__ import annotations

import os
import pty
import signal
import sys
import textwrap
from pathlib import Path

from cutover_tui.tui import boot
from tests.boot_support import SIZE, boot_app, run_file, sketch_text, taken_over
from tests.test_cli_warroom import ROOT
from tests.test_tui_terminal import ALT_SCREEN_OFF, MOUSE_OFF, _exit_status, _lease
from tests.warroom_support import settle

# A boot on a real run file whose open sends this very process SIGTERM, as a `kill` that
# lands while `cutover run RUN` opens a large run would.
SIGNALLED_DURING_OPEN = textwrap.dedent(
    """
    import os, signal, sys, time
    from pathlib import Path
    from cutover_tui.cli.warroom_boot import import_war_room
    from cutover_tui.journal.first_facts import read_first_facts
    from cutover_tui.tui.boot import WarRoomBoot

    path = Path(sys.argv[1])

    def open_war_room():
        from cutover_tui.cli.warroom_commands import war_room_parts
        from cutover_tui.journal.store import Journal

        os.kill(os.getpid(), signal.SIGTERM)
        return war_room_parts(Journal(path), read_only=False)

    facts = read_first_facts(path, time.time())
    app = WarRoomBoot(facts, open_war_room, prepare=import_war_room, login="tester")
    app.run()
    sys.exit(app.return_code or 0)
    """
)


def test_a_sigterm_while_the_run_is_opened_leaves_cleanly(tmp_path: Path) -> None:
    path = run_file(tmp_path)
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(ROOT)
        os.environ["TERM"] = "xterm-256color"
        os.execv(sys.executable, [sys.executable, "-c", SIGNALLED_DURING_OPEN, str(path)])
    seen = bytearray()
    status = _exit_status(pid, fd, seen)  # None: still running after EXIT_WITHIN (killed)
    os.close(fd)
    assert status == 128 + signal.SIGTERM, bytes(seen[-300:])
    tail = bytes(seen[-300:])
    assert ALT_SCREEN_OFF in tail and MOUSE_OFF in tail, tail
    assert _lease(path) == [], "no lease kept by a war room that was told to go"


async def test_a_quit_during_the_imports_opens_nothing(tmp_path: Path) -> None:
    """The worker's call comes after the quit, while the app is still leaving."""
    app, release = boot_app(run_file(tmp_path))
    opened: list[bool] = []
    open_war_room = app.open_war_room
    app.open_war_room = lambda: opened.append(True) or open_war_room()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, lambda: "steps done" in sketch_text(app))
            await pilot.press("q")
            await settle(pilot, lambda: app._exit)
            await app._opened(None)  # what the worker's call_from_thread runs, arriving now
            assert opened == [] and type(app) is boot.WarRoomBoot
        assert app.return_code == 0 and app.said == []
    finally:
        release.set()


def said(app) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


async def test_ctrl_c_says_how_to_quit_in_the_sketch_and_in_the_war_room(
    tmp_path: Path,
) -> None:
    """Ctrl+C during the sketch said "press again when the frame is whole" (it never quits);
    in the war room its toast read "Press [b]ctrl+q[/b]", the markup shown as written."""
    app, release = boot_app(run_file(tmp_path))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, lambda: "steps done" in sketch_text(app))
            await pilot.press("ctrl+c")
            await settle(pilot, lambda: any("to quit the app" in line for line in said(app)))
            assert not any(boot.HELD_BACK in line for line in said(app))
            app.clear_notifications()
            release.set()
            await settle(pilot, lambda: taken_over(app))
            await pilot.press("ctrl+c")
            await settle(pilot, lambda: any("to quit the app" in line for line in said(app)))
            assert not any("[b]" in line for line in said(app)), said(app)
            assert app.is_running
    finally:
        release.set()


async def test_what_changes_during_the_sketch_shows_once_the_war_room_takes_over(
    tmp_path: Path,
) -> None:
    """A note appended and the run ended by another process after the facts were read: the
    war room shows what the file holds when opened. Regression: above 100 steps (a first
    frame worked out in a worker) the comms log was sized before that frame and marked the
    history laid out without writing it: the log before the open never showed, on either
    path (tui/widgets/comms.py)."""
    from datetime import UTC, datetime

    from cutover_tui.engine.events import NoteAdded, RunEnded
    from cutover_tui.journal.store import Journal

    path = run_file(tmp_path)
    app, release = boot_app(path)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, lambda: "LIVE" in sketch_text(app))
            journal = Journal(path)
            now = datetime.now(UTC)
            journal.append(NoteAdded(actor="boss", at=now, text="ping in the sketch", key="n1"),
                           now=lambda: now)  # fmt: skip
            journal.append(RunEnded(actor="boss", at=now, outcome="aborted", key="end"),
                           now=lambda: now)  # fmt: skip
            journal.close()
            release.set()
            await settle(pilot, lambda: taken_over(app))
            comms = app.query_one("#comms")
            await settle(
                pilot, lambda: any("ping in the sketch" in line.text for line in comms.lines)
            )
            assert app.state.phase == "ended"
    finally:
        release.set()


async def test_the_palette_opened_during_the_sketch_survives_the_takeover(
    tmp_path: Path,
) -> None:
    """Regression: the takeover composed the war room into the screen on top (the palette),
    and the war room's on_mount found no #timeline: NoMatches, a traceback, exit 1."""
    from textual.command import CommandPalette

    app, release = boot_app(run_file(tmp_path))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, lambda: "steps done" in sketch_text(app))
            await pilot.press("colon")  # the palette, as the footer offers it
            await settle(pilot, lambda: isinstance(app.screen, CommandPalette))
            release.set()
            await settle(pilot, lambda: taken_over(app))
            assert app.is_running and isinstance(app.screen, CommandPalette)
            assert app.screen_stack[0].query("#timeline"), "the war room on its own screen"
            await pilot.press("escape")
            await settle(pilot, lambda: not isinstance(app.screen, CommandPalette))
            assert app.query_one("#status") is not None
        assert app.return_code in (None, 0)
    finally:
        release.set()


async def test_a_takeover_that_fails_leaves_with_its_line(tmp_path: Path) -> None:
    """Regression: an error in the takeover was swallowed by the boot's worker
    (exit_on_error=False): the sketch stood still for good and nothing was said."""
    app, release = boot_app(run_file(tmp_path))
    open_war_room = app.open_war_room

    def broken_parts():
        parts = open_war_room()
        parts.options["no_such_option"] = 1  # WarRoomApp._set_up refuses it: a TypeError
        return parts

    app.open_war_room = broken_parts
    release.set()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: app._exit)
    assert app.return_code == 1
    assert len(app.said) == 1 and "could not open: TypeError" in app.said[0], app.said


async def test_an_open_that_fails_says_its_error_inert(tmp_path: Path) -> None:
    """Regression: the error of a failed open or takeover (a path, a plan's words) was
    printed as raised once the terminal was given back: its escapes reached the terminal."""
    app, release = boot_app(run_file(tmp_path))

    def failing_open():
        raise ValueError("\x1b]0;owned\x07\x1b[2J")

    app.open_war_room = failing_open
    release.set()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: app._exit)
    assert len(app.said) == 1 and "\x1b" not in app.said[0] and "\x07" not in app.said[0]
    assert "ValueError: ␛]0;owned␇␛[2J" in app.said[0], app.said

"""A browser tab's war room (`cutover web-watch`) watches as nobody in particular: not as the
login running `cutover serve`. Before, every browser viewer was that login (`@root:
commander` on line one), and each tab wrote that login's memory of the run's head
(journal/seen.py): their own `cutover run` then said nothing of what changed while they
were away, because a browser had "looked" for them.

The tab's app as `cutover web-watch` builds it (`watcher_app`), on a real run file, driven
with Pilot; the real tab process is in tests/test_web_serve_tabs.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from cutover_tui.cli.catch_up import catch_up_lines, last_seen
from cutover_tui.cli.web_commands import watcher_app
from cutover_tui.engine.events import NoteAdded
from cutover_tui.journal import seen
from cutover_tui.journal.identity import BROWSER_READ_ONLY, os_login
from cutover_tui.journal.store import Journal
from tests.journal_support import at, new_run
from tests.warroom_support import notices, settle


def _line_one(app) -> str:
    return str(app.screen.query_one("#status-right").render())


def looked_then_left(tmp_path: Path) -> Journal:
    """A run whose commander (boss, this login) last looked at event 1; a note came after."""
    journal = new_run(tmp_path, steps=5)
    seen.remember(journal.run_id, journal.path, *journal.head)
    journal.append(NoteAdded(actor="boss", at=at(2), text="bridge moved to room 2", key="n"))
    journal.close()
    return journal


async def test_a_browser_tab_is_nobody_in_particular_and_leaves_the_runners_memory(
    tmp_path: Path, state: Path
) -> None:
    ran = looked_then_left(tmp_path)
    journal = Journal(ran.path)
    app = watcher_app(journal, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: app.frame is not None and "read-only" in _line_one(app))
        line = _line_one(app)
        assert "browser, read-only" in line  # what it is, fitting 80 columns
        assert "commander" not in line and "boss" not in line and os_login() not in line
        for key in "sn":  # start, and a note's form: refused at once, saying what the tab is
            await pilot.press(key)
        await settle(pilot, lambda: notices(app).count(BROWSER_READ_ONLY) == 2)
        assert not [n for n in notices(app) if "following" in n or "since you" in n]
        app.poll_journal()  # a poll remembers too, in a war room of a login's own
        await pilot.pause()
    # The runner's memory is where they left it: their own war room still catches them up.
    assert last_seen(journal) == 1
    assert "1 event since you last looked" in " ".join(catch_up_lines(journal, 1))
    assert [e.type for e in journal.events()] == ["run-started", "note-added"]


def _after_the_night(tmp_path: Path, how: str):
    """A run this login started and ended, with items that check themselves; watched from a
    browser tab, or followed (`cutover follow`) by this login."""
    from cutover_tui.journal.run import JournalRun
    from cutover_tui.tui.app import WarRoomApp
    from tests.test_checks_aftercare import items_plan, start

    ran = start(tmp_path, items_plan(tmp_path, "rows=1000"))
    if how == "browser":
        return ran.path, watcher_app(Journal(ran.path), None), BROWSER_READ_ONLY
    source = JournalRun.for_current_user(Journal(ran.path), read_only=True)
    return ran.path, WarRoomApp(source, source.clock), "following this run read-only"


@pytest.mark.parametrize("how", ["browser", "follow"])
async def test_a_read_only_war_room_runs_no_aftercare_check(
    tmp_path: Path, state: Path, how: str
) -> None:
    """After the night, v's "run its check" ran the item's check and recorded its outcome
    from a read-only war room: from a browser tab under the serving login (the run's starter
    may run checks), past WatcherRun.submit. Refused at once now, as every command there."""
    from cutover_tui.tui.actions.item_check import run_item_check_now

    path, app, refused = _after_the_night(tmp_path, how)
    before = len(Journal(path).events())
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: app.frame is not None)
        run_item_check_now(app, "rows")  # the form's "run its check", as it calls it
        await settle(pilot, lambda: [n for n in notices(app) if "running its check" not in n])
        said = notices(app)
        assert len(said) == 1 and refused in said[0], said  # not run: nothing ran
        await pilot.press("v")  # the form itself: refused before it opens
        await settle(pilot, lambda: len(notices(app)) == 2 or _form_open(app))
        assert not _form_open(app) and refused in notices(app)[1]
    assert len(Journal(path).events()) == before  # nothing recorded from here


def _form_open(app) -> bool:
    return type(app.screen).__name__ == "FormScreen"

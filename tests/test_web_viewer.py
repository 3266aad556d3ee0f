"""A browser tab's war room (`cutover web-watch`) watches as nobody in particular: not as the
login running `cutover serve`. Before, every browser viewer was that login (`@root:
commander` on line one), and each tab wrote that login's memory of the run's head
(journal/seen.py): their own `cutover run` then said nothing of what changed while they
were away, because a browser had "looked" for them.

The tab's app as `cutover web-watch` builds it (`watcher_app`), on a real run file, driven
with Pilot; the real tab process is in tests/test_web_serve_tabs.py."""

from __future__ import annotations

from pathlib import Path

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

"""`w`, `C` and `V` show the war room's latest frame, not the one they opened on (user pass,
2026-12-02: `w` said "likely 03:27" under a status line saying 03:29; the comms screen
numbered drafts from a list that had changed since it was drawn)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.text import Text

from cutover_tui.clocks import FixedClock
from cutover_tui.comms.outgoing import drafts
from cutover_tui.comms.send import send_events
from cutover_tui.engine.events import StepCompleted, StepStarted
from cutover_tui.journal.run import JournalRun
from cutover_tui.journal.store import Journal
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.frame import Frame
from cutover_tui.tui.screens.comms import CommsScreen
from cutover_tui.tui.screens.foresight import ForesightScreen
from cutover_tui.tui.widgets.status import StatusBar
from tests.comms_support import at, comms_plan, new_run
from tests.report_support import after_the_night
from tests.test_tui_aftercare import night, room
from tests.warroom_support import at as wat
from tests.warroom_support import settle, through_load, war_room

SIZE = (160, 48)
# A second comms step, before `announce` in the plan, ready once `slow` is done.
EARLY_WORD = """[[step]]
id = "early-word"
kind = "comms"
title = "Warn the desk"
owner = "com"
duration = "5m"
after = ["slow"]
template = "status-update"
to = ["desk"]
[[step]]
id = "announce"
"""


def shown(screen) -> str:
    return "\n".join(str(part.render()) for part in screen.query(".live-part"))


def likely(text: str) -> str:
    found = re.search(r"likely (\d\d:\d\d)", text)
    assert found, text
    return found.group(1)


async def _why(pilot, app: WarRoomApp) -> ForesightScreen:
    """`w` pressed and its screen up."""
    await pilot.press("w")
    await settle(pilot, lambda: isinstance(app.screen, ForesightScreen))
    return app.screen  # type: ignore[return-value]


async def test_w_follows_the_status_line() -> None:
    app = war_room("viewer", through_load(), wat(60))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _why(pilot, app)
        before = likely(shown(screen))
        assert before == likely(app.query_one(StatusBar).plain)
        app.clock.set(wat(135))  # the 1h load 85 minutes in: the finish moves out
        app.refresh_run()
        after = likely(app.query_one(StatusBar).plain)
        assert after != before
        await settle(pilot, lambda: likely(shown(screen)) == after)
        assert app.screen is screen  # redrawn in place, not reopened


def _two_drafts_run(tmp_path: Path) -> Journal:
    journal = new_run(tmp_path, comms_plan().replace('[[step]]\nid = "announce"\n', EARLY_WORD))
    journal.append(StepStarted(actor="boss", at=at(1), step="migrate", key="m1"))
    journal.append(StepCompleted(actor="boss", at=at(20), step="migrate", key="m2"))
    return journal


def _commander(journal: Journal) -> WarRoomApp:
    clock = FixedClock(at(22))
    run = JournalRun(Journal(journal.path), "boss", now=clock.now)
    return WarRoomApp(run, clock, poll_seconds=0.05)


def _slow_done_elsewhere(journal: Journal) -> None:
    other = Journal(journal.path)  # another process's writer
    other.append(StepStarted(actor="boss", at=at(20), step="slow", key="s1"))
    other.append(StepCompleted(actor="boss", at=at(21), step="slow", key="s2"))


def _sent_elsewhere(journal: Journal, draft_id: str, actor: str) -> None:
    """`cutover do RUN send DRAFT` by `actor` from another process."""
    other = Journal(journal.path)
    frame = Frame.at(other.state(), at(21), actor)
    draft = next(d for d in drafts(frame.state, frame.now, "on-track") if d.id == draft_id)
    events = send_events(
        frame.state,
        draft,
        actor=actor,
        at=at(21),
        sched=frame.sched,
        verdict=frame.verdict,
        log_only=False,
    )
    for event in events:
        other.append(event)


async def test_c_redraws_its_drafts_when_the_run_moves(tmp_path: Path) -> None:
    journal = _two_drafts_run(tmp_path)
    app = _commander(journal)
    async with app.run_test(size=SIZE) as pilot:
        await _comms_screen(pilot, app)
        screen = app.screen
        assert "1  announce" in shown(screen) and "early-word" not in shown(screen)
        _slow_done_elsewhere(journal)
        await settle(pilot, lambda: "1  early-word" in shown(screen))
        assert "2  announce" in shown(screen)


@pytest.fixture
def unredrawn(tmp_path: Path, monkeypatch) -> None:
    """The guard behind the redraw: the app's hand-over of its frames to the screens turned
    off, so the comms screen shows the list as it was drawn; no comms settings."""
    monkeypatch.setenv("CUTOVER_COMMS_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setattr(WarRoomApp, "_follow_screens", lambda self, frame: None)


async def _comms_screen(pilot, app: WarRoomApp) -> None:
    await settle(pilot, lambda: app.frame is not None)
    await pilot.press("C")
    await settle(pilot, lambda: isinstance(app.screen, CommsScreen))


async def test_a_draft_number_sends_the_draft_the_screen_shows(tmp_path: Path, unredrawn) -> None:
    # The list behind the screen is now [early-word, announce], yet 1 is what the screen
    # shows as 1, announce.
    journal = _two_drafts_run(tmp_path)
    app = _commander(journal)
    async with app.run_test(size=SIZE) as pilot:
        await _comms_screen(pilot, app)
        _slow_done_elsewhere(journal)
        await settle(pilot, lambda: app.state.status["slow"].status == "done")
        assert "early-word" not in shown(app.screen)
        await pilot.press("1")
        await settle(pilot, lambda: app.state.status["announce"].status == "done")
    state = Journal(journal.path).state()
    assert state.outbox.for_step("announce")
    assert not state.outbox.for_step("early-word")


async def test_a_draft_sent_by_someone_else_is_refused_not_swapped(
    tmp_path: Path, unredrawn
) -> None:
    journal = _two_drafts_run(tmp_path)
    app = _commander(journal)
    async with app.run_test(size=SIZE) as pilot:
        await _comms_screen(pilot, app)
        _slow_done_elsewhere(journal)
        _sent_elsewhere(journal, "announce", "com")  # the communicator, meanwhile
        await settle(pilot, lambda: app.state.status["announce"].status == "done")
        await pilot.press("1")  # the screen still shows announce as 1
        await settle(
            pilot, lambda: any("no longer waiting" in n.message for n in app._notifications)
        )
        await settle(pilot, lambda: "1  early-word" in shown(app.screen))  # redrawn
    state = Journal(journal.path).state()
    assert not state.outbox.for_step("early-word")  # nothing sent in its place
    assert {m.queued.actor for m in state.outbox.for_step("announce")} == {"com"}  # not twice


async def test_v_follows_what_others_record() -> None:
    app = room("dba", night())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("V")
        await settle(pilot, lambda: type(app.screen).__name__ == "AftercareScreen")
        screen = app.screen
        assert "6/8 done" not in shown(screen)
        for n, event in enumerate(after_the_night()):  # recorded by others meanwhile
            app.source.submit(event if event.key else event.model_copy(update={"key": f"x{n}"}))
        app.poll_journal()
        await settle(pilot, lambda: "after the night: 6/8 done" in shown(screen))


async def test_parts_fewer_then_more_before_a_refresh_all_show() -> None:
    # Review, 2026-12-02: a Static being removed still matched the query; parts 5, 2, 5 in a
    # row left 2 on screen until the next frame.
    app = war_room("viewer", through_load(), wat(60))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _why(pilot, app)
        for n in (5, 2, 5):
            screen.show_parts([Text(f"part {i}") for i in range(n)])
        await pilot.pause()
        await settle(pilot, lambda: len(screen.query(".live-part")) == 5)
        assert [str(s.render()) for s in screen.query(".live-part")] == [
            f"part {i}" for i in range(5)
        ]

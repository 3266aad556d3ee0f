"""A form submits once: two Enters queued before the first is handled record one event.

Found by a hostile review of main: the note form opened, words typed, then two Enter key
events arrived before either was handled (a key repeat, a paste ending in \\r\\r, a laggy ssh
read). Both became `Input.Submitted`, both recorded a NoteAdded (each with a fresh key, so
the journal kept two), and the second dismiss popped a screen no longer there: the war room
crashed with `ScreenStackError`. Each test runs the real app on a real run file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import events
from textual._context import active_message_pump
from textual.message import Message
from textual.widgets import Button, Input

from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import NoteAdded
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.run import JournalRun
from cutover_tui.journal.store import Journal
from cutover_tui.plan import load_plan
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.screens.form import FormScreen
from tests.warroom_support import PLAN_PATH, _form_ready, at, fill, settle, started

SIZE = (160, 48)


def _night(tmp_path: Path) -> Path:
    """A run file with the night started, the dba's war room to open on it."""
    journal = Journal.create(tmp_path, load_plan(PLAN_PATH), rehearsal=False, created_by=os_login())
    for n, e in enumerate(started()):
        journal.append(e if e.key else e.model_copy(update={"key": f"e{n}"}))
    path = journal.path
    journal.close()
    return path


def _notes(path: Path) -> list[NoteAdded]:
    journal = Journal(path)
    try:
        return [e for e in journal.events() if isinstance(e, NoteAdded)]
    finally:
        journal.close()


class _SeenByForm:
    """A message hook counting the answers (submits, button presses) the form was handed."""

    def __init__(self) -> None:
        self.form: FormScreen | None = None
        self.count = 0

    def __call__(self, message: Message) -> None:
        answer = isinstance(message, Input.Submitted | Button.Pressed)
        if answer and active_message_pump.get() is self.form:
            self.count += 1


async def _submit_twice(
    tmp_path: Path, post_twice: Callable[[WarRoomApp, Input], None], expected: int = 2
) -> Path:
    """Open the note form, type, post two submits at once; wait until the form was handed
    both (or closed before the second reached it) and the app is idle again."""
    path = _night(tmp_path)
    clock = FixedClock(at(5))
    app = WarRoomApp(JournalRun(Journal(path), "dba", now=clock.now), clock)
    seen = _SeenByForm()
    async with app.run_test(size=SIZE, message_hook=seen) as pilot:
        app.action_note()
        await settle(pilot, lambda: _form_ready(app))
        form = app.screen
        assert isinstance(form, FormScreen)
        seen.form = form
        fill(app, text="once only")
        field = form.query_one("#field-text", Input)
        field.focus()
        await settle(pilot, lambda: app.focused is field)
        post_twice(app, field)
        await settle(pilot, lambda: app.screen is not form)
        await settle(pilot, lambda: seen.count == expected or not form.is_running)
        await pilot.pause()  # idle: the second submit's handler (if any) has run
        assert app.return_value is None and app.is_running, "the war room crashed"
    return path


async def test_two_enter_keys_queued_record_one_note(tmp_path: Path) -> None:
    def two_enters(app: WarRoomApp, _field: Input) -> None:
        app.post_message(events.Key("enter", "\r"))
        app.post_message(events.Key("enter", "\r"))

    notes = _notes(await _submit_twice(tmp_path, two_enters))
    assert [n.text for n in notes] == ["once only"]


async def test_two_submitted_messages_record_one_note(tmp_path: Path) -> None:
    def two_submits(_app: WarRoomApp, field: Input) -> None:
        field.post_message(Input.Submitted(field, "once only"))
        field.post_message(Input.Submitted(field, "once only"))

    notes = _notes(await _submit_twice(tmp_path, two_submits))
    assert [n.text for n in notes] == ["once only"]


async def test_a_form_submitted_again_is_one_command_to_the_journal(tmp_path: Path) -> None:
    """Its events' keys are the form's: recorded again (whatever got past the form), the
    journal answers with the note it stored, not a second copy."""
    path = _night(tmp_path)
    clock = FixedClock(at(5))
    app = WarRoomApp(JournalRun(Journal(path), "dba", now=clock.now), clock)
    async with app.run_test(size=SIZE) as pilot:
        app.action_note()
        await settle(pilot, lambda: _form_ready(app))
        form = app.screen
        assert isinstance(form, FormScreen) and form.attempt is not None
        fill(app, text="once only")
        values = form.values()
        assert form.attempt(values) is None
        assert form.attempt(values) is None  # a repeat: the stored note, no refusal
    notes = _notes(path)
    assert [n.text for n in notes] == ["once only"]


async def test_a_cancel_queued_behind_a_submit_is_ignored(tmp_path: Path) -> None:
    """Enter, then Cancel clicked before the Enter was handled: the note is recorded once and
    the second answer (dismissing a form already gone) no longer crashes the war room."""

    def submit_then_cancel_twice(_app: WarRoomApp, field: Input) -> None:
        cancel = field.screen.query_one("#cancel", Button)
        field.post_message(Input.Submitted(field, "once only"))
        cancel.post_message(Button.Pressed(cancel))
        cancel.post_message(Button.Pressed(cancel))

    path = await _submit_twice(tmp_path, submit_then_cancel_twice, expected=3)
    assert [n.text for n in _notes(path)] == ["once only"]

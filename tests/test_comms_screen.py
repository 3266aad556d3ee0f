"""The war room's comms screen (`C`): the outbox per message and audience, the drafts awaiting
a communicator, the contact matrix; every word made inert."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import StepCompleted, StepStarted
from cutover_tui.journal.run import JournalRun
from cutover_tui.journal.store import Journal
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.frame import Frame
from cutover_tui.tui.screens.comms import CommsScreen, contacts_table, draft_lines, outbox_table
from tests.comms_support import at, comms_plan, new_run, queued
from tests.warroom_support import settle


def text_of(renderable) -> str:
    console = Console(width=200, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def a_run(tmp_path: Path) -> Journal:
    journal = new_run(tmp_path, comms_plan())
    journal.append(StepStarted(actor="boss", at=at(1), step="migrate", key="m1"))
    journal.append(StepCompleted(actor="boss", at=at(20), step="migrate", key="m2"))
    journal.append(
        queued("note.execs.email", actor="com", at=at(21), subject="Migrated \x1b[2J at 22:20")
    )
    return journal


def test_the_screen_lists_outbox_drafts_and_contacts(tmp_path: Path) -> None:
    state = a_run(tmp_path).state()
    frame = Frame.at(state, at(22), "op")
    outbox = text_of(outbox_table(frame))
    assert "queued" in outbox and "execs" in outbox and "Migrated" in outbox
    assert "\x1b" not in outbox  # a subject cannot drive the terminal
    drafts = text_of(draft_lines(frame))
    assert "announce: Comms test:" in drafts and "to execs, desk; the step is ready" in drafts
    contacts = text_of(contacts_table(frame))
    assert "Rex Resolver" in contacts and "resolvers" in contacts and "rex@example.com" in contacts


async def test_c_opens_the_comms_screen_for_everyone(tmp_path: Path) -> None:
    journal = a_run(tmp_path)
    clock = FixedClock(at(22))
    app = WarRoomApp(
        JournalRun(Journal(journal.path), "op", now=clock.now), clock, poll_seconds=0.05
    )
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: app.frame is not None)
        await pilot.press("C")
        await settle(pilot, lambda: isinstance(app.screen, CommsScreen))
        await pilot.press("escape")
        await settle(pilot, lambda: not isinstance(app.screen, CommsScreen))


def test_the_comms_log_says_queued_sent_and_undeliverable_per_message() -> None:
    from cutover_tui.engine.events import MessageFailed, MessageSent
    from cutover_tui.report.narrate import narrate

    message = queued(
        "m.execs.email", actor="com", at=at(1), to=["a@example.com"], template="t", subject="Hello"
    )
    assert narrate(message).text == 'queued for execs by email: "Hello"'
    sent = MessageSent(
        actor="conductor", at=at(1), key="s", message="m.execs.email", attempt=1, answer="250 OK"
    )
    assert narrate(sent).text == "sent m.execs.email: 250 OK"
    retry = MessageFailed(
        actor="conductor",
        at=at(1),
        key="f",
        message="m.execs.email",
        attempt=1,
        reason="refused",
        retry_at=at(2),
    )
    assert narrate(retry).category == "deviation"
    final = retry.model_copy(update={"retry_at": None, "escalated_to": ["com"]})
    line = narrate(final)
    assert line.category == "alert" and line.text.startswith("UNDELIVERABLE m.execs.email")


async def test_the_commander_sends_a_draft_by_its_number_and_an_operator_may_not(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("CUTOVER_COMMS_CONFIG", str(tmp_path / "absent.toml"))
    journal = a_run(tmp_path)
    clock = FixedClock(at(22))
    operator = WarRoomApp(
        JournalRun(Journal(journal.path), "op", now=clock.now), clock, poll_seconds=0.05
    )
    async with operator.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: operator.frame is not None)
        await pilot.press("C")
        await settle(pilot, lambda: isinstance(operator.screen, CommsScreen))
        await pilot.press("1")
        await settle(
            pilot,
            lambda: any("may not send messages" in n.message for n in operator._notifications),
        )
    assert not Journal(journal.path).state().outbox.for_step("announce")
    commander = WarRoomApp(
        JournalRun(Journal(journal.path), "boss", now=clock.now), clock, poll_seconds=0.05
    )
    async with commander.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: commander.frame is not None)
        await pilot.press("C")
        await settle(pilot, lambda: isinstance(commander.screen, CommsScreen))
        await pilot.press("1")
        await settle(pilot, lambda: commander.state.status["announce"].status == "done")
    state = Journal(journal.path).state()
    assert [m.id for m in state.outbox.for_step("announce")] == [
        "step-announce.execs.email",
        "step-announce.desk.email",
        "step-announce.desk.webhook",
    ]
    assert state.outbox.messages["step-announce.execs.email"].queued.actor == "boss"


def test_a_name_or_subject_in_brackets_shows_as_written_in_the_tables(tmp_path: Path) -> None:
    """Regression: table cells given as strings were read as Rich markup, so a name planted
    a hyperlink and a subject with '[/]' raised MarkupError, closing the war room on `C`."""
    plan = comms_plan().replace("Rex Resolver", "[bold]Rex[/] [link=http://evil.example/]x")
    journal = new_run(tmp_path, plan)
    journal.append(queued("note.execs.email", actor="com", at=at(21), subject="[/] done [red]"))
    frame = Frame.at(journal.state(), at(22), "op")
    assert "[/] done [red]" in text_of(outbox_table(frame))
    assert "[bold]Rex[/] [link=http" in text_of(contacts_table(frame))

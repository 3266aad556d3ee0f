"""A form the journal refuses stays open with everything typed, the refusal in its error line.

Found on a gate: an approver typed a long justification, the journal refused the decision
(the run had been ended in another process since the form opened) and the form closed, the
words gone, the refusal a toast. Each kind of form that submits to the journal is opened here
on a real run file, another connection (as another process would) makes the command illegal,
then the form is submitted: it must stay, hold every word, and say why in one inert line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import (
    AccessClosed,
    CheckpointPassed,
    Event,
    IncidentResolved,
    NoteAdded,
    RunEnded,
    RunStarted,
    StepStarted,
)
from cutover_tui.engine.state import Refused
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.run import JournalRun
from cutover_tui.journal.store import Journal
from cutover_tui.plan import load_plan, parse_plan
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.screens.form import FormScreen
from cutover_tui.tui.source import MemoryRun
from tests.incident_support import bridge_plan
from tests.incident_support import hm as bridge_hm
from tests.report_support import T0 as SHOP_T0
from tests.report_support import hm as shop_hm
from tests.report_support import late_night, shop_plan
from tests.warroom_support import (
    PLAN_PATH,
    _form_ready,
    at,
    fill,
    select,
    settle,
    started,
    through_backup,
    through_load,
)

SIZE = (160, 48)
ENDED = "the run ended (aborted)"
LONG = ("Accepted because the vendor confirmed the replica lag; " * 8).strip()  # a long one


@dataclass(frozen=True)
class Form:
    """One kind of form: who opens it, on which night, about which step, with what typed."""

    name: str
    actor: str
    events: tuple[Event, ...]
    step: str | None
    action: str  # the app's action_* method
    typed: dict[str, str]


FREEZE_RUNNING = (StepStarted(actor="dba", at=at(0), step="freeze"),)
GATE_OPEN = (*through_backup()[1:], CheckpointPassed(actor="dba", at=at(44), step="backup-ok"))

WARROOM_FORMS = [
    Form(
        "gate decision", "sponsor", GATE_OPEN, "go", "decide", {"decision": "no-go", "reason": LONG}
    ),
    Form(
        "pass checkpoint",
        "dba",
        tuple(through_backup()[1:]),
        "backup-ok",
        "pass_check",
        {"evidence": "48,112,007 rows both sides"},
    ),
    Form(
        "fail checkpoint",
        "dba",
        tuple(through_backup()[1:]),
        "backup-ok",
        "fail",
        {"evidence": "checksum differs on 3 rows"},
    ),
    Form("fail step", "dba", FREEZE_RUNNING, "freeze", "fail", {"reason": "lock timeout"}),
    Form(
        "suspend",
        "dba",
        FREEZE_RUNNING,
        "freeze",
        "suspend",
        {"reason": "waiting for the vendor", "eta": "23:40"},
    ),
    Form("skip", "alice", (), "freeze", "skip", {"reason": "done by hand on Friday"}),
    Form(
        "amend estimate",
        "alice",
        (),
        "freeze",
        "amend",
        {"duration": "25m", "reason": "the freeze script is slower"},
    ),
    Form(
        "add step",
        "alice",
        (),
        "freeze",
        "add_step",
        {"step": "flush", "title": "Flush the caches", "reason": "missed in the plan"},
    ),
    Form("readiness", "carol", (), None, "readiness", {"status": "waived", "note": "on call"}),
    Form("note", "dba", (), None, "note", {"kind": "deviation", "text": LONG}),
    Form("rollback", "alice", FREEZE_RUNNING, None, "rollback", {"reason": "bank file rejected"}),
    Form("end run", "alice", (), None, "end_run", {"outcome": "aborted", "reason": "cancelled"}),
]


def journal_room(
    tmp_path: Path, loaded, events: list[Event], actor: str, now
) -> tuple[WarRoomApp, Path]:
    """A war room as `actor` on a real run file holding `events`, and the file's path."""
    journal = Journal.create(tmp_path, loaded, rehearsal=False, created_by=os_login())
    for n, event in enumerate(events):
        journal.append(event if event.key else event.model_copy(update={"key": f"e{n}"}))
    path = journal.path
    journal.close()
    clock = FixedClock(now)
    return WarRoomApp(JournalRun(Journal(path), actor, now=clock.now), clock), path


def elsewhere(path: Path, event: Event) -> None:
    """`event` appended by another connection to the run file (as another process would)."""
    other = Journal(path)
    try:
        other.append(event)
    finally:
        other.close()


async def open_action(pilot, app: WarRoomApp, form: Form) -> FormScreen:
    if form.step is not None:
        select(app, form.step)
    getattr(app, f"action_{form.action}")()
    await settle(pilot, lambda: _form_ready(app))
    assert isinstance(app.screen, FormScreen)
    return app.screen


async def refused_in_form(pilot, app: WarRoomApp, form: FormScreen, typed: dict[str, str]) -> str:
    """Submit `form` and wait for its answer; assert it stayed with every word typed."""
    expected = {**form.values(), **typed}
    form.query_one("#submit").press()
    await settle(pilot, lambda: app.screen is not form or _error(form))
    assert app.screen is form, "the refused form closed, and what was typed with it"
    assert form.values() == expected
    return _error(form)


def _error(form: FormScreen) -> str:
    return str(form.query_one("#form-error").render()).strip()


@pytest.mark.parametrize("form", WARROOM_FORMS, ids=lambda f: f.name)
async def test_a_refused_form_keeps_its_words_and_says_why(tmp_path: Path, form: Form) -> None:
    loaded = load_plan(PLAN_PATH)
    app, path = journal_room(tmp_path, loaded, started(*form.events), form.actor, at(46))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_action(pilot, app, form)
        fill(app, **form.typed)
        elsewhere(path, RunEnded(actor="alice", at=at(45), outcome="aborted", key="ended"))
        said = await refused_in_form(pilot, app, screen, form.typed)
        assert ENDED in said and "\n" not in said, said
        await pilot.press("escape")  # the operator gives up: cancelled, nothing recorded
        await settle(pilot, lambda: app.screen is not screen)
    last = Journal(path).events()[-1]
    assert last.key == "ended", last


async def test_a_refused_form_is_submitted_again_once_fixed(tmp_path: Path) -> None:
    """The journal refuses a note too long to keep; the operator shortens it and submits
    the same form again: recorded once, the form closed."""
    loaded = load_plan(PLAN_PATH)
    app, path = journal_room(tmp_path, loaded, started(), "dba", at(5))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_action(pilot, app, Form("note", "dba", (), None, "note", {}))
        fill(app, text="x" * 20_000)
        said = await refused_in_form(pilot, app, screen, {"text": "x" * 20_000})
        assert "characters" in said, said
        fill(app, text="replica lag back under 1s")
        screen.query_one("#field-text").focus()
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is not screen)
    notes = [e for e in Journal(path).events() if isinstance(e, NoteAdded)]
    assert [n.text for n in notes] == ["replica lag back under 1s"]


BRIDGE = parse_plan(bridge_plan(), name="bridge.toml")  # cmdr: this process's login
BRIDGE_ENDED = RunEnded(actor="cmdr", at=bridge_hm("01:01"), outcome="aborted", key="x")
# An ended run still takes an incident's update and resolution: resolved elsewhere instead.
BRIDGE_RESOLVED = IncidentResolved(
    actor="res", at=bridge_hm("01:01"), incident=1, resolution="fixed by the DBA", key="x"
)
INCIDENT_FORMS = [
    ("raise", "op", {"title": "orders API returns 500 again"}, BRIDGE_ENDED),
    ("update", "res", {"note": "restarting the pool"}, BRIDGE_RESOLVED),
    ("resolve", "res", {"note": "pool restarted, errors gone"}, BRIDGE_RESOLVED),
    ("severity", "res", {"reason": "customers cannot pay"}, BRIDGE_ENDED),
    ("assign", "cmdr", {"owner": "lead", "reason": "Rita is off shift"}, BRIDGE_ENDED),
    (
        "handover",
        "cmdr",
        {"giver": "cmdr", "taker": "lead", "reason": "my shift ends"},
        BRIDGE_ENDED,
    ),
]


@pytest.mark.parametrize(
    ("action", "actor", "typed", "meanwhile"), INCIDENT_FORMS, ids=[f[0] for f in INCIDENT_FORMS]
)
async def test_a_refused_incident_form_keeps_its_words(
    tmp_path: Path, action: str, actor: str, typed: dict[str, str], meanwhile: Event
) -> None:
    from tests.test_incidents_warroom import night, raised

    events = night(raised(owner="res"))
    app, path = journal_room(tmp_path, BRIDGE, events, actor, bridge_hm("01:02"))
    async with app.run_test(size=SIZE) as pilot:
        app.incident_command(action, 1)
        await settle(pilot, lambda: _form_ready(app))
        screen = app.screen
        assert isinstance(screen, FormScreen)
        fill(app, **typed)
        elsewhere(path, meanwhile)
        said = await refused_in_form(pilot, app, screen, typed)
        assert "ended" in said or "resolved" in said, said


SHOP = parse_plan(shop_plan(), name="shop.toml")


def _shop_night() -> list[Event]:
    return [RunStarted(actor="boss", at=SHOP_T0, plan_id="shop", key="go"), *late_night()]


async def test_a_refused_after_the_night_form_keeps_its_words(tmp_path: Path) -> None:
    """`v` after the night: the VPN account is closed from another war room while the
    owner's form is open: the owner's close is refused, the note kept."""
    app, path = journal_room(tmp_path, SHOP, _shop_night(), "dba", shop_hm("05:00"))
    async with app.run_test(size=SIZE) as pilot:
        app.action_record_after()
        await settle(pilot, lambda: _form_ready(app))
        screen = app.screen
        assert isinstance(screen, FormScreen)
        typed = {"item": "vendor-vpn: VPN account for the vendor's DBA", "note": "disabled in AD"}
        fill(app, **typed)
        closed = AccessClosed(actor="dba", at=shop_hm("04:59"), access="vendor-vpn", key="y")
        elsewhere(path, closed)
        said = await refused_in_form(pilot, app, screen, typed)
        assert "vendor-vpn" in said, said


async def test_a_refused_review_remark_keeps_its_words(tmp_path: Path) -> None:
    """A remark too long for the journal: refused in the form, which keeps it to cut."""
    app, _ = journal_room(tmp_path, SHOP, _shop_night(), "dba", shop_hm("05:00"))
    async with app.run_test(size=SIZE) as pilot:
        app.review_remark()
        await settle(pilot, lambda: _form_ready(app))
        screen = app.screen
        assert isinstance(screen, FormScreen)
        typed = {"remark": "to-change", "text": "y" * 20_000}
        fill(app, **typed)
        said = await refused_in_form(pilot, app, screen, typed)
        assert "characters" in said, said


class Hostile(MemoryRun):
    """A source whose refusal quotes hostile words (a plan's text, a person's name)."""

    hostile = False  # its opening events are recorded as usual

    def submit(self, event: Event) -> Event:
        if not self.hostile:
            return super().submit(event)
        raise Refused("may not \x1b[2Jwipe\nthe screen")


async def test_the_refusal_in_the_form_is_inert_and_one_line() -> None:
    plan = load_plan(PLAN_PATH).plan
    source = Hostile(plan, "dba", started())
    source.hostile = True
    app = WarRoomApp(source, FixedClock(at(5)))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_action(pilot, app, Form("note", "dba", (), None, "note", {}))
        fill(app, text="fine")
        said = await refused_in_form(pilot, app, screen, {"text": "fine"})
        assert "\x1b" not in said and "\n" not in said and "wipe" in said, repr(said)


async def test_a_refused_override_keeps_its_reason(tmp_path: Path) -> None:
    """The load ran past its trigger: the commander carries on past it, but the run was
    ended elsewhere meanwhile."""
    loaded = load_plan(PLAN_PATH)
    app, path = journal_room(tmp_path, loaded, through_load(), "alice", at(145))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: app.frame is not None and app.frame.verdict.calling)
        screen = await open_action(pilot, app, Form("override", "alice", (), None, "override", {}))
        typed = {"reason": LONG}
        fill(app, **typed)
        elsewhere(path, RunEnded(actor="alice", at=at(144), outcome="aborted", key="ended"))
        said = await refused_in_form(pilot, app, screen, typed)
        assert ENDED in said, said

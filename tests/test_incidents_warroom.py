"""The war room's incident keys, pressed as a person would: `i` raises one about the
highlighted step, `I` opens the incidents screen, whose keys acknowledge (a), update (u),
change the severity (s), re-assign (o), resolve (v), raise (n) and hand a role over (h);
refusals are one toast naming who and why. Plus snapshots of the screen at 80x24 and 160x48."""

from __future__ import annotations

from rich.console import Console
from textual.widgets import Static

from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import (
    Event,
    IncidentAcknowledged,
    IncidentEscalated,
    IncidentRaised,
    RunStarted,
    StepStarted,
)
from cutover_tui.plan import parse_plan
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.screens.incidents import IncidentsScreen
from cutover_tui.tui.source import MemoryRun
from cutover_tui.tui.widgets.status import StatusBar
from tests.incident_support import MIDNIGHT, bridge_plan, hm
from tests.warroom_support import events_of, fill, notices, open_form, select, settle, submit_form

PLAN = parse_plan(bridge_plan(commander_login="cmdr-login"), name="bridge.toml").plan
SIZE = (160, 48)


def night(*events: Event) -> list[Event]:
    return [
        RunStarted(actor="cmdr", at=MIDNIGHT, plan_id="bridge", key="go"),
        StepStarted(actor="op", at=hm("00:30"), step="load", key="s"),
        *events,
    ]


def raised(severity: str = "sev1", owner: str | None = None) -> IncidentRaised:
    return IncidentRaised(
        actor="op",
        at=hm("01:00"),
        severity=severity,
        title="orders API returns 500",
        step="load",
        owner=owner,
        key=f"r-{severity}",
    )


def war_room(actor: str, events: list[Event], now: str = "01:02") -> WarRoomApp:
    return WarRoomApp(MemoryRun(PLAN, actor, events, run_id="bridge"), FixedClock(hm(now)))


def last(app: WarRoomApp) -> Event:
    return events_of(app)[-1]


async def open_incidents(pilot, app: WarRoomApp) -> IncidentsScreen:
    await pilot.press("I")
    await settle(pilot, lambda: isinstance(app.screen, IncidentsScreen))
    return app.screen  # type: ignore[return-value]


async def test_i_raises_an_incident_about_the_highlighted_step() -> None:
    app = war_room("op", night())
    async with app.run_test(size=SIZE) as pilot:
        select(app, "load")
        await open_form(pilot, app, "i")
        fill(app, severity="sev1", title="orders API returns 500")
        await submit_form(pilot, app)
        await settle(pilot, lambda: last(app).type == "incident-raised")
        event = last(app)
        assert (event.severity, event.step, event.actor) == ("sev1", "load", "op")
        await settle(pilot, lambda: "SEV1 INC-1" in app.query_one(StatusBar).plain)
        assert any("SEV1 incident raised [load]" in n for n in notices(app))


async def test_a_watcher_pressing_i_is_refused_at_once() -> None:
    app = war_room("watch", night())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await settle(pilot, lambda: any("may not raise an incident" in n for n in notices(app)))
        assert "Walt Watcher (watch) [watcher]" in notices(app)[-1]
        assert last(app).type == "step-started"


async def test_the_owner_acknowledges_updates_and_resolves_from_the_screen() -> None:
    app = war_room("res", night(raised()))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_incidents(pilot, app)
        assert screen.selected == 1
        await pilot.press("a")
        await settle(pilot, lambda: last(app).type == "incident-acknowledged")
        await open_form(pilot, app, "u")
        fill(app, note="failing over to the standby")
        await submit_form(pilot, app)
        await settle(pilot, lambda: last(app).type == "incident-updated")
        assert last(app).text == "failing over to the standby"
        await open_form(pilot, app, "s")
        fill(app, severity="sev2", reason="contained to one region")
        await submit_form(pilot, app)
        await settle(pilot, lambda: last(app).type == "incident-severity-changed")
        await open_form(pilot, app, "v")
        fill(app, note="standby promoted")
        await submit_form(pilot, app)
        await settle(pilot, lambda: last(app).type == "incident-resolved")
        assert app.state.incidents.incidents[1].resolved is not None
        assert isinstance(app.screen, IncidentsScreen)  # back on the screen after each form


async def test_the_commander_reassigns_raises_and_hands_a_role_over() -> None:
    app = war_room("cmdr", night(raised()))
    async with app.run_test(size=SIZE) as pilot:
        await open_incidents(pilot, app)
        await open_form(pilot, app, "o")
        fill(app, owner="lead", reason="needs the DBA")
        await submit_form(pilot, app)
        await settle(pilot, lambda: last(app).type == "incident-assigned")
        assert app.state.incidents.incidents[1].owner == "lead"
        await open_form(pilot, app, "n")
        fill(app, severity="sev3", title="slow reports")
        await submit_form(pilot, app)
        await settle(pilot, lambda: last(app).type == "incident-raised")
        await open_form(pilot, app, "h")
        fill(app, role="communicator", giver="comms", taker="lead", reason="Cal off shift")
        await submit_form(pilot, app)
        await settle(pilot, lambda: last(app).type == "role-handed-over")
        assert "communicator" in app.state.roles_of("lead")
        await settle(
            pilot,
            lambda: (
                "communicator Leo Lead" in str(app.screen.query_one("#incidents-bridge").render())
            ),
        )


async def test_moving_between_incidents_and_a_refusal_in_one_toast() -> None:
    app = war_room("op", night(raised("sev1"), raised("sev2")))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_incidents(pilot, app)
        assert screen.selected == 1
        await pilot.press("j")
        await settle(pilot, lambda: screen.selected == 2)
        await pilot.press("a")
        await settle(pilot, lambda: any("may not acknowledge INC-2" in n for n in notices(app)))
        assert "only its owner (Rita Resolver (res))" in notices(app)[-1]
        await pilot.press("k")
        await settle(pilot, lambda: screen.selected == 1)
        await pilot.press("escape")
        await settle(pilot, lambda: not isinstance(app.screen, IncidentsScreen))


async def test_an_escalation_is_said_on_every_screen() -> None:
    app = war_room("op", night(raised()), now="01:05")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: app.frame is not None)
        app.source.submit(
            IncidentEscalated(
                actor="conductor", at=hm("01:05"), incident=1, level=1, to="lead", key="e"
            )
        )
        app.poll_journal()
        await settle(pilot, lambda: any("INC-1 ESCALATED to lead" in n for n in notices(app)))


# -- snapshots of the incidents screen --------------------------------------------------------


def snapshot_app() -> WarRoomApp:
    events = night(
        raised("sev1"),
        raised("sev2", owner="lead"),
        IncidentAcknowledged(actor="lead", at=hm("01:03"), incident=2, key="a"),
        IncidentEscalated(
            actor="conductor", at=hm("01:05"), incident=1, level=1, to="lead", key="e"
        ),
    )
    return war_room("cmdr", events, now="01:06:30")


def test_incidents_screen_160x48(snap_compare) -> None:
    assert snap_compare(snapshot_app(), terminal_size=(160, 48), press=["I"])


def test_incidents_screen_80x24(snap_compare) -> None:
    assert snap_compare(snapshot_app(), terminal_size=(80, 24), press=["I"])


async def test_the_countdown_runs_down_on_the_screen() -> None:
    app = war_room("cmdr", night(raised()))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_incidents(pilot, app)

        def table() -> str:  # the text the screen shows now
            console = Console(width=150, record=True)
            console.print(screen.query_one("#incidents-table", Static).content)
            return console.export_text()

        await settle(pilot, lambda: "3:00" in table())  # raised 01:00, SEV1: 5 minutes
        app.clock.set(hm("01:03:30"))
        await settle(pilot, lambda: "1:30" in table())
        app.clock.set(hm("01:05:45"))  # past its SLA, no conductor here to escalate it yet
        await settle(pilot, lambda: "-0:45 OVERDUE" in table())


async def test_the_palette_acknowledges_an_incident_by_name() -> None:
    from textual.command import CommandPalette

    from tests.test_tui_actions import _highlighted_command

    app = war_room("res", night(raised()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon")
        await settle(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"acknowledge inc-1")
        await settle(pilot, lambda: "Acknowledge INC-1" in _highlighted_command(app))
        await pilot.press("enter")
        await settle(pilot, lambda: last(app).type == "incident-acknowledged")


async def test_the_cursor_stays_with_its_incident_when_the_list_reorders() -> None:
    # Regression (user pass, 2026-12-02): the cursor was a row index; a SEV1 raised by someone
    # else sorts first, and `a` then acknowledged the SEV1 the reader had not chosen.
    app = war_room("res", night(raised("sev2")))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_incidents(pilot, app)
        assert screen.selected == 1
        app.source.submit(raised("sev1").model_copy(update={"actor": "cmdr"}))
        app.poll_journal()
        await settle(pilot, lambda: [r.number for r in screen.found] == [2, 1])  # SEV1 first
        assert screen.selected == 1
        await settle(pilot, lambda: screen.chosen == 1)  # redrawn: the highlight went with it
        await pilot.press("a")
        await settle(pilot, lambda: last(app).type == "incident-acknowledged")
        assert last(app).incident == 1


async def test_the_sla_countdown_runs_on_the_clock_between_frames() -> None:
    # Regression (user pass, 2026-12-02): the countdowns were worked out at the frame's
    # moment, made on news and at each minute, so they stood still for up to a minute.
    from datetime import timedelta

    app = war_room("res", night(raised()))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_incidents(pilot, app)
        before = screen.found[0].left
        app.clock.advance(timedelta(seconds=30))  # no news: the frame stays as it was
        assert screen.found[0].left == before - timedelta(seconds=30)

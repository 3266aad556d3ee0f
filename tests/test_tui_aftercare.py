"""The war room after the night: `V` shows the checklist, access, handover and runbook with
overdue items in red; `v` records one by form, after the run ended; the journal's refusals
are toasts; a snapshot of the screen."""

from __future__ import annotations

import io

from rich.console import Console

from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import RunStarted
from cutover_tui.plan import parse_plan
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.screens.aftercare import AftercareScreen, aftercare_table, headline
from cutover_tui.tui.source import MemoryRun
from tests.report_support import T0, after_the_night, hm, late_night, shop_plan
from tests.warroom_support import events_of, fill, open_form, settle, submit_form

PLAN = parse_plan(shop_plan()).plan
SIZE = (160, 48)


def night(*extra) -> list:
    events = [RunStarted(actor="boss", at=T0, plan_id="shop", key="go"), *late_night(), *extra]
    return [e if e.key else e.model_copy(update={"key": f"k{n}"}) for n, e in enumerate(events)]


def room(actor: str, events: list, now: str = "05:00") -> WarRoomApp:
    return WarRoomApp(MemoryRun(PLAN, actor, events), FixedClock(hm(now)))


def screen_text(app: WarRoomApp) -> str:
    """The screen's words: its lines, and its table as a terminal would print it."""
    console = Console(width=220, record=True, file=io.StringIO())
    console.print(aftercare_table(app.screen.frame))
    lines = [str(s.render()) for s in app.screen.query("Static") if s.id != "aftercare-table"]
    return "\n".join([*lines, console.export_text()])


async def test_the_screen_shows_each_item_and_what_is_overdue() -> None:
    app = room("dba", night(*after_the_night()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("V")
        await settle(pilot, lambda: isinstance(app.screen, AftercareScreen))
        text = screen_text(app)
        assert "after the night: 6/8 done, 1 OVERDUE (break-glass)" in text
        assert "open OVERDUE" in text and "Handover to Shop support" in text
        # An access left open past its deadline turns the summary red.
        assert headline(app.screen.frame).style == "bold red"


async def test_v_records_a_measure_out_of_tolerance_as_a_failure() -> None:
    app = room("dba", night())
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app, "v")
        fill(app, item="checkout-p95: Checkout p95 latency", value="1100")
        await submit_form(pilot, app)
        await settle(pilot, lambda: events_of(app)[-1].type == "validation-recorded")
        assert events_of(app)[-1].value == 1100
        row = app.state.aftercare.checks["checkout-p95"]
        assert row.actor == "dba"
        await pilot.press("V")
        await settle(pilot, lambda: isinstance(app.screen, AftercareScreen))
        assert "1100 ms, OUT OF TOLERANCE: 800 ms ±20%" in screen_text(app)


async def test_v_from_the_screen_accepts_the_handover() -> None:
    app = room("sup", night())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("V")
        await settle(pilot, lambda: isinstance(app.screen, AftercareScreen))
        await open_form(pilot, app, "v")
        fill(app, item="handover: handover to Shop support", note="rota briefed")
        await submit_form(pilot, app)
        await settle(pilot, lambda: events_of(app)[-1].type == "handover-accepted")
        assert app.state.aftercare.handover.note == "rota briefed"


async def test_a_watcher_is_refused_in_one_line() -> None:
    app = room("wat", night())
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app, "v")
        fill(app, item="vendor-vpn: VPN account for the vendor's DBA")
        await submit_form(pilot, app)
        form = app.screen  # refused in the form, which stays open with the choice made
        assert "may not close access" in str(form.query_one("#form-error").render())
        assert events_of(app)[-1].type == "run-ended"


def test_aftercare_screen_snapshot(snap_compare) -> None:
    assert snap_compare(room("boss", night(*after_the_night())), terminal_size=SIZE, press=["V"])


async def test_an_overdue_access_turns_the_status_line_red() -> None:
    from cutover_tui.tui.widgets.status import figures

    for now, red in (("04:00", False), ("05:00", True)):  # break-glass is due at 04:41
        app = room("boss", night(*after_the_night()), now=now)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, lambda app=app: app.frame is not None)
            for width in (160, 80):
                line = figures(app.frame, width)
                spans = [line.plain[s.start : s.end] for s in line.spans if s.style == "bold red"]
                assert any("OVERDUE (break-glass)" in text for text in spans) is red, line.plain


async def test_n_on_the_screen_adds_a_review_remark_after_the_end() -> None:
    app = room("sup", night())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("V")
        await settle(pilot, lambda: isinstance(app.screen, AftercareScreen))
        await open_form(pilot, app, "n")
        fill(app, remark="process-gap", text="no rehearsal at full size")
        await submit_form(pilot, app)
        await settle(pilot, lambda: events_of(app)[-1].type == "note-added")
        remark = events_of(app)[-1]
        assert (remark.kind, remark.remark, remark.actor) == ("review", "process-gap", "sup")

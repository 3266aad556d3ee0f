"""Every caller of `narrate` says the times its words name (a suspension's ETA, an overdue
incident update) on the clock of the page or screen around it, never in UTC beside it.

Found in review (2026-12-02): on a plan in Asia/Bangkok the review listed a suspension at
"Fri 27 Nov 22:10 +07" with "(ETA 16:00 UTC)", `cutover simulate --headless` printed
"22:10 ... (ETA 16:00 UTC)", and the war room's toast and comms log said an incident update
"overdue since 18:17 UTC" under a header in Bangkok time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from cutover_tui.cli.simulate_commands import _say
from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import FixedClock
from cutover_tui.engine import events as ev
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.run import JournalRun
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from cutover_tui.report.markdown import render_markdown
from cutover_tui.report.review import build_review
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.widgets.comms import log_line
from tests.incident_support import bridge_plan
from tests.report_support import shop_plan
from tests.warroom_support import notices, settle

BANGKOK = 'timezone = "Asia/Bangkok"'  # 7h from UTC: no time reads the same in both
SHOP = parse_plan(shop_plan().replace('timezone = "Europe/London"', BANGKOK), name="shop.toml")
START = SHOP.plan.window.start  # 22:00 in Bangkok, 15:00 UTC
M = timedelta(minutes=1)


def _suspended_night(directory: Path) -> tuple[Journal, ev.StepSuspended]:
    journal = Journal.create(directory, SHOP, rehearsal=False, created_by=os_login())
    paused = ev.StepSuspended(
        actor="dba", at=START + 10 * M, step="backup", reason="vendor", eta=START + 60 * M, key="s"
    )
    for event in (
        ev.RunStarted(actor="boss", at=START, plan_id="shop", key="go"),
        ev.StepStarted(actor="dba", at=START, step="backup", key="b"),
        paused,
    ):
        journal.append(event)
    return journal, paused


def test_the_review_says_an_eta_on_the_plans_clock(tmp_path: Path) -> None:
    journal, _ = _suspended_night(tmp_path)
    review = build_review(journal.plan, journal.events(), journal.run_id, START + 90 * M)
    journal.close()
    line = next(e.text for e in review.deviations if "suspended" in e.text)
    assert line == "backup suspended: vendor (ETA Fri 27 Nov 23:00 +07)", line
    said = render_markdown(review)
    assert "Fri 27 Nov 22:10 +07: backup suspended: vendor (ETA Fri 27 Nov 23:00 +07)" in said


def test_simulate_headless_says_an_eta_on_the_plans_clock(tmp_path: Path, capsys) -> None:
    journal, paused = _suspended_night(tmp_path)
    stored = journal.events()[-1]
    journal.close()
    assert isinstance(stored, ev.StepSuspended) and stored.eta == paused.eta
    _say(stored, SHOP.plan.zone, late=False)
    assert capsys.readouterr().out == "22:10 ⏸ backup suspended: vendor (ETA 23:00) · dba\n"


BRIDGE = parse_plan(bridge_plan().replace('timezone = "UTC"', BANGKOK), name="bridge.toml")
NIGHT = BRIDGE.plan.window.start  # 00:00 in Bangkok, 17:00 UTC the day before


def _bridge_run(directory: Path) -> Path:
    """A SEV1 raised at 01:00 (Bangkok), acknowledged at 01:02: an update is due at 01:17."""
    journal = Journal.create(directory, BRIDGE, rehearsal=False, created_by=os_login())
    for event in (
        ev.RunStarted(actor="cmdr", at=NIGHT, plan_id="bridge", key="go"),
        ev.IncidentRaised(actor="op", at=NIGHT + 60 * M, severity="sev1", title="500s", key="r"),
        ev.IncidentAcknowledged(actor="res", at=NIGHT + 62 * M, incident=1, key="ack"),
    ):
        journal.append(event)
    path = journal.path
    journal.close()
    return path


async def test_an_overdue_incident_update_is_said_on_the_war_rooms_clock(tmp_path: Path) -> None:
    path = _bridge_run(tmp_path)
    clock = FixedClock(NIGHT + 70 * M)
    app = WarRoomApp(JournalRun(Journal(path), "cmdr", now=clock.now), clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: app.frame is not None)
        clock.set(NIGHT + 77 * M)
        conductor = Conductor(Journal(path), clock, holder="A")
        conductor.tick()  # the reminder, written as the conductor does
        await settle(pilot, lambda: any("overdue" in n for n in notices(app)))
        toast = next(n for n in notices(app) if "overdue" in n)
        reminded = Journal(path).events()[-1]
        assert isinstance(reminded, ev.IncidentReminded), reminded
        logged = log_line(reminded, app.frame).plain
    due: datetime = reminded.due
    assert due == NIGHT + 77 * M
    assert "overdue since 01:17 (" in toast and "UTC" not in toast, toast
    assert "overdue since 01:17 ·" in logged and "UTC" not in logged, logged

"""With `--tz`, every time a viewer reads is in that one zone: the verdict's rules too.

Found by a hostile user pass (2026-12-02): `cutover follow R --tz Asia/Kolkata`, then `w`,
read "ends at 13:41 ... 87 % chance of finishing by 15:57" (the rules, in the plan's zone,
GMT) directly above "Odds 87% inside the window (by 21:27)" (IST); `cutover status --tz` the
same. The rules are now written inside `told_in(viewer's zone)` (engine/spoken_zone.py).
"""

from __future__ import annotations

import asyncio
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table
from textual.widgets import Static

from cutover_tui.cli import main
from cutover_tui.cli.warroom_commands import war_room_parts
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.aftercare_status import rows as aftercare_rows
from cutover_tui.engine.events import StepStarted
from cutover_tui.engine.spoken_zone import spoken_zone, told_in
from cutover_tui.engine.state import initial_state
from cutover_tui.journal.store import Journal
from cutover_tui.plan.zones import hm
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.screens.aftercare import AftercareScreen
from cutover_tui.tui.screens.foresight import ForesightScreen
from cutover_tui.tui.screens.health import HealthScreen
from cutover_tui.tui.source import MemoryRun
from tests.journal_support import at as checks_at
from tests.report_support import after_the_night
from tests.report_support import hm as shop_hm
from tests.test_catch_up_later import looked_then_changed
from tests.test_checks_tui import PLAN as CHECKS_PLAN
from tests.test_checks_tui import night
from tests.test_status_as_of import online_store_run
from tests.test_tui_aftercare import PLAN as AFTER_PLAN
from tests.test_tui_aftercare import night as aftercare_night
from tests.warroom_support import PLAN, StoppedClock, at, settle, through_load

IST = ZoneInfo("Asia/Kolkata")  # 5h30m from GMT: no time reads the same in both


def _status(tmp_path: Path, capsys, *tz: str) -> str:
    now = datetime.now(UTC)
    journal, runs = online_store_run(tmp_path, now - timedelta(minutes=30))
    journal.append(
        StepStarted(
            actor="alice", at=now - timedelta(minutes=25), step="freeze-legacy", key=uuid4().hex
        )
    )
    journal.close()
    capsys.readouterr()
    assert main(["status", journal.run_id, "--runs", str(runs), *tz]) == 0
    return capsys.readouterr().out


def _deadline_said(out: str) -> tuple[str, list[str]]:
    """The deadline on the finish line, and every rule line that names a deadline."""
    finish = re.search(r"deadline (\d\d:\d\d), buffer left", out)
    assert finish, out
    rules = [line for line in out.splitlines() if line.startswith("    ") and "deadline" in line]
    assert rules, out
    return finish.group(1), rules


def test_status_tz_writes_the_rules_in_the_viewers_zone(tmp_path: Path, capsys) -> None:
    out = _status(tmp_path, capsys, "--tz", "Asia/Kolkata")
    deadline, rules = _deadline_said(out)
    for line in rules:
        assert f"{deadline} deadline" in line or f"by {deadline}" in line, (deadline, line)


def test_status_without_tz_keeps_the_plans_zone(tmp_path: Path, capsys) -> None:
    deadline, rules = _deadline_said(_status(tmp_path, capsys))
    assert all(deadline in line for line in rules), (deadline, rules)


def test_told_in_is_undone_after_its_block() -> None:
    plan_zone = PLAN.zone
    with told_in(IST):
        assert spoken_zone(plan_zone) is IST
    assert spoken_zone(plan_zone) is plan_zone


def _plain(widget: Static) -> str:
    content = widget.content
    return "" if isinstance(content, Table) else str(content)


async def _why_screen(tz) -> list[str]:
    app = WarRoomApp(MemoryRun(PLAN, "alice", through_load()), StoppedClock(at(75)), tz=tz)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: app.frame is not None and app.frame.foresight is not None)
        await pilot.press("w")
        await settle(pilot, lambda: isinstance(app.screen, ForesightScreen))
        return [_plain(s) for s in app.screen.query(Static)]


def test_the_why_screen_reads_every_time_in_the_viewers_zone() -> None:
    lines = asyncio.run(_why_screen(IST))
    deadline = at(0).replace(hour=2) + timedelta(days=1)  # the window ends 02:00 London
    ist, london = f"{deadline.astimezone(IST):%H:%M}", "02:00"
    odds = next(line for line in lines if line.startswith("Odds"))
    assert f"(by {ist})" in odds, odds
    said = "\n".join(lines)
    assert f"chance of finishing by {ist}" in said, said
    assert f"the {ist} deadline" in said, said
    assert london not in said, said
    assert "Times  in IST (Asia/Kolkata), your --tz; the plan's zone is GMT (Europe/London)" in said


def test_without_tz_the_why_screen_reads_the_plans_zone() -> None:
    said = "\n".join(asyncio.run(_why_screen(None)))
    assert "chance of finishing by 02:00" in said and "(by 02:00)" in said, said
    assert "your --tz" not in said


def test_the_catch_up_said_on_opening_tells_time_in_the_viewers_zone(tmp_path: Path) -> None:

    path, _ = looked_then_changed(tmp_path)
    events = Journal(path).events()
    moment = events[-1].at
    parts = war_room_parts(Journal(path), read_only=True, tz="Asia/Kolkata")
    assert parts.catch_up_later is not None
    first = parts.catch_up_later()[0]
    assert f"({moment.astimezone(IST):%H:%M} on)" in first, first


ZONES = ("Asia/Kolkata", "America/St_Johns", "Pacific/Chatham", "UTC", "Europe/London")


@given(
    zone=st.sampled_from(ZONES),
    moment=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
    ),
)
def test_when_tells_time_in_the_zone_told_and_the_plans_outside(zone: str, moment) -> None:

    state = initial_state(PLAN)
    with told_in(ZoneInfo(zone)):
        assert state.when(moment) == hm(moment, ZoneInfo(zone))
    assert state.when(moment) == hm(moment, PLAN.zone)


async def _health_since(tz) -> str:

    app = WarRoomApp(MemoryRun(CHECKS_PLAN, "boss", night()), StoppedClock(checks_at(12)), tz=tz)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: app.frame is not None)
        await pilot.press("H")
        await settle(pilot, lambda: isinstance(app.screen, HealthScreen))
        probes = app.screen.query(Static)[1].content
        assert isinstance(probes, Table)
        return str(next(iter(probes.columns[2].cells)))


def test_the_health_screen_tells_time_in_the_viewers_zone() -> None:

    since = checks_at(11)  # the probe went green again at minute 11
    assert asyncio.run(_health_since(IST)) == f"{since.astimezone(IST):%H:%M}"
    assert asyncio.run(_health_since(None)) != f"{since.astimezone(IST):%H:%M}"


async def _aftercare_table(tz) -> tuple[str, list]:
    events = aftercare_night(*after_the_night())
    app = WarRoomApp(MemoryRun(AFTER_PLAN, "dba", events), FixedClock(shop_hm("05:00")), tz=tz)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("V")
        await settle(pilot, lambda: isinstance(app.screen, AftercareScreen))
        console = Console(width=220, record=True, file=io.StringIO())
        console.print(app.screen.query_one("#aftercare-table", Static).content)
        return console.export_text(), aftercare_rows(app.state, app.clock.now())


def test_the_after_the_night_screen_tells_due_times_in_the_viewers_zone() -> None:
    text, rows = asyncio.run(_aftercare_table(IST))
    due = [r.due for r in rows if r.due is not None]
    assert due, rows
    assert all(f"{d.astimezone(IST):%H:%M}" in text for d in due), text

"""An incident unacknowledged at the end of its escalation chain says so on the `I` screen.

Found on the incidents screen at 80x24 half an hour into a SEV1 nobody acknowledged: its line
read "Dan Hughes · 26m · ack  · dan → alice", the SLA blank, while `cutover status` said
"waiting for ack, nobody left to escalate to". A blank reads as nothing owed.
"""

from __future__ import annotations

import asyncio

from cutover_tui.engine.events import IncidentEscalated, IncidentRaised
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.source import MemoryRun
from tests.test_inert_warroom import screen_text
from tests.warroom_support import PLAN, StoppedClock, at, settle, started

SAID = "nobody left to escalate to"


async def _incidents_screen(size: tuple[int, int]) -> str:
    events = started(
        IncidentRaised(actor="alice", at=at(0), severity="sev1", title="orders 500s", owner="ops"),
        IncidentEscalated(actor="conductor", at=at(5), incident=1, level=1, to="alice"),
    )
    app = WarRoomApp(MemoryRun(PLAN, "alice", events), StoppedClock(at(30)))
    async with app.run_test(size=size) as pilot:
        await settle(pilot, lambda: "INC-1" in screen_text(app))
        await pilot.press("I")
        await settle(pilot, lambda: "Bridge tonight" in screen_text(app))
        return " ".join(screen_text(app).split())


def test_at_80x24_the_line_says_nobody_is_left() -> None:
    shown = asyncio.run(_incidents_screen((80, 24)))
    assert SAID in shown, shown


def test_at_160x48_the_sla_column_says_nobody_is_left() -> None:
    shown = asyncio.run(_incidents_screen((160, 48)))
    assert "nobody left" in shown, shown

"""At 80x24, rolling back, the second status line ends on whole words.

Found at 80x24 with a SEV1 open when the commander invoked rollback: the line read
"↺ ROLLING BACK · SEV1 INC-1  likely 23:31 │ RESTORE BY 02:00 (RTO; rollback" and the rest
fell off the edge; the narrow forms of the line never shortened the restore deadline.
"""

from __future__ import annotations

import asyncio

from cutover_tui.engine.events import IncidentRaised, RollbackInvoked
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.source import MemoryRun
from tests.test_inert_warroom import screen_text
from tests.warroom_support import PLAN, StoppedClock, at, settle, through_load


async def _status_line(width: int) -> str:
    events = [
        *through_load(),
        IncidentRaised(actor="alice", at=at(55), severity="sev1", title="orders API 500s"),
        RollbackInvoked(actor="alice", at=at(60), reason="orders API down"),
    ]
    app = WarRoomApp(MemoryRun(PLAN, "alice", events), StoppedClock(at(61)))
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot, lambda: "RESTORE BY" in screen_text(app).splitlines()[1])
        return screen_text(app).splitlines()[1].rstrip()


def test_rolling_back_with_a_sev1_the_line_fits_at_80_columns() -> None:
    line = asyncio.run(_status_line(80))
    assert "SEV1" in line and "RESTORE BY" in line, line
    assert line.count("(") == line.count(")"), f"cut mid-phrase: {line!r}"

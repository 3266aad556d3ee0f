"""The footer offers what this person may do now: a role handed over changes it at once.

User pass (2026-12-02): after `cutover do RUN handover commander --owner dan`, alice's war
room said "Alice Ng: watcher" but its footer still offered `r rollback…` and `E end`, keys
the journal would refuse her: the bindings were offered again only at the first frame.
"""

from __future__ import annotations

import asyncio

from textual.widgets._footer import FooterKey

from cutover_tui.engine.events_incidents import RoleHandedOver
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.source import MemoryRun
from tests.warroom_support import PLAN, StoppedClock, at, settle, started


def _offered(app: WarRoomApp) -> set[str]:
    return {key.action for key in app.query(FooterKey)}


async def _hand_over(giver: str, taker: str) -> tuple[set[str], set[str]]:
    source = MemoryRun(PLAN, "alice", started())
    app = WarRoomApp(source, StoppedClock(at(5)))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: "rollback" in _offered(app))
        before = _offered(app)
        source.submit(
            RoleHandedOver(
                actor="alice", at=at(5), role="commander", giver=giver, taker=taker,
                reason="shift change", key="hand",
            )
        )  # fmt: skip
        # The footer's keys composed again (empty while it recomposes), without the rollback.
        await settle(pilot, lambda: "help" in _offered(app) and "rollback" not in _offered(app))
        return before, _offered(app)


def test_handing_the_command_over_takes_the_commanders_keys_off_the_footer() -> None:
    before, after = asyncio.run(_hand_over("alice", "carol"))
    assert "rollback" in before and "rollback" not in after
    assert "help" in after  # everyone's keys stay

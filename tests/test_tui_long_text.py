"""A long note in a live pane does not push the rest of the night off the screen.

Found by using the war room as a jump host's operators do: evidence pasted from a terminal
(up to 16,000 characters) filled the Checkpoints & gates pane so that the gates, readiness
and armed rollback triggers under it could not be seen, and a 4,000-character suspend reason
filled the Now pane at 80x24. The whole text stays in the comms log; the live panes quote it.
"""

from __future__ import annotations

import asyncio

from cutover_tui.engine.events import (
    CheckpointPassed,
    StepAdded,
    StepCompleted,
    StepStarted,
    StepSuspended,
)
from cutover_tui.plan.limits import MAX_EVIDENCE_CHARS, MAX_TEXT_CHARS
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.source import MemoryRun
from tests.test_inert_warroom import screen_text
from tests.warroom_support import PLAN, StoppedClock, at, settle, started, through_backup

PASTED = "rows " + "9" * (MAX_EVIDENCE_CHARS - 5)  # the longest evidence the journal takes


async def _pane(events: list, actor: str, size: tuple[int, int], pane: str, want: str) -> list[str]:
    """The rows of `pane` (a CSS selector) as the terminal shows them, once `want` is there."""
    app = WarRoomApp(MemoryRun(PLAN, actor, events), StoppedClock(at(60)))
    async with app.run_test(size=size) as pilot:
        if size[0] < 120:
            await pilot.press("2")  # the Now tab; the checks are "3"
        widget = app.query_one(pane)

        def rows() -> list[str]:
            region = widget.region
            shown = screen_text(app).splitlines()[region.y : region.bottom]
            return [row[region.x : region.right] for row in shown]

        await settle(pilot, lambda: want in "\n".join(rows()))
        return rows()


def test_pasted_evidence_leaves_the_gate_and_triggers_in_view() -> None:
    events = [
        *through_backup(),
        CheckpointPassed(actor="dba", at=at(44), step="backup-ok", evidence=PASTED),
    ]
    pane = asyncio.run(_pane(events, "alice", (160, 48), "ChecksPane", "Backup verified"))
    quoted = [row for row in pane if "9999999999" in row]
    assert len(quoted) <= 3, f"the evidence took {len(quoted)} rows of the pane"
    shown = "\n".join(pane)
    assert "⛩" in shown  # the gate, below the checkpoint, is still on screen
    assert "…" in shown  # and the quote says it was cut


def test_a_long_suspend_reason_leaves_the_step_and_the_next_in_view_at_80x24() -> None:
    reason = "waiting for the vendor " + "z" * (MAX_TEXT_CHARS - 23)
    events = [
        *started(StepStarted(actor="dba", at=at(0), step="freeze")),
        StepSuspended(actor="dba", at=at(5), step="freeze", reason=reason),
    ]
    pane = asyncio.run(_pane(events, "dba", (80, 24), "NowPane", "freeze"))
    quoted = [row for row in pane if "zzzzzzzzzz" in row]
    assert len(quoted) <= 3, f"the reason took {len(quoted)} rows of the pane"
    shown = "\n".join(pane)
    assert "elapsed" in shown and "…" in shown
    assert "mine: backup" in shown  # Priya's next step, after it, is still in view


def test_a_long_title_added_tonight_leaves_the_next_step_in_view_at_80x24() -> None:
    title = "Check the firewall " + "w" * (MAX_TEXT_CHARS - 19)
    added = StepAdded(
        actor="alice",
        at=at(2),
        step="fw",
        title=title,
        owner="dba",
        duration_s=600,
        after=["freeze"],
        reason="vendor asked",
    )
    events = [
        *started(StepStarted(actor="dba", at=at(0), step="freeze")),
        StepCompleted(actor="dba", at=at(1), step="freeze"),
        added,
        StepStarted(actor="dba", at=at(3), step="fw"),
    ]
    pane = asyncio.run(_pane(events, "dba", (80, 24), "NowPane", "fw"))
    quoted = [row for row in pane if "wwwwwwwwww" in row]
    assert len(quoted) <= 3, f"the title took {len(quoted)} rows of the pane"
    shown = "\n".join(pane)
    assert "…" in shown and "elapsed" in shown

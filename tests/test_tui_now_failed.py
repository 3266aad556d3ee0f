"""A failed step offered again in the Now pane says it failed, as the checks pane does.

Regression (review of the ROLL BACK screen, 2026-12-02): a checkpoint that had failed, and
whose failure called the rollback, was listed in the Now pane as "ready · 5m" beside the
checks pane's "✗ Backup verified". It is offered again only to be retried or skipped.
"""

from __future__ import annotations

from textual.widgets import OptionList

from cutover_tui.engine.events import CheckpointFailed, StepStarted
from tests.warroom_support import at, settle, through_backup, war_room


def now_rows(app) -> list[str]:
    listed = app.query_one("#now-list", OptionList)
    return [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]


def row_of(app, step: str) -> str:
    return next((row for row in now_rows(app) if f" {step}" in row), "")


async def test_a_failed_checkpoint_offered_again_says_it_failed() -> None:
    events = [
        *through_backup(),
        StepStarted(actor="dba", at=at(40), step="backup-ok"),
        CheckpointFailed(actor="dba", at=at(44), step="backup-ok", evidence="checksum differs"),
    ]
    app = war_room("alice", events, at(46))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: row_of(app, "backup-ok"))
        row = row_of(app, "backup-ok")
        assert row.startswith("✗") and "failed: retry or skip · 5m" in row, row
        assert "ready" not in row, row


async def test_a_step_never_failed_is_still_ready() -> None:
    app = war_room("alice", through_backup(), at(41))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: row_of(app, "backup-ok"))
        row = row_of(app, "backup-ok")
        assert row.startswith("○") and "ready · 5m" in row and "failed" not in row, row

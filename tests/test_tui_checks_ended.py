"""The Checkpoints & gates pane of a run that went no further says so, with no due times.

User pass (2026-12-02): after `cutover do RUN end --outcome aborted` the pane still said
"Row count matches due 19:42", "Smoke test due 20:57" and the go-live gate "OPEN", as if the
night were still to come. During a rollback the forward gate is not decided either.
"""

from __future__ import annotations

from cutover_tui.engine.events import RollbackInvoked, RunEnded
from cutover_tui.engine.state import fold
from cutover_tui.engine.verdict import forecaster_for
from cutover_tui.tui.frame import Frame
from cutover_tui.tui.widgets.checks import checkpoint_lines, gate_lines
from tests.warroom_support import PLAN, at, started, through_backup


def _pane(events: list, minutes: float) -> tuple[list[str], list[str]]:
    frame = Frame.at(fold(PLAN, events), at(minutes), "alice", forecaster_for("ended"), None)
    return [t.plain for t in checkpoint_lines(frame)], [t.plain for t in gate_lines(frame)]


def test_an_ended_run_has_no_due_checkpoints_and_no_open_gate() -> None:
    going, gates = _pane(through_backup(), 41)
    assert any("due" in line for line in going) and any(": OPEN" in g for g in gates)
    ended = [*through_backup(), RunEnded(actor="alice", at=at(42), outcome="aborted", key="e")]
    checks, gates = _pane(ended, 43)
    assert checks and not any("due" in line for line in checks)
    assert all(line.endswith("not reached") for line in checks if "✓" not in line)
    assert gates == ["⛩ Go / no-go: NOT DECIDED  alice ◌  sponsor ◌"]  # no open criteria


def test_a_rollback_leaves_the_forward_gate_not_decided() -> None:
    back = RollbackInvoked(actor="alice", at=at(42), reason="test", key="rb")
    checks, gates = _pane(started(back), 43)
    assert not any("due" in line for line in checks)  # only the rollback's own are listed
    assert gates == ["⛩ Go / no-go: NOT DECIDED  alice ◌  sponsor ◌"]

"""The comms log shows BEL, BS and CR in a person's words as the checkpoint pane does (␇ ␈ ␍).

Found by a hostile user pass (2026-12-02): Rich drops BEL, BS and CR while it builds a Text,
before `inert_rich` sees them, so the comms log showed the evidence "rows ok\\a" as "rows ok"
and the checks pane, beside it, as "rows ok␇": the same evidence read two ways.
"""

from __future__ import annotations

from cutover_tui.engine.events import CheckpointFailed, NoteAdded
from cutover_tui.engine.state import apply, initial_state
from cutover_tui.tui.frame import Frame
from cutover_tui.tui.widgets.checks import checkpoint_lines
from cutover_tui.tui.widgets.comms import log_line
from tests.warroom_support import PLAN, at, through_backup

EVIDENCE = "rows ok\a\b\r 48,112,007"


def _frame(*events) -> Frame:
    state = initial_state(PLAN)
    for event in [*through_backup(), *events]:
        apply(state, event)
    return Frame.at(state, at(45), "alice")


def test_the_log_and_the_checks_pane_show_the_same_evidence_the_same_way() -> None:
    failed = CheckpointFailed(actor="dba", at=at(44), step="backup-ok", evidence=EVIDENCE)
    frame = _frame(failed)
    logged = log_line(failed, frame).plain
    pane = next(t.plain for t in checkpoint_lines(frame) if "Backup verified" in t.plain)
    assert "rows ok␇␈␍ 48,112,007" in logged, logged
    assert "rows ok␇" in pane, pane


def test_a_note_keeps_its_controls_visible_in_the_log() -> None:
    note = NoteAdded(actor="alice", at=at(45), text="bell\a back\b cr\r end")
    logged = log_line(note, _frame(note)).plain
    assert "bell␇ back␈ cr␍ end" in logged, logged


def test_a_suspensions_eta_is_on_the_war_rooms_clock_not_utc() -> None:
    """User pass (2026-12-02): the log said "(ETA 16:00 UTC)" while every other pane said
    the plan's zone (and, with --tz, the viewer's)."""
    from zoneinfo import ZoneInfo

    from cutover_tui.engine.events import StepStarted, StepSuspended

    began = StepStarted(actor="dba", at=at(40), step="backup-ok")
    paused = StepSuspended(
        actor="dba", at=at(41), step="backup-ok", reason="vendor", eta=at(100), key="s"
    )
    frame = _frame(began, paused)
    logged = log_line(paused, frame).plain
    assert f"(ETA {frame.clock(at(100))})" in logged and "UTC" not in logged, logged
    tokyo = Frame.at(frame.state, at(45), "alice", tz=ZoneInfo("Asia/Tokyo"))
    assert f"(ETA {tokyo.clock(at(100))})" in log_line(paused, tokyo).plain
    assert tokyo.clock(at(100)) != frame.clock(at(100))

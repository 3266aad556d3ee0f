"""The Now pane's elapsed time never goes below nothing.

User pass (2026-12-02): a start recorded with `--at` a minute ahead (within the two minutes a
host's clock may run ahead) showed "elapsed -1m of 5m".
"""

from __future__ import annotations

from datetime import timedelta

from cutover_tui.engine.events import StepStarted
from cutover_tui.engine.state import fold
from cutover_tui.tui.frame import Frame
from cutover_tui.tui.widgets.now import running_lines
from tests.warroom_support import PLAN, at, started


def test_a_start_dated_a_moment_ahead_has_run_no_time_yet() -> None:
    ahead = StepStarted(actor="dba", at=at(10) + timedelta(seconds=100), step="freeze")
    frame = Frame.at(fold(PLAN, started(ahead)), at(10), "alice")
    text = running_lines(frame, "freeze", 120).plain
    assert "elapsed 0m of 15m" in text, text
    assert "-1m" not in text

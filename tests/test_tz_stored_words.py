"""Under `--tz`, the words the conductor stored on the plan's clock say which clock that is.

Found in review (2026-12-02): a fired trigger's reason is stored text ("'load' has run
1h35m since 22:50, over its 1h30m limit", written in the plan's zone, GMT). Under
`--tz Asia/Kolkata` the comms log and the toast set that 22:50 beside their own times in
IST (05:55), unlabelled: it read as a time five and a half hours off.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import IncidentRaised, TriggerFired, WindowAlert
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.run import JournalRun
from cutover_tui.journal.store import Journal
from cutover_tui.plan import load_plan
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.frame import Frame
from cutover_tui.tui.widgets.comms import log_line
from tests.warroom_support import PLAN_PATH, at, notices, settle, through_load

IST = ZoneInfo("Asia/Kolkata")
LABEL = "(times in GMT, the plan's zone)"


def _loading(tmp_path: Path) -> Path:
    """The 1h load started at 22:50; its trigger fires when it runs over 1h30m (00:20)."""
    journal = Journal.create(tmp_path, load_plan(PLAN_PATH), rehearsal=False, created_by=os_login())
    for n, event in enumerate(through_load()):
        journal.append(event if event.key else event.model_copy(update={"key": f"e{n}"}))
    path = journal.path
    journal.close()
    return path


async def test_a_fired_triggers_stored_reason_names_the_plans_zone_under_tz(
    tmp_path: Path,
) -> None:
    path = _loading(tmp_path)
    clock = FixedClock(at(100))
    app = WarRoomApp(JournalRun(Journal(path), "alice", now=clock.now), clock, tz=IST)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: app.frame is not None)
        clock.set(at(145))  # 00:25 GMT, 05:55 IST
        conductor = Conductor(Journal(path), clock, holder="A")
        conductor.tick()  # records the trigger, as it does
        conductor.tick()  # and opens its incident
        await settle(pilot, lambda: any("fired" in n for n in notices(app)))
        toasts = notices(app)
        events = Journal(path).events()
        fired = next(e for e in events if isinstance(e, TriggerFired))
        raised = next(e for e in events if isinstance(e, IncidentRaised))
        frame = app.frame
        assert frame is not None
        logged, incident = log_line(fired, frame).plain, log_line(raised, frame).plain
    assert "since 22:50" in fired.reason  # stored on the plan's clock
    assert logged.startswith("05:50 ") and "since 22:50" in logged, logged
    assert LABEL in logged, logged
    # A toast quoting the stored words (the incident's) says which clock they are on.
    quoting = [n for n in toasts if "since 22:50" in n]
    assert quoting and all(LABEL in n for n in quoting), toasts
    assert "since 22:50" in incident and LABEL in incident, incident
    plain = Frame.at(frame.state, at(145), "alice")  # no --tz: one clock, no label
    assert "(times in" not in log_line(fired, plain).plain


def test_a_window_alerts_stored_words_name_the_plans_zone_under_tz(tmp_path: Path) -> None:
    """The conductor's window alerts are stored words too ("the window closed at 02:00")."""
    journal = Journal(_loading(tmp_path))
    state = journal.state()
    journal.close()
    closed = WindowAlert(
        actor="conductor", at=at(240), alert="deadline", text="the window closed at 02:00"
    )
    viewer = log_line(closed, Frame.at(state, at(240), "alice", tz=IST)).plain
    assert viewer.startswith("07:30 ") and f"closed at 02:00 {LABEL}" in viewer, viewer
    assert "(times in" not in log_line(closed, Frame.at(state, at(240), "alice")).plain

"""Under `--tz`, the incidents screen and the checks pane's fired triggers say which clock the
conductor's stored words are on, as the comms log and the toasts do (tests/test_tz_stored_words.py).

Left from stop 13 (2026-12-03): a trigger's incident is titled with the conductor's words
("trigger load-stuck fired: 'load' has run 1h35m since 22:50, ...", written in the plan's
zone, GMT). Under `--tz Asia/Kolkata` the incidents screen showed that title unlabelled
beside ages and countdowns of the room, and so did the checks pane when it shows the stored
reason (the trigger's condition no longer holds as the journal now stands: here a late
tick-off put the load's end inside its limit).
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from rich.text import Text
from textual.widgets import Static

from cutover_tui.cli import main, run_commands
from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import StepCompleted, TriggerFired
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.run import JournalRun
from cutover_tui.journal.store import Journal
from cutover_tui.plan import load_plan
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.screens.incidents import IncidentsScreen
from cutover_tui.tui.widgets.checks import ChecksPane
from tests.test_inert_warroom import screen_text
from tests.warroom_support import PLAN_PATH, at, settle, through_load

IST = ZoneInfo("Asia/Kolkata")
LABEL = "(times in GMT, the plan's zone)"
STORED = "since 22:50"  # the load's start on the plan's clock, in the conductor's words


def _fired_then_ticked_off(tmp_path: Path) -> Path:
    """The load ran over at 00:20 and the conductor fired its trigger and opened an incident
    at 00:25; then the load was ticked off late as done at 00:10, within its limit."""
    journal = Journal.create(tmp_path, load_plan(PLAN_PATH), rehearsal=False, created_by=os_login())
    for n, event in enumerate(through_load()):
        journal.append(event if event.key else event.model_copy(update={"key": f"e{n}"}))
    clock = FixedClock(at(145))  # 00:25 GMT
    conductor = Conductor(journal, clock, holder="A")
    conductor.tick()  # records the trigger
    conductor.tick()  # and opens its incident
    journal.append(StepCompleted(actor="dba", at=at(130), step="load", key="late"), now=clock.now)
    path = journal.path
    journal.close()
    return path


async def _panes(path: Path, tz: ZoneInfo | None, size: tuple[int, int]) -> tuple[str, str]:
    """The checks pane's text (it wraps, so all of it shows), then what the incidents screen
    shows (`I`)."""
    clock = FixedClock(at(150))
    app = WarRoomApp(JournalRun(Journal(path), "alice", now=clock.now), clock, tz=tz)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, lambda: app.frame is not None)
        body = app.query_one(ChecksPane).query_one("#checks-body", Static)
        await settle(pilot, lambda: "FIRED" in str(body.content))
        room = body.content.plain if isinstance(body.content, Text) else ""  # wraps: all of it
        await pilot.press("I")
        await settle(pilot, lambda: isinstance(app.screen, IncidentsScreen))
        await settle(pilot, lambda: "INC-1" in screen_text(app))
        return room, screen_text(app)


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_the_stored_words_in_the_panes_name_the_plans_zone_under_tz(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    path = _fired_then_ticked_off(tmp_path)
    reasons = [e.reason for e in Journal(path).events() if isinstance(e, TriggerFired)]
    assert len(reasons) == 1 and STORED in reasons[0]  # on the plan's clock
    room, incidents = await _panes(path, IST, size)
    # The checks pane: the stored reason (its condition no longer holds), with its label.
    [fired] = [line for line in room.splitlines() if "FIRED" in line]
    assert fired.endswith(f"{STORED}, over its 1h30m limit {LABEL}"), room
    # The incidents screen: the title (cut to its column), and below it which clock it is on.
    assert "trigger load-stuck fired" in incidents, incidents
    assert f"INC-1: title in the conductor's words {LABEL}" in incidents, incidents
    # On the plan's own clock there is one zone, and no label.
    room, incidents = await _panes(path, None, size)
    assert STORED in room and "trigger load-stuck fired" in incidents
    assert "(times in" not in room + incidents and "conductor's words" not in incidents


def test_status_tz_labels_the_stored_words_as_the_war_room_does(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    """`cutover status --tz`: the verdict's rule and the FIRED line quoting the stored reason,
    and the incident's title, were unlabelled GMT times among IST ones; so were `w`'s rules
    and the toasts in the war room (the label is added where the schedule is judged for a
    viewer, engine/triggers.py)."""
    path = _fired_then_ticked_off(tmp_path)
    run = Journal(path).run_id
    clock = FixedClock(at(150))
    monkeypatch.setattr(run_commands, "run_clock", lambda journal, speed=None: clock)
    capsys.readouterr()
    assert main(["status", run, "--runs", str(tmp_path), "--tz", "Asia/Kolkata"]) == 0
    out = capsys.readouterr().out
    [fired] = [line for line in out.splitlines() if "FIRED" in line]
    assert f"{STORED}, over its 1h30m limit {LABEL} → rollback" in fired, out
    [rule] = [line for line in out.splitlines() if "trigger: rollback trigger" in line]
    assert f"{STORED}, over its 1h30m limit {LABEL}. Invoke rollback" in rule, out
    [incident] = [line for line in out.splitlines() if "INC-1" in line and "SEV1" in line]
    assert STORED in incident and LABEL in incident, out
    assert main(["status", run, "--runs", str(tmp_path)]) == 0  # one clock: no label
    out = capsys.readouterr().out
    assert STORED in out and "(times in" not in out

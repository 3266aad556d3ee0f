"""Helpers for the war-room tests: a run in memory on tests/plans/warroom.toml, a stopped
clock, and ways to pick a step and fill a form the way a person would."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from textual.widgets import Input, OptionList, RadioSet

from cutover_tui.clocks import FixedClock as StoppedClock
from cutover_tui.engine.events import (
    CheckpointPassed,
    Event,
    GateDecided,
    ReadinessMarked,
    RunStarted,
    StepCompleted,
    StepStarted,
)
from cutover_tui.plan import load_plan
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.screens.form import FormScreen
from cutover_tui.tui.source import MemoryRun

PLAN_PATH = Path(__file__).parent / "plans" / "warroom.toml"
PLAN = load_plan(PLAN_PATH).plan
T0 = PLAN.window.start  # 22:00 Europe/London


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def started(*events: Event) -> list[Event]:
    return [RunStarted(actor="alice", at=T0, plan_id="warroom", key="start"), *events]


def through_backup() -> list:
    """The run started, freeze and backup done: the checkpoint is next."""
    return started(
        StepStarted(actor="dba", at=at(0), step="freeze"),
        StepCompleted(actor="dba", at=at(14), step="freeze"),
        StepStarted(actor="dba", at=at(14), step="backup"),
        StepCompleted(actor="dba", at=at(40), step="backup"),
    )


def through_gate() -> list:
    return [
        *through_backup(),
        CheckpointPassed(actor="dba", at=at(44), step="backup-ok", evidence="ok"),
        ReadinessMarked(actor="carol", at=at(30), item="staff-ready", status="met"),
        GateDecided(actor="alice", at=at(46), step="go", approver="alice", decision="go"),
        GateDecided(actor="sponsor", at=at(47), step="go", approver="sponsor", decision="go"),
    ]


def through_load() -> list:
    """Through the gate; the 1h load started at 22:50 (its trigger: running over 1h30m)."""
    return [*through_gate(), StepStarted(actor="dba", at=at(50), step="load")]


def war_room(actor: str, events: Sequence[Event] = (), now: datetime | None = None) -> WarRoomApp:
    source = MemoryRun(PLAN, actor, events)
    return WarRoomApp(source, StoppedClock(now or at(1)))


def select(app: WarRoomApp, step_id: str) -> None:
    option_list = app.query_one("#now-list", OptionList)
    ids = [option_list.get_option_at_index(i).id for i in range(option_list.option_count)]
    option_list.highlighted = ids.index(step_id)


def fill(app: WarRoomApp, **values: str) -> None:
    """Type into the open form's fields; choice fields take the choice's label."""
    for name, value in values.items():
        widget = app.screen.query_one(f"#field-{name}")
        if isinstance(widget, RadioSet):
            for button in widget.query("RadioButton"):
                if str(button.label) == value:
                    button.value = True
        else:
            assert isinstance(widget, Input)
            widget.value = value


def events_of(app: WarRoomApp) -> list[Event]:
    return list(app.source._events)


def notices(app: WarRoomApp) -> list[str]:
    return [n.message for n in app._notifications]


async def settle(pilot, condition: Callable[[], object], timeout: float = 30.0) -> None:
    """Wait until `condition()` holds, however busy the machine: never a fixed pause.

    Fails with the condition's source when it never holds (a real bug, not a slow host)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not settled within {timeout}s: {condition}")
        await pilot.pause(0.02)


def _form_ready(app: WarRoomApp) -> bool:
    """A form is on screen with every field mounted (a choice field with its choice made)."""
    screen = app.screen
    if not isinstance(screen, FormScreen) or not screen.query("#submit"):
        return False
    for f in screen.spec.fields:
        found = screen.query(f"#field-{f.name}")
        if not found:
            return False
        widget = found.first()
        if isinstance(widget, RadioSet) and widget.pressed_button is None:
            return False
    return True


async def open_form(pilot, app: WarRoomApp, key: str) -> None:
    """Press `key` and wait until its form is there to fill in."""
    await pilot.press(key)
    await settle(pilot, lambda: _form_ready(app))


async def submit_form(pilot, app: WarRoomApp) -> None:
    """Press the form's submit button and wait until it is answered (gone, or an error
    shown). What it set off may still be queued: wait for that on its own condition."""
    form = app.screen
    await pilot.click("#submit")
    await settle(
        pilot,
        lambda: app.screen is not form or str(form.query_one("#form-error").render()).strip(),
    )

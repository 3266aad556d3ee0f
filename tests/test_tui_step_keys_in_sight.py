"""At 80x24 a step key on a tab that hides the Now pane records nothing: it shows the Now tab,
says which step it would act on, and acts on the next press (tui/actions/in_sight.py).

Found by a hostile user pass (2026-12-02): on the Timeline tab `s` restarted the failed
`freeze` (event #6), on the Comms tab `c` completed it (#7), no notice, no confirmation.
"""

from __future__ import annotations

import asyncio

from textual.widgets import Tabs

from cutover_tui.engine.events import StepCompleted, StepFailed, StepStarted
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.source import MemoryRun
from tests.warroom_support import PLAN, StoppedClock, at, events_of, notices, settle, started


def _failed_freeze() -> list:
    return started(
        StepStarted(actor="dba", at=at(0), step="freeze"),
        StepFailed(actor="dba", at=at(5), step="freeze", reason="locks held"),
    )


def _restarted_freeze() -> list:
    return [*_failed_freeze(), StepStarted(actor="alice", at=at(6), step="freeze")]


def _app(events: list | None = None) -> WarRoomApp:
    return WarRoomApp(MemoryRun(PLAN, "alice", events or _failed_freeze()), StoppedClock(at(7)))


def _active(app: WarRoomApp) -> str:
    return str(app.query_one("#pane-tabs", Tabs).active)


async def _press_on_tab(
    tab_key: str, key: str, size: tuple[int, int], *, twice: bool = True, events=None
) -> dict:
    app = _app(events)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot, lambda: app.frame is not None and app.query_one("#now-list"))
        await pilot.press(tab_key)
        await settle(pilot, lambda: app.query_one("#pane-tabs", Tabs).active)
        before = len(events_of(app))
        await pilot.press(key)
        await settle(pilot, lambda: len(events_of(app)) > before or notices(app))
        first = {
            "recorded": events_of(app)[before:],
            "tab": _active(app),
            "notices": notices(app),
        }
        if not twice:
            return first
        await pilot.press(key)  # again, the step in view now
        await settle(pilot, lambda: len(events_of(app)) > before + len(first["recorded"]))
        return {**first, "then": events_of(app)[before + len(first["recorded"]) :]}


def test_s_on_the_timeline_tab_shows_the_step_before_restarting_it() -> None:
    seen = asyncio.run(_press_on_tab("1", "s", (80, 24)))
    assert seen["recorded"] == []
    assert seen["tab"] == "tab-now"
    assert any("freeze" in n and "press the key again" in n for n in seen["notices"])
    assert [(type(e), e.step) for e in seen["then"]] == [(StepStarted, "freeze")]


def test_c_on_the_comms_tab_shows_the_step_before_completing_it() -> None:
    seen = asyncio.run(_press_on_tab("4", "c", (80, 24), events=_restarted_freeze()))
    assert seen["recorded"] == []
    assert seen["tab"] == "tab-now"
    assert any("Freeze payroll changes" in n for n in seen["notices"])
    assert [(type(e), e.step) for e in seen["then"]] == [(StepCompleted, "freeze")]


def test_on_the_now_tab_the_key_acts_at_once() -> None:
    seen = asyncio.run(_press_on_tab("2", "s", (80, 24), twice=False))
    assert [(type(e), e.step) for e in seen["recorded"]] == [(StepStarted, "freeze")]
    assert not any("press the key again" in n for n in seen["notices"])


def test_wide_every_pane_is_shown_and_the_key_acts_at_once() -> None:
    seen = asyncio.run(_press_on_tab("1", "s", (160, 50), twice=False))
    assert [(type(e), e.step) for e in seen["recorded"]] == [(StepStarted, "freeze")]


async def _palette_on_timeline() -> list:
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: app.frame is not None)
        app.action_start("freeze")  # the palette's command names its step
        await settle(pilot, lambda: len(events_of(app)) > 3)
        return events_of(app)[3:]


def test_the_palette_names_its_step_and_acts_on_any_tab() -> None:
    assert [(type(e), e.step) for e in asyncio.run(_palette_on_timeline())] == [
        (StepStarted, "freeze")
    ]


async def _nothing_highlighted_on_timeline() -> dict:
    app = _app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot, lambda: app.frame is not None and app.query_one("#now-list"))
        await pilot.press("1")
        await settle(pilot, lambda: _active(app) == "tab-timeline")
        app.query_one("#now-list").highlighted = None  # as when the chosen step left the list
        await pilot.press("s")
        await settle(pilot, lambda: notices(app))
        return {"tab": _active(app), "notices": notices(app), "recorded": events_of(app)[3:]}


def test_a_step_key_with_nothing_highlighted_shows_the_now_tab_to_highlight_one() -> None:
    """Review (2026-12-02): on the Timeline tab at 80x24 with no step highlighted, `s` said
    "highlight a step in the Now pane first" and left the Now pane out of sight."""
    seen = asyncio.run(_nothing_highlighted_on_timeline())
    assert seen["recorded"] == []
    assert seen["tab"] == "tab-now"
    assert any("highlight a step" in n for n in seen["notices"])

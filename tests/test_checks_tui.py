"""The war room's x (ask for a checkpoint's check) and H (the health screen), with Pilot;
a snapshot of the health screen."""

from __future__ import annotations

import io

from rich.console import Console

from cutover_tui.engine.events import CheckpointFailed, ProbeSampled, RunStarted, StepStarted
from cutover_tui.plan import parse_plan
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.screens.health import HealthScreen, health_parts, sparkline
from cutover_tui.tui.source import MemoryRun
from tests.checks_support import checks_plan, py_check
from tests.journal_support import at
from tests.warroom_support import StoppedClock, events_of, notices, select, settle

SIZE = (160, 48)
PROBE = """
[[probe]]
id = "shop"
title = "The shop answers"
[probe.check]
type = "http"
url = "http://127.0.0.1:9/health"
"""
SHOWN = "/usr/bin/python3"  # only shown here (MemoryRun runs no check): fixed for the snapshot
PLAN = parse_plan(
    checks_plan(
        {
            "manual": py_check("print('rows=1')", 'expect = "rows == 1"\nauto = false', SHOWN),
            "count": py_check("print('rows=2')", 'expect = "rows == 1"', SHOWN),
        },
        probes=PROBE,
    ),
    name="ck.toml",
).plan


def sample(minute: float, ok: bool, ms: float, detail: str) -> ProbeSampled:
    return ProbeSampled(
        actor="conductor", at=at(minute), probe="shop", ok=ok, latency_ms=ms, detail=detail
    )


def night() -> list:
    return [
        RunStarted(actor="boss", at=at(0), plan_id="ck"),
        StepStarted(actor="boss", at=at(1), step="manual"),
        StepStarted(actor="boss", at=at(1), step="count"),
        CheckpointFailed(
            actor="conductor",
            at=at(2),
            step="count",
            evidence="check FAILED: exit 0 in 0.05 s; rows == 1: 2 == 1 FAILS\n\x1b[31mrows=2",
        ),
        sample(1, True, 12, "HTTP 200 in 12 ms"),
        sample(6, True, 40, "HTTP 200 in 40 ms"),
        sample(8, False, 3000, "GET timed out after 3.00 s"),
        sample(11, True, 20, "HTTP 200 in 20 ms"),
    ]


def war_room(actor: str) -> WarRoomApp:
    return WarRoomApp(MemoryRun(PLAN, actor, night()), StoppedClock(at(12)))


async def test_x_asks_the_conductor_for_the_highlighted_checkpoints_check() -> None:
    app = war_room("op")  # the checkpoint's owner
    async with app.run_test(size=SIZE) as pilot:
        select(app, "manual")
        await pilot.press("x")
        await settle(pilot, lambda: events_of(app)[-1].type == "check-requested")
        ask = events_of(app)[-1]
        assert (ask.step, ask.attempt, ask.actor) == ("manual", 1, "op")


async def test_a_watcher_pressing_x_is_refused_in_one_line() -> None:
    app = war_room("eve")
    async with app.run_test(size=SIZE) as pilot:
        select(app, "manual")
        await pilot.press("x")
        await settle(pilot, lambda: any("may not" in n for n in notices(app)))
        assert events_of(app)[-1].type != "check-requested"


async def test_h_shows_probes_and_checks_inert() -> None:
    app = war_room("eve")  # everyone may look
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("H")
        await settle(pilot, lambda: isinstance(app.screen, HealthScreen))
        console = Console(width=150, record=True, file=io.StringIO())
        for part in health_parts(app.screen.state):  # what the screen's Statics show
            console.print(part)
        text = console.export_text()
        assert "shop" in text and "green" in text and "22:11" in text and "▃█✗▄" in text
        assert "rows == 1: 2 == 1 FAILS" in text
        assert "\x1b" not in text
        await pilot.press("escape")
        await settle(pilot, lambda: not isinstance(app.screen, HealthScreen))


def test_the_sparkline_marks_red_samples_and_scales_latency() -> None:
    line = sparkline([sample(1, True, 10, ""), sample(2, True, 40, ""), sample(3, False, 0, "")])
    assert line.plain == "▂█✗"


def test_the_health_screen_says_when_checks_are_off() -> None:
    source = MemoryRun(
        PLAN, "boss", [RunStarted(actor="boss", at=at(0), plan_id="ck", checks=False)]
    )
    head = health_parts(source._state)[0]
    assert "off: this run was started with --no-checks" in head.plain


def test_health_screen_snapshot(snap_compare) -> None:
    assert snap_compare(war_room("boss"), terminal_size=SIZE, press=["H"])

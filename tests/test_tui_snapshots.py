"""SVG snapshots of the war room: scripted scenes, a stopped clock, fixed terminal sizes.

Update after an intended change with `pytest tests/test_tui_snapshots.py --snapshot-update`,
then look at the new SVGs (tests/__snapshots__/) before committing them.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cutover_tui.tui.scenes import SCENES
from cutover_tui.tui.screenshots import scene_app

WIDE, NARROW = (160, 48), (80, 24)


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["160x48", "80x24"])
@pytest.mark.parametrize("scene", list(SCENES))
def test_commander_dashboard(snap_compare, scene: str, size: tuple[int, int]) -> None:
    assert snap_compare(scene_app(scene), terminal_size=size)


@pytest.mark.parametrize("pane", ["2", "3", "4"], ids=["now", "checks", "comms"])
def test_narrow_tabs(snap_compare, pane: str) -> None:
    assert snap_compare(scene_app("late"), terminal_size=NARROW, press=[pane])


def test_operator_sees_own_steps(snap_compare) -> None:
    assert snap_compare(scene_app("on-track", actor="dba"), terminal_size=WIDE)


def test_watcher_view(snap_compare) -> None:
    assert snap_compare(scene_app("late", actor="sponsor"), terminal_size=WIDE)


def test_help_screen(snap_compare) -> None:
    assert snap_compare(scene_app("on-track"), terminal_size=WIDE, press=["question_mark"])


def test_rollback_confirmation_form(snap_compare) -> None:
    assert snap_compare(scene_app("late"), terminal_size=WIDE, press=["r"])


SHOT = """
import asyncio, hashlib, time
from cutover_tui.tui.screenshots import scene_app
async def shot():
    app = scene_app("on-track")
    async with app.run_test(size=(80, 24)) as pilot:
        # Settled, not paused for: the timeline laid out at its size and the screen the same
        # twice running (one pause was not enough for a loaded machine to lay it out).
        timeline, last = app.query_one("#timeline"), None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            await pilot.pause()
            svg = app.export_screenshot()
            if svg == last and timeline.size.height > 0:
                return svg
            last = svg
        raise SystemExit("the screen never settled")
print(hashlib.sha256(asyncio.run(shot()).encode()).hexdigest())
"""


def test_timeline_draws_the_same_in_every_process() -> None:
    # Regression: plotext de-duplicated tick labels through a set, so the axis came out
    # differently depending on the process's hash seed.
    digests = [
        subprocess.run(
            [sys.executable, "-c", SHOT],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(1, 7)
    ]
    assert len(set(digests)) == 1, digests


def test_no_color(snap_compare, monkeypatch) -> None:
    # Textual reads NO_COLOR when the app is made; the level still reads in words and marks.
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(scene_app("late"), terminal_size=WIDE)


def test_why_screen(snap_compare) -> None:
    assert snap_compare(scene_app("late"), terminal_size=WIDE, press=["w"])

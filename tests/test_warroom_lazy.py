"""The war room's first frame does not wait for modules only later work needs (issue 14).

`cutover run` on a real journal, with its conductor, in a fresh interpreter (headless): when
the first frame is shown, numpy (the odds), APScheduler (the conductor's jobs) and Jinja2
(messages) are not imported yet; then the odds arrive and the conductor starts, so they were
loaded on the way, after the frame. Nor are what a check or a message needs only when one
runs or goes out (ctypes for the checks' prctl, HTTP, SMTP, email, urllib: `clock/probing.py`,
`clock/network_checks.py`, `comms/channels.py`), though the conductor every war room makes
imports the first and the last. Nor is
the search for the rehearsals' prior (rehearse/prior_history.py): the odds read it when they
first need it, in the worker after the frame. Structural, not a timing: the probe reports sys.modules.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.journal_support import new_run

ROOT = Path(__file__).resolve().parent.parent
# The rehearsals' prior is searched for when the odds first need it (tui/odds.py make_prior).
PRIOR_SEARCH = "cutover_tui.rehearse.prior_history"
LATER = ("numpy", "apscheduler", "jinja2", "cutover_tui.engine.forecast", PRIOR_SEARCH)
# Loaded by a check or a message when one runs, never for the first frame.
WHEN_USED = ("ctypes", "http.client", "smtplib", "email.message", "urllib.request")
# Screens a key opens, not on the first frame: imported when opened.
SCREENS = ("aftercare", "comms", "foresight", "health", "incidents")
# Above FIRST_INLINE_CELLS (tui/odds.py: 100 steps x 500 nights) the first odds come from a
# worker after the first frame; a smaller plan works them out with it, numpy included.
STEPS = 150

PROBE = """
import json, sys, time
from cutover_tui.tui.app import WarRoomApp

LATER = LATER_NAMES + WHEN_USED_NAMES
SCREENS = SCREEN_NAMES
seen = {}
show, run = WarRoomApp._show, WarRoomApp.run


def loaded():
    return sorted(name for name in LATER if name in sys.modules)


def first_show(self, frame, new):
    if "first_frame" not in seen:  # before the odds are asked and the conductor starts
        seen["first_frame"] = loaded()
        seen["screens"] = sorted(
            name for name in SCREENS if f"cutover_tui.tui.screens.{name}" in sys.modules
        )
        deadline = time.monotonic() + 60

        def check():
            conducting = self.conductor is not None and self.conductor._scheduler is not None
            if (self.odds.sight is not None and conducting) or time.monotonic() > deadline:
                seen["odds"] = self.odds.sight is not None
                seen["conducting"] = conducting
                seen["later"] = loaded()
                self.exit()

        self.set_interval(0.05, check)
    show(self, frame, new)


WarRoomApp._show = first_show
WarRoomApp.run = lambda self, **kw: run(self, headless=True, size=(160, 48))
from cutover_tui.tui.boot import WarRoomBoot  # `cutover run RUN` starts it (tui/boot.py)

WarRoomBoot.run = lambda self, **kw: run(self, headless=True, size=(160, 48))
from cutover_tui.cli import main

code = main(sys.argv[1:])
print(json.dumps({"code": code, **seen}))
""".replace("LATER_NAMES", repr(LATER)).replace("SCREEN_NAMES", repr(SCREENS))
PROBE = PROBE.replace("WHEN_USED_NAMES", repr(WHEN_USED))


def test_cutover_run_shows_its_first_frame_before_numpy_apscheduler_and_jinja2(
    tmp_path: Path,
) -> None:
    journal = new_run(tmp_path / "runs", steps=STEPS)
    run_id = journal.run_id
    journal.close()
    result = subprocess.run(
        [sys.executable, "-c", PROBE, "run", run_id, "--runs", str(tmp_path / "runs")],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["code"] == 0
    assert report["first_frame"] == []
    assert report["screens"] == []
    # Then the odds were worked out and the conductor started: what was deferred still runs.
    assert report["odds"] and report["conducting"]
    assert {"numpy", "apscheduler", "cutover_tui.engine.forecast"} <= set(report["later"])
    assert PRIOR_SEARCH in report["later"]  # the prior was read on the way to the odds


def test_the_odds_of_a_deferred_forecaster_are_those_of_cutover_status() -> None:
    """The app's forecaster, made on first use, is the one every process makes for the run."""
    from cutover_tui.engine.verdict import FORECAST_ITERATIONS, forecaster_for
    from cutover_tui.tui.odds import OddsKeeper

    made: list[str] = []

    def make():
        made.append("made")
        return forecaster_for("r-1")

    keeper = OddsKeeper(None, None, make=make, iterations=FORECAST_ITERATIONS)
    assert keeper.has_forecaster and made == []  # asking whether there are odds makes nothing
    forecaster = keeper.forecaster
    assert forecaster is keeper.forecaster and made == ["made"]  # made once
    same = forecaster_for("r-1")
    assert (forecaster.iterations, forecaster.seed) == (same.iterations, same.seed)
    assert not OddsKeeper(None, None).has_forecaster


def test_a_prior_made_on_first_use_is_made_once_and_a_given_one_stands() -> None:
    from cutover_tui.tui.odds import OddsKeeper

    asked: list[int] = []

    def make_prior():
        asked.append(1)
        return None

    keeper = OddsKeeper(None, None, make_prior=make_prior)
    assert asked == []  # nothing read until the odds ask
    assert keeper.prior is None and keeper.prior is None and asked == [1]
    given = OddsKeeper(None, None, make_prior=make_prior)
    given.prior = None  # set outright: the maker is never called
    assert given.prior is None and asked == [1]


# Before the boot's first frame (tui/boot.py): none of what the sketch does not need.
HEAVY = (
    "pydantic",
    "cutover_tui.plan.model",
    "cutover_tui.engine.events",
    "cutover_tui.engine.state",
    "cutover_tui.engine.schedule",
    "cutover_tui.journal.store",
    "cutover_tui.clock.conductor",
    "cutover_tui.tui.app",
)
BOOT_PROBE = """
import json, sys, time
from cutover_tui.tui import boot

HEAVY = HEAVY_NAMES
seen = {}
sketch, run = boot.WarRoomBoot.show_sketch, boot.WarRoomBoot.run


def first_sketch(self, width=None):
    sketch(self, width)
    if "first_frame" in seen or self.taken_over:
        return
    seen["first_frame"] = sorted(name for name in HEAVY if name in sys.modules)
    seen["sketch"] = [
        self.query_one(f"#status-{name}").text.plain
        for name in ("left", "clock", "right", "figures")
    ]
    deadline = time.monotonic() + 60

    def check():
        if getattr(self, "frame", None) is not None or time.monotonic() > deadline:
            seen["class"] = type(self).__name__
            seen["status"] = self.query_one("#status").plain
            self.exit()

    self.set_interval(0.05, check)


boot.WarRoomBoot.show_sketch = first_sketch
import cutover_tui.cli.warroom_boot as warroom_boot

warroom_boot.on_a_terminal = lambda: True  # headless here: drawn as on the terminal
boot.WarRoomBoot.run = lambda self, **kw: run(self, headless=True, size=(160, 48))
from cutover_tui.cli import main

code = main(sys.argv[1:])
print(json.dumps({"code": code, **seen}))
""".replace("HEAVY_NAMES", repr(HEAVY))


def test_cutover_run_paints_the_runs_facts_before_pydantic_the_models_and_the_engine(
    tmp_path: Path,
) -> None:
    """Issue 14: the first frame of `cutover run RUN` comes before the heavy imports, and
    says only what the file says; then the war room takes over the same App."""
    from tests.journal_support import worked

    path = worked(tmp_path / "runs")  # one step of four done: its facts are known
    result = subprocess.run(
        [sys.executable, "-c", BOOT_PROBE, "run", path.stem, "--runs", str(tmp_path / "runs")],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["code"] == 0
    assert report["first_frame"] == []  # nothing heavy before the first frame
    left, clock, right, figures = report["sketch"]
    assert left == " cutover · LIVE · Journal test"
    assert clock.strip().endswith("UTC")  # the plan's zone, read from its [plan] table
    assert "conductor: none" in right
    assert figures == " 1 of 6 steps done │ working out the schedule…"
    # Then the war room took over the same App, its own status line in the sketch's place.
    assert report["class"] == "WarRoomApp"
    assert report["status"].startswith(" cutover · LIVE · Journal test")

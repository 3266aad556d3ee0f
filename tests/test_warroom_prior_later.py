"""The war room reads the rehearsals' prior when its odds first need it, not before the screen
opens (issue 14: the rehearsal search ran before the first frame). `cutover run` on a real
journal in a fresh interpreter (headless), a plan above FIRST_INLINE_CELLS so its first odds
come from a worker: at the first frame the search (rehearse/prior_history.py) has not been
imported; then the odds arrive, with the prior read on the way. Structural: sys.modules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.journal_support import new_run

ROOT = Path(__file__).resolve().parent.parent
SEARCH = "cutover_tui.rehearse.prior_history"

PROBE = """
import json, sys, time
from cutover_tui.tui.app import WarRoomApp

seen = {}
show, run = WarRoomApp._show, WarRoomApp.run


def first_show(self, frame, new):
    if "first_frame" not in seen:
        seen["first_frame"] = "SEARCH" in sys.modules
        deadline = time.monotonic() + 60

        def check():
            if self.odds.sight is not None or time.monotonic() > deadline:
                seen["odds"] = self.odds.sight is not None
                seen["later"] = "SEARCH" in sys.modules
                self.exit()

        self.set_interval(0.05, check)
    show(self, frame, new)


WarRoomApp._show = first_show
WarRoomApp.run = lambda self, **kw: run(self, headless=True, size=(160, 48))
from cutover_tui.cli import main

code = main(sys.argv[1:])
print(json.dumps({"code": code, **seen}))
""".replace("SEARCH", SEARCH)


def test_the_prior_is_read_after_the_first_frame(tmp_path: Path) -> None:
    journal = new_run(tmp_path / "runs", steps=150)
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
    assert report == {"code": 0, "first_frame": False, "odds": True, "later": True}


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

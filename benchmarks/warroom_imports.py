"""What the war room imports before its first frame, beside a bare Textual app's imports.

    .venv/bin/python benchmarks/warroom_imports.py [--runs 7]

Each side runs in a fresh interpreter; the figure is the child's CPU (user + sys, rusage),
median of `--runs`, which a loaded machine inflates less than wall time. The war room's side
imports what `benchmarks/app_real.py`'s child and `cutover run` import (journal, trust guard,
conductor, app) and reports which of the modules only later work needs got loaded (none
should: issue 14). A third side imports only Textual and the core any first frame needs as the
war room is built (pydantic, the plan's and events' models, the engine, the journal): the
floor under the first paint. A fourth imports what `cutover run RUN` imports before its first
frame now (cli/warroom_boot.py, tui/boot.py, journal/first_facts.py: Textual and plain-data
helpers), and reports which of the core's modules got loaded (none should). The package is
byte-compiled first, as `app_real.py` does.
"""

from __future__ import annotations

import argparse
import compileall
import json
import resource
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LATER = ("numpy", "apscheduler", "jinja2", "cutover_tui.engine.forecast")

WAR_ROOM = f"""
import json, sys
from cutover_tui.cli.trust_commands import refused_on_broken
from cutover_tui.cli.warroom_commands import rehearsal_prior
from cutover_tui.clock.conductor import Conductor
from cutover_tui.journal.run import JournalRun
from cutover_tui.journal.store import Journal
from cutover_tui.tui.app import WarRoomApp
print(json.dumps(sorted(m for m in {LATER!r} if m in sys.modules)))
"""
# The floor under any first frame as the war room is built today: Textual, and the core that
# folds the run and judges it (pydantic, the plan's and the events' models, the engine, the
# journal), without the panes, the actions, the conductor or the odds (issue 14).
CORE = """
from textual.app import App
from textual.widgets import Footer, Header, Static
from cutover_tui.engine.schedule import schedule
from cutover_tui.engine.state import apply
from cutover_tui.engine.verdict import judge
from cutover_tui.journal.store import Journal
print("[]")
"""
# What `cutover run RUN` imports before its first frame (the boot's sketch, tui/boot.py).
HEAVY = (
    "pydantic",
    "cutover_tui.engine.state",
    "cutover_tui.journal.store",
    "cutover_tui.plan.model",
)
BOOT = f"""
import json, sys
from cutover_tui.cli import main
from cutover_tui.cli.warroom_boot import boot_war_room
from cutover_tui.clocks import AcceleratedClock
from cutover_tui.journal.first_facts import read_first_facts
from cutover_tui.tui.boot import WarRoomBoot
print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
"""
BARE = """
from textual.app import App
from textual.widgets import Footer, Header, Static
print("[]")
"""


def cpu_of(code: str) -> tuple[float, list[str]]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    opts = parser.parse_args()
    compileall.compile_dir(ROOT / "cutover_tui", quiet=1)
    bare, core, room, boot, loaded, heavy = [], [], [], [], [], []
    for _ in range(opts.runs):  # interleaved: every side sees the same load
        bare.append(cpu_of(BARE)[0])
        core.append(cpu_of(CORE)[0])
        cpu, loaded = cpu_of(WAR_ROOM)
        room.append(cpu)
        cpu, heavy = cpu_of(BOOT)
        boot.append(cpu)
    b, c, r = statistics.median(bare), statistics.median(core), statistics.median(room)
    f = statistics.median(boot)
    print(f"bare Textual imports      {b:.2f} s CPU (median of {opts.runs})")
    print(
        f"+ the core a frame needs  {c:.2f} s CPU  {c / b:.1f}x  (pydantic, models, engine, journal)"
    )
    print(f"war room's imports        {r:.2f} s CPU  {r / b:.1f}x")
    print(f"loaded before the frame   {', '.join(loaded) or 'none of ' + ', '.join(LATER)}")
    print(f"`cutover run RUN` (boot)  {f:.2f} s CPU  {f / b:.1f}x  (before its first frame)")
    print(f"loaded before the sketch  {', '.join(heavy) or 'none of ' + ', '.join(HEAVY)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

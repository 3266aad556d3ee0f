"""The first frame of a large plan: on the terminal before its schedule is worked out.

At 5,000 or 20,000 steps the first schedule (its graph built cold) and the panes drawn from it
take a second or more, on top of opening the journal; at 320 steps the schedule takes
milliseconds but the frame and the panes drawn from it (a timeline, a line per checkpoint)
still delay the status line by some 70 ms of CPU, a tenth of what the bare Textual app needs
for its whole first paint (measured with process-time marks in a pty, issue 14). So above
`DEFER_STEPS` the war room:
1. folds what is recorded (it needs that anyway) and shows the status line from what is
   cheap: the mode, the plan's title, who is looking, the conductor, the wall clock, how many
   steps are done, and "working out the schedule…" where the verdict and figures go;
2. works out the schedule in a worker thread (its caches stay warm on the state: the frame
   made afterwards on the UI thread reuses them), holding the journal's polls and keys that
   act on the run meanwhile (the state is read by one thread at a time);
3. then makes the whole frame as it always did: every pane's content is what it would have
   been had it been worked out at once.

Plans up to `DEFER_STEPS` (the screenshots' and the tests', 40 steps at most) are worked
out at once: their whole first frame costs a few milliseconds more than the sketch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.text import Text

from ..engine.state import RunState
from .frame import Frame
from .widgets.status import Cell, StatusBar, headline

DEFER_STEPS = 100  # above this, the first schedule is worked out after the first frame
SCHEDULE_PENDING = "working out the schedule…"
# What a person may do before the first whole frame: nothing that reads or changes the run.
# help_quit: Ctrl+C says how to quit, never "press again when the frame is whole".
BEFORE_FRAME = frozenset({"quit", "help_quit", "help", "command_palette"})
# Said when a key held back before the first whole frame is pressed: not silence.
HELD_BACK = f"{SCHEDULE_PENDING} press again when the frame is whole"


def deferred(state: RunState) -> bool:
    """Is the first schedule of this run worked out after its first frame?"""
    return len(state.steps) > DEFER_STEPS


@dataclass(frozen=True)
class Sketch:
    """What the first frame of a large plan knows: the folded state, who looks, and when.
    It reads like a Frame for the status line's headline (the same functions, borrowed)."""

    state: RunState
    now: datetime
    actor: str
    tz: tzinfo | None = None

    roles = Frame.roles
    role_label = Frame.role_label
    zone = Frame.zone
    clock = Frame.clock
    person = Frame.person


def wall_clock(sketch: Sketch) -> Text:
    """The wall clock as the status line shows it, in the zone times are shown in, named."""
    tz = sketch.now.astimezone(sketch.zone).strftime("%Z")
    return Text(f"  {sketch.clock(sketch.now, seconds=True)} {tz}", "bold")


def figures(sketch: Sketch) -> Text:
    """Line 2 before the schedule: how far the run is, and that the rest is coming."""
    state = sketch.state
    active = state.active_ids()
    done = sum(1 for sid in active if state.status[sid].closed)
    total = len(active)
    return Text.assemble(f" {done:,} of {total:,} steps done │ ", (SCHEDULE_PENDING, "dim italic"))


def show_sketch(
    bar: StatusBar, sketch: Sketch, conductor: str, read_only: bool, moved: str | None = None
) -> None:
    """The status line of a first frame made before its schedule; `moved` (the run moved away
    from this file, an inert line) in place of its phase and figures, as the whole frame says."""
    width = bar.app.size.width  # the bar spans the screen; on a resize it is laid out later
    left, right = headline(sketch, conductor, width, read_only, moved)  # type: ignore[arg-type]
    bar.query_one("#status-left", Cell).set(left)
    bar.query_one("#status-clock", Cell).set(wall_clock(sketch))
    bar.query_one("#status-right", Cell).set(right)
    line = Text(f" {moved} ", "bold white on red") if moved else figures(sketch)
    bar.query_one("#status-figures", Cell).set(line)


__all__ = [
    "BEFORE_FRAME",
    "DEFER_STEPS",
    "HELD_BACK",
    "SCHEDULE_PENDING",
    "Sketch",
    "deferred",
    "show_sketch",
]

"""The two status lines: where we are, will we make it, when must rollback start."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.widgets import Static

from ..frame import LEVEL_STYLE, Frame, dur

PHASE_LABEL = {
    "not-started": ("NOT STARTED", "bold"),
    "running": ("LIVE", "bold green"),
    "rollback": ("ROLLING BACK", "bold white on red"),
    "ended": ("ENDED", "bold"),
}


def headline(frame: Frame, conductor: str, width: int) -> Text:
    """Line 1: product, plan, mode, wall clock, who is looking, conductor health."""
    state = frame.state
    label, style = PHASE_LABEL[state.phase]
    if state.phase == "running" and state.mode == "rehearsal":
        label, style = "REHEARSAL", "bold cyan"
    if state.phase == "ended" and state.outcome:
        label = f"ENDED · {state.outcome}"
    tz = frame.now.astimezone(state.plan.zone).strftime("%Z")
    # The mode before the title: on a narrow terminal the title is what gets cut short.
    left = Text.assemble((" cutover", "bold"), " · ", (label, style), " · ", state.plan.plan.title)
    right = Text.assemble(
        (f"{frame.clock(frame.now, seconds=True)} {tz}", "bold"),
        "   ",
        (f"{frame.person(frame.actor)}: {frame.role_label}", ""),
    )
    if width >= 110:
        right.append(
            f"   conductor: {conductor}", "dim" if conductor.startswith("ok") else "yellow"
        )
    return _spread(left, right, width)


def figures(frame: Frame, width: int) -> Text:
    """Line 2: window, projection and delta, odds, buffer, and the rollback point."""
    sched, state = frame.sched, frame.state
    window = state.plan.window
    level_style = LEVEL_STYLE[sched.level]
    left_in_window = max(timedelta(0), window.end - frame.now)
    delta = sched.delta
    projected = Text.assemble(
        "projected ",
        (frame.clock(sched.projected_finish), f"bold {level_style}"),
        (f" ({dur(delta, signed=True)})", level_style),
    )
    rollback = _rollback_text(frame)
    if width < 110:
        return Text.assemble(" ", projected, " │ ", rollback)
    parts = [
        Text(
            f" window {frame.clock(window.start)}→{frame.clock(window.end)}  left {dur(left_in_window)}"
        ),
        projected,
        Text.assemble("buffer ", (dur(sched.buffer_left), level_style)),
        Text(f"{sched.percent_done:.0%} done"),
        rollback,
    ]
    return Text(" │ ").join(parts)


def _rollback_text(frame: Frame) -> Text:
    sched, state = frame.sched, frame.state
    if state.phase == "rollback":
        due = sched.rollback_deadline
        return Text.assemble(
            ("ROLLBACK", "bold red"),
            f" since {frame.clock(state.rollback_at)}, restore by {frame.clock(due)}",
        )
    if not state.rollback_order:
        return Text("no rollback planned", "dim")
    by = sched.last_safe_rollback_start
    left = by - frame.now
    if left < timedelta(0):
        return Text(f"ROLLBACK POINT PASSED {frame.clock(by)}", "bold red")
    style = "bold red" if left < state.plan.window.warning else "bold"
    fired = [f for f in sched.fired if f.action == "rollback"]
    if fired:
        style = "bold white on red"
    return Text.assemble((f"ROLLBACK BY {frame.clock(by)}", style), f" (in {dur(left)})")


def _spread(left: Text, right: Text, width: int) -> Text:
    """Left and right on one line; the left part is cut short first when space runs out."""
    room = width - right.cell_len - 2
    if left.cell_len > room:
        left.truncate(max(room, 0), overflow="ellipsis")
    gap = max(1, width - left.cell_len - right.cell_len - 1)
    return Text.assemble(left, " " * gap, right)


class StatusBar(Static):
    """Two lines at the top; repaints only when their text changes (every byte counts on SSH)."""

    DEFAULT_CSS = """
    StatusBar { height: 2; background: $panel; }
    """

    def show(self, frame: Frame, conductor: str) -> None:
        width = self.size.width or self.app.size.width
        text = Text("\n").join([headline(frame, conductor, width), figures(frame, width)])
        text.no_wrap = True
        text.overflow = "ellipsis"
        if text.plain != getattr(self, "_last_plain", None) or text.spans != getattr(
            self, "_last_spans", None
        ):
            self._last_plain, self._last_spans = text.plain, list(text.spans)
            self.update(text)

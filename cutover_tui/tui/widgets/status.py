"""The two status lines: where we are, will we make it, when must rollback start."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget

from ..frame import LEVEL_MARK, LEVEL_STYLE, Frame, dur

LEVEL_WORD = {"on-track": "ON TRACK", "at-risk": "AT RISK", "late": "LATE"}
# Light text on a dark badge or dark on light: still legible when NO_COLOR turns it grey.
LEVEL_BADGE = {
    "on-track": "bold black on green",
    "at-risk": "bold black on yellow",
    "late": "bold white on red",
}

PHASE_LABEL = {
    "not-started": ("NOT STARTED", "bold"),
    "running": ("LIVE", "bold green"),
    "rollback": ("ROLLING BACK", "bold white on red"),
    "ended": ("ENDED", "bold"),
}


def headline(
    frame: Frame, conductor: str, width: int, read_only: bool = False
) -> tuple[Text, Text]:
    """Line 1: product, mode and plan on the left; who is looking and the conductor's health
    on the right. The wall clock sits between them in its own cell (see `wall_clock`)."""
    state = frame.state
    label, style = PHASE_LABEL[state.phase]
    if state.phase == "running" and state.mode == "rehearsal":
        label, style = "REHEARSAL", "bold cyan"
    if state.phase == "ended" and state.outcome:
        label = f"ENDED · {state.outcome}"
    # The mode before the title: on a narrow terminal the title is what gets cut short.
    left = Text.assemble((" cutover", "bold"), " · ", (label, style), " · ", state.plan.plan.title)
    right = Text(f"   {frame.person(frame.actor)}: {frame.role_label}")
    if read_only:
        right.append(" (following, read-only)", "bold")
    if width >= 110:
        right.append(
            f"   conductor: {conductor}", "dim" if conductor.startswith("ok") else "yellow"
        )
    right.append(" ")
    return left, right


def wall_clock(frame: Frame) -> Text:
    tz = frame.now.astimezone(frame.state.plan.zone).strftime("%Z")
    return Text(f"  {frame.clock(frame.now, seconds=True)} {tz}", "bold")  # a gap after a cut title


def figures(frame: Frame, width: int) -> Text:
    """Line 2: the alarm level, projection and delta, the odds, buffer, and the rollback point."""
    sched, state = frame.sched, frame.state
    window = state.plan.window
    level = frame.level
    sched_style = LEVEL_STYLE[sched.level]
    left_in_window = max(timedelta(0), window.end - frame.now)
    # The level in words and a mark, not only a colour: NO_COLOR terminals and colour-blind
    # readers get the same answer. It follows the odds at tonight's pace (`w` says why).
    badge = Text(f" {LEVEL_MARK[level]} {LEVEL_WORD[level]} ", LEVEL_BADGE[level])
    projected = Text.assemble(
        "projected " if width >= 110 else "",
        (frame.clock(sched.projected_finish), f"bold {sched_style}"),
        # Whole minutes: a delta ticking by the second would repaint the line every second.
        (f" ({dur(_minutes(sched.delta), signed=True)})", sched_style),
    )
    odds = _odds_text(frame, short=width < 110)
    rollback = _rollback_text(frame)
    if width < 110:
        return Text.assemble(badge, " ", projected, " ", odds, " │ ", rollback)
    window_text = Text(
        f" window {frame.clock(window.start)}→{frame.clock(window.end)}  left {dur(left_in_window)}"
    )
    parts = [
        window_text,
        Text.assemble(badge, " ", projected),
        odds,
        Text.assemble("buffer ", (dur(sched.buffer_left), sched_style)),
        Text(f"{sched.percent_done:.0%} done"),
        rollback,
    ]
    if state.phase == "rollback":
        # Rolling back, the restore deadline is what matters: it goes first, nothing is cut.
        parts = [Text.assemble(" ", rollback), Text.assemble(badge, " ", projected), *parts[2:4]]
    return Text(" │ ").join([p for p in parts if p.plain])


def _minutes(delta: timedelta) -> timedelta:
    return timedelta(minutes=round(delta / timedelta(minutes=1)))


def _odds_text(frame: Frame, short: bool) -> Text:
    sight = frame.foresight
    if sight is None:
        return Text()
    style = LEVEL_STYLE[sight.level]
    chance = Text(f"{sight.p_in_window:.0%}", f"bold {style}")
    if short:
        return chance
    return Text.assemble(chance, " in window · P80 ", (frame.clock(sight.p80), style))


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


class Cell(Widget):
    """One piece of a status line. It repaints only itself, only when its text changes, and
    never asks for a relayout: the wall clock ticking costs a dozen bytes a second, not two
    full lines (every byte counts over SSH)."""

    DEFAULT_CSS = """
    Cell { height: 1; width: 1fr; }
    Cell.-fit { width: auto; }
    """

    def __init__(self, *, fit: bool = False, id: str | None = None) -> None:
        super().__init__(id=id, classes="-fit" if fit else "")
        self._text = Text()

    def set(self, text: Text) -> None:
        text.no_wrap = True
        text.overflow = "ellipsis"
        if text.plain == self._text.plain and text.spans == self._text.spans:
            return
        resized = text.cell_len != self._text.cell_len
        self._text = text
        # A fitted cell changes size with its text; others keep their place.
        self.refresh(layout=resized and self.has_class("-fit"))

    def get_content_width(self, container, viewport) -> int:
        return self._text.cell_len

    def render(self) -> Text:
        return self._text


class StatusBar(Vertical):
    """Two lines at the top: where we are, will we make it, when must rollback start."""

    DEFAULT_CSS = """
    StatusBar { height: 2; background: $panel; }
    StatusBar > Horizontal { height: 1; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Cell(id="status-left")
            yield Cell(fit=True, id="status-clock")
            yield Cell(fit=True, id="status-right")
        yield Cell(id="status-figures")

    def show(self, frame: Frame, conductor: str, read_only: bool = False) -> None:
        width = self.size.width or self.app.size.width
        left, right = headline(frame, conductor, width, read_only)
        self.query_one("#status-left", Cell).set(left)
        self.query_one("#status-clock", Cell).set(wall_clock(frame))
        self.query_one("#status-right", Cell).set(right)
        self.query_one("#status-figures", Cell).set(figures(frame, width))

    @property
    def plain(self) -> str:
        """Both lines as text (for tests and logs)."""
        cells = [
            self.query_one(f"#status-{name}", Cell)._text.plain
            for name in ("left", "clock", "right")
        ]
        return " ".join(cells) + "\n" + self.query_one("#status-figures", Cell)._text.plain

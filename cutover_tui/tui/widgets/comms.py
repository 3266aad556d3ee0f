"""The comms log: every event, decision, deviation and message, newest last, filterable."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import RichLog

from ...engine.events import Event
from ...inert import inert_rich
from ...report.narrate import CATEGORIES, narrate, recorded_late
from ..frame import Frame

FILTERS: tuple[str, ...] = ("all", *CATEGORIES)
CATEGORY_STYLE = {
    "step": "",
    "decision": "bold",
    "deviation": "yellow",
    "alert": "bold red",
    "message": "cyan",
    "note": "dim",
}


def log_line(event: Event, frame: Frame) -> Text:
    """`22:50 ▶ load-orders started · Priya Shah`: wraps under its own text when narrow."""
    line = narrate(event)
    who = frame.person(event.actor) if event.actor != "conductor" else "conductor"
    recorded = recorded_late(event)
    late = f" (recorded {frame.clock(recorded)})" if recorded else ""
    return inert_rich(  # the note, reason or evidence a person typed; the plan's names
        Text.assemble(
            (frame.clock(event.at), "dim"),
            f" {line.icon} ",
            (line.text, CATEGORY_STYLE[line.category]),
            (late, "dim"),
            (" · ", "dim"),
            (who, "cyan"),
        ),
        one_line=True,
    )


class CommsLog(RichLog):
    DEFAULT_CSS = """
    CommsLog {
        border: round $primary; border-title-style: bold; background: transparent;
        /* Lines wrap at the width left beside the scrollbar, which is kept whether shown or
           not: lines written before it appeared were clipped under it (80x24). */
        scrollbar-gutter: stable; scrollbar-size-vertical: 1; overflow-x: hidden;
    }
    """

    def __init__(self, **kwargs) -> None:
        # min_width: RichLog renders lines at least 78 wide by default, wider than the log
        # is at 80 columns, so their ends were cut off under the scrollbar.
        super().__init__(wrap=True, auto_scroll=True, max_lines=5000, min_width=20, **kwargs)
        self.events: list[Event] = []
        self.filter = "all"

    def on_mount(self) -> None:
        self._title()

    def _title(self) -> None:
        self.border_title = "Comms log"
        self.border_subtitle = " | ".join(
            f"[b]{name}[/b]" if name == self.filter else name for name in FILTERS
        )

    def _keep(self, event: Event) -> bool:
        return self.filter == "all" or narrate(event).category == self.filter

    def add(self, events: Sequence[Event], frame: Frame) -> None:
        for event in events:
            self.events.append(event)
            if self._keep(event):
                self.write(log_line(event, frame))

    def cycle_filter(self, frame: Frame) -> str:
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]
        self._title()
        self.clear()
        for event in self.events:
            if self._keep(event):
                self.write(log_line(event, frame))
        return self.filter

    def on_resize(self) -> None:
        # Lines written while hidden (a narrow terminal's other tab) are laid out on the
        # first resize; keep the newest in view once they are.
        self.call_after_refresh(self.scroll_end, animate=False)

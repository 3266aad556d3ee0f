"""The comms log: every event, decision, deviation and message, newest last, filterable."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import RichLog

from ...engine.events import Event
from ...report.narrate import CATEGORIES, narrate
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


def log_line(event: Event, frame: Frame, width: int) -> Text:
    line = narrate(event)
    who = frame.person(event.actor) if event.actor != "conductor" else "conductor"
    late = ""
    if event.recorded_at and (event.recorded_at - event.at).total_seconds() > 60:
        late = f" (recorded {frame.clock(event.recorded_at)})"
    body = Text.assemble(
        (frame.clock(event.at), "dim"),
        f" {line.icon} ",
        (line.text, CATEGORY_STYLE[line.category]),
        (late, "dim"),
    )
    tail = Text(who, "cyan")
    gap = width - body.cell_len - tail.cell_len - 1
    if gap > 1:
        return Text.assemble(body, " " * gap, tail)
    return Text.assemble(body, "  ", tail)


class CommsLog(RichLog):
    DEFAULT_CSS = """
    CommsLog { border: round $primary; border-title-style: bold; background: transparent; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(wrap=False, auto_scroll=True, max_lines=5000, **kwargs)
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
        width = max(40, self.scrollable_content_region.width or self.size.width - 2)
        for event in events:
            self.events.append(event)
            if self._keep(event):
                self.write(log_line(event, frame, width))

    def cycle_filter(self, frame: Frame) -> str:
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]
        self._title()
        self.clear()
        width = max(40, self.scrollable_content_region.width or self.size.width - 2)
        for event in self.events:
            if self._keep(event):
                self.write(log_line(event, frame, width))
        return self.filter

"""The comms log: every event, decision, deviation and message, newest last, filterable."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.widgets import RichLog

from ...engine.events import Event
from ...inert import inert_line, inert_rich
from ...journal.pages import kept
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
    line = narrate(event, frame.dated, frame.plan_zone_if_other)  # the room's clock (user pass)
    who = frame.person(event.actor) if event.actor != "conductor" else "conductor"
    recorded = recorded_late(event)
    late = f" (recorded {frame.clock(recorded)})" if recorded else ""
    # Each string inert before it is Text: Rich drops BEL, BS and CR as it builds Text, so
    # inert_rich alone showed a note's "\a" as nothing where the checks pane shows "␇".
    return inert_rich(  # the note, reason or evidence a person typed; the plan's names
        Text.assemble(
            (frame.clock(event.at), "dim"),
            f" {line.icon} ",
            (inert_line(line.text), CATEGORY_STYLE[line.category]),
            (late, "dim"),
            (" · ", "dim"),
            (inert_line(who), "cyan"),
        ),
        one_line=True,
    )


def category(event: Event) -> str:
    """What the filter sorts the event under (report/narrate.py)."""
    return narrate(event).category


class CommsLog(RichLog):
    """The log as a virtual list: only the newest events that fill the pane (and a page more)
    are laid out as lines; scrolling near the top lays out an older page. On a journal the
    events are not kept either: `history` gives the log read a page at a time by event
    number (journal/pages.py), so only the pages shown (and a few more) are ever parsed.
    A 100,000-event run paints as fast as a small one, and a resize lays nothing out again
    (lines keep the width they were laid out at, as RichLog's do)."""

    DEFAULT_CSS = """
    CommsLog {
        border: round $primary; border-title-style: bold; background: transparent;
        /* Lines wrap at the width left beside the scrollbar, which is kept whether shown or
           not: lines written before it appeared were clipped under it (80x24). */
        scrollbar-gutter: stable; scrollbar-size-vertical: 1; overflow-x: hidden;
    }
    """
    PAGE = 100  # entries laid out at a time, at least
    KEEP = 5000  # entries laid out at most while the newest is followed (RichLog's max_lines)

    def __init__(self, **kwargs) -> None:
        # min_width: RichLog renders lines at least 78 wide by default, wider than the log
        # is at 80 columns, so their ends were cut off under the scrollbar.
        super().__init__(wrap=True, auto_scroll=True, min_width=20, **kwargs)
        # A list, or the journal's log read a page at a time (history, journal/pages.py).
        self.events: list[Event] | Sequence[Event] = []
        self.filter = "all"
        self._shown: Sequence[Event] = self.events  # the events the filter keeps
        self._first = 0  # in _shown: the oldest entry laid out
        self._next = 0  # in _shown: the first entry not laid out yet
        self._frame: Frame | None = None  # names and the zone the lines are written in
        self._older = False  # an older page is being laid out
        self._seen_size = Size(0, 0)
        self.unshown = False  # a history given and not laid out yet (the app shows it)

    def on_mount(self) -> None:
        self._title()

    def _title(self) -> None:
        self.border_title = "Comms log"
        self.border_subtitle = " | ".join(
            f"[b]{name}[/b]" if name == self.filter else name for name in FILTERS
        )

    def history(self, log: Sequence[Event]) -> None:
        """The log so far, before any `add`: a paged log is read only where it is shown."""
        self.events = self._shown = log
        self.filter = "all"
        self.unshown = True  # laid out by the first `add`, which brings the names (a frame)

    def _keep(self, event: Event) -> bool:
        return self.filter == "all" or narrate(event).category == self.filter

    def add(self, events: Sequence[Event], frame: Frame) -> None:
        self._frame = frame
        self.unshown = False
        for event in events:
            self.events.append(event)
            if self._shown is not self.events and self._keep(event):
                self._shown.append(event)
        if not self._size_known:
            return  # laid out once the pane has a width (on_resize)
        if len(self._shown) - self._next > self._tail_size():
            self._lay_out_tail()  # a burst: only its newest lines can be seen
            return
        for event in self._shown[self._next :]:
            self.write(log_line(event, frame))
        self._next = len(self._shown)
        if self._next - self._first > self.KEEP and self.is_vertical_scroll_end:
            self._lay_out_tail()  # a long night, followed live: let the oldest lines go

    def cycle_filter(self, frame: Frame) -> str:
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]
        self._title()
        self._frame = frame
        self._shown = (
            self.events if self.filter == "all" else kept(self.events, category, self.filter)
        )
        if self._size_known:
            self._lay_out_tail()
        else:
            self.clear()
            self._first = self._next = 0
        return self.filter

    def plain_lines(self) -> list[str]:
        """The lines laid out, as text (for tests and logs)."""
        return [line.text for line in self.lines]

    # -- the virtual list ----------------------------------------------------------------
    def _tail_size(self) -> int:
        return max(self.PAGE, 2 * self.size.height)

    def _lay_out_tail(self) -> None:
        """Lay out only the newest entries: what fits on screen, twice over."""
        if self._frame is None:
            # Sized before the first frame (a large plan's, worked out in a worker): nothing
            # can be written yet, and marking the history laid out lost it; the first `add`
            # (it brings the frame) lays it out.
            return
        self.clear()
        self._first = self._next = max(0, len(self._shown) - self._tail_size())
        for event in self._shown[self._first :]:
            self.write(log_line(event, self._frame))
        self._next = len(self._shown)

    def _lay_out_older(self) -> None:
        """Lay out the page before the oldest entry shown, above it, keeping the view still."""
        self._older = False
        if self._first == 0 or self._frame is None:
            return
        start = max(0, self._first - self.PAGE)
        newer = self.lines
        self.lines = []  # RichLog.write appends here: collect the older page alone
        for event in self._shown[start : self._first]:
            self.write(log_line(event, self._frame), scroll_end=False)
        added = len(self.lines)
        self.lines.extend(newer)
        self._first = start
        self._line_cache.clear()  # cached by line number, and every number moved
        self.virtual_size = Size(self._widest_line_width, len(self.lines))
        self.scroll_to(y=self.scroll_y + added, animate=False, immediate=True)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if new_value < self.size.height and self._first > 0 and not self._older:
            self._older = True
            self.call_later(self._lay_out_older)

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width and not self._size_known:
            # RichLog's handler, after this one, says the size is known: lay out then.
            self.call_later(self._lay_out_tail)
        # Lines written while hidden (a narrow terminal's other tab) are laid out on the
        # first resize; keep the newest in view once they are. Not when only the lines
        # changed (a Resize too): an older page laid out above the view must not move it.
        if event.size != self._seen_size:
            self._seen_size = event.size
            self.call_after_refresh(self.scroll_end, animate=False)

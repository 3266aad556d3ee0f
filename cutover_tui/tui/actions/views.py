"""What a person looks at, changing nothing in the run: the pane shown (1-4, tabs at 80x24),
the timeline's rows, zoom and pan, the comms log's filter, and the screens for why the alarm
level is what it is, the comms outbox and the help."""

from __future__ import annotations

from textual.widgets import Tabs

from ..keys import help_rows
from ..screens.help import HelpScreen
from ..widgets.comms import CommsLog
from ..widgets.timeline import Timeline
from .core import ActionCore


class ViewActions(ActionCore):
    def action_pane(self, pane: str) -> None:
        self.query_one("#pane-tabs", Tabs).active = f"tab-{pane}"

    def action_filter(self) -> None:
        if self.frame:
            chosen = self.query_one(CommsLog).cycle_filter(self.frame)
            self.notify(f"comms log: {chosen}", timeout=2)

    def action_timeline_rows(self) -> None:
        self.query_one(Timeline).toggle_rows()
        self._redraw_timeline()

    def action_zoom(self, step: int) -> None:
        self.query_one(Timeline).zoom_by(step)
        self._redraw_timeline()

    def action_pan(self, step: float) -> None:
        self.query_one(Timeline).pan_by(step)
        self._redraw_timeline()

    def _redraw_timeline(self) -> None:
        if self.frame:
            self.query_one(Timeline).show(self.frame)

    def action_why(self) -> None:
        if self.frame is not None:  # the verdict is there at every stage, odds or not
            from ..screens.foresight import ForesightScreen  # not on the first frame (issue 14)

            self.push_screen(ForesightScreen(self.frame, self._head))

    def action_comms(self) -> None:
        if self.frame is not None:  # screens/comms.py; sending is `cutover do RUN send`
            from ..screens.comms import CommsScreen  # Jinja2: when the outbox is opened

            self.push_screen(CommsScreen(self.frame))

    def _head(self) -> str | None:
        """The journal's head as published (`cutover verify RUN --expect` checks it later)."""
        journal = getattr(self.source, "journal", None)  # a run in memory has none
        if journal is None:
            return None
        seq, digest = journal.head  # a property of Journal and LockedJournal alike
        return f"{seq}:{digest[:16]}"

    def action_help(self) -> None:
        self.push_screen(HelpScreen(help_rows()))

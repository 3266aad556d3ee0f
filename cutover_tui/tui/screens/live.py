"""A modal screen that shows the war room's latest frame, not the one it opened on.

`w`, `C` and `V` opened on a frame and kept it: the status line above moved on while `w`
still said the finish of a minute ago (a second voice on one screen), and the comms screen
numbered drafts from a list that had changed since (pressing 1 could send a draft the
screen had never shown). The app hands each new frame to every such screen in its stack
(`follow_frame`, from `WarRoomApp._show`, so in the same refresh as the status line),
and each Static is updated in place so a reader's scroll position stays.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from textual.screen import ModalScreen
from textual.widgets import Static

from ..frame import Frame


class LiveScreen(ModalScreen):
    """Subclasses set `self.frame` before mounting and say their parts in `parts()`; the
    Statics they yield for those parts carry the class `live-part`, in order."""

    frame: Frame

    def follow_frame(self, frame: Frame) -> None:
        """Redraw from `frame`, the app's newest."""
        if frame is self.frame:
            return
        self.frame = frame
        self.show_parts(self.parts())

    def parts(self) -> Sequence[RenderableType]:
        raise NotImplementedError

    def show_parts(self, parts: Sequence[RenderableType]) -> None:
        """Each part into its Static; a part more or fewer than before is mounted or removed
        at the end (the optional lines of `w`, say)."""
        statics = list(self.query(".live-part").results(Static))
        for widget, part in zip(statics, parts, strict=False):
            widget.update(part)
        for widget in statics[len(parts) :]:
            widget.remove()
        extra = [Static(part, classes="live-part") for part in parts[len(statics) :]]
        if extra:
            place = statics[-1] if statics else None
            container = place.parent if place is not None else self.query_one("VerticalScroll")
            container.mount_all(extra, after=place)

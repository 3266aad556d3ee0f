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
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..frame import Frame


class LiveScreen(ModalScreen):
    """Subclasses set `self.frame` before mounting, say their parts in `parts()`, and yield
    `self.part_statics()` where the parts go."""

    frame: Frame

    def part_statics(self, ids: Sequence[str | None] = ()) -> list[Static]:
        """A Static per part (the first ones with `ids`), remembered: a removal is not done
        until a later refresh, so a query would still find a Static being removed (review:
        parts 5, then 2, then 5 again left 2 on screen)."""
        self._statics = [
            Static(part, id=ids[n] if n < len(ids) else None, classes="live-part")
            for n, part in enumerate(self.parts())
        ]
        return list(self._statics)

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
        statics = self._statics
        for widget, part in zip(statics, parts, strict=False):
            widget.update(part)
        for widget in statics[len(parts) :]:
            widget.remove()
        extra = [Static(part, classes="live-part") for part in parts[len(statics) :]]
        self._statics = statics[: len(parts)] + extra
        if extra:
            place = statics[-1] if statics else None
            self.query_one(VerticalScroll).mount_all(extra, after=place)

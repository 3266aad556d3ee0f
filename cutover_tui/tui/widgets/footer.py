"""The footer: the keys this person may use, and `? help` always in view.

A watcher's footer lists only what a watcher may do (the other keys stay bound, so pressing
one says at once who may). On a narrow terminal the footer shows the keys whose labels fit,
`NARROW_FIRST` served first (help and quit, then the step keys and rollback), and leaves the
rest to `? help` and the palette: at 80x24 a row of bare letters (`f p g u k a m n r E`)
told nobody anything (hostile user pass, 2026-12-02).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

ALWAYS_LABELLED = ("help", "quit")
# Served first when not every key fits: help and quit, then what a night turns on.
NARROW_FIRST = (*ALWAYS_LABELLED, "start", "complete", "fail", "rollback", "note", "why")


def fit_labels(keys: list[tuple[str, str, str]], width: int) -> set[str]:
    """The actions (of (action, key shown, label)) the footer shows, labelled, in `width`
    columns; the others are left to `? help` and the palette.

    Every key takes its key and a column either side, a label its length and a space more.
    `NARROW_FIRST` is served first, then the others in order, each that still fits."""
    rank = {action: i for i, action in enumerate(NARROW_FIRST)}
    ordered = sorted(keys, key=lambda k: rank.get(k[0], len(rank)))  # stable: table order
    used = 0
    shown: set[str] = set()
    for action, key, label in ordered:
        cost = len(key) + 2 + (len(label) + 1 if label else 0)
        if used + cost <= width:
            used += cost
            shown.add(action)
    return shown


class RoleFooter(Footer):
    """Textual's footer, showing only the keys `shows(action)` allows, labelled as they fit."""

    def __init__(self, shows: Callable[[str], bool], **kwargs) -> None:
        # ':cmd' is in the footer already; ctrl+p, bound beside it, needs no second place.
        kwargs.setdefault("show_command_palette", False)
        super().__init__(**kwargs)
        self.shows = shows
        self._width = 0
        self._recompose_asked = False

    def compose(self) -> ComposeResult:
        keys = [k for k in _keys(super().compose()) if self.shows(k.action)]
        width = self.size.width or self.app.size.width
        shown = fit_labels([(k.action, k.key_display, k.description) for k in keys], width)
        keys = [key for key in keys if key.action in shown]
        for key in keys:
            if not key.has_class("-command-palette"):  # Footer data-binds these to its own
                # `compact`: set it first, or each key mounts compact and restyles twice
                key.set_reactive(FooterKey.compact, self.compact)
        self.styles.grid_size_columns = len(keys)
        yield from keys

    def on_resize(self) -> None:
        if self.size.width != self._width:
            self._width = self.size.width
            self._recompose_soon()

    def bindings_changed(self, screen: Screen) -> None:
        """As Footer's, but one recompose for a burst of changes: at start-up the focus
        moves, the size is first known and the bindings change within one refresh, and each
        used to compose and mount every key again (five times, issue 14)."""
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._recompose_soon()

    def _recompose_soon(self) -> None:
        if not self._recompose_asked:
            self._recompose_asked = True
            self.call_after_refresh(self._recompose_once)

    async def _recompose_once(self) -> None:
        self._recompose_asked = False  # what changes from here on is composed again
        await self.recompose()


def _keys(widgets: Iterable[Widget]) -> list[FooterKey]:
    return [w for w in widgets if isinstance(w, FooterKey)]


__all__ = ["RoleFooter", "fit_labels"]

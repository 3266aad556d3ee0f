"""Toasts that make way: never over the status lines, and a pile collapses into one line.

At 80x24 four toasts stacked up from the footer hid half the screen, the status lines with
it. The rack is kept below the status lines (warroom.tcss caps its height), and beyond
`MAX_TOASTS` the oldest are put away into one toast that counts them.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text
from textual.app import App
from textual.notifications import Notification

MAX_TOASTS = 3  # on screen at once, the count of those put away included
SHORT_TOASTS = 2  # the same on a short terminal (below SHORT_ROWS rows)
SHORT_ROWS = 34  # where the panes become tabs (README: below 120x34)
PUT_AWAY = "Put away"  # the title of the toast that counts the others
# A toast's geometry (Textual's Toast and ToastRack, warroom.tcss): 60 wide at most, half the
# rack (the screen less its scrollbar); a border and two cells of padding; a margin, the
# title and a padding row above and below; the rack at most 75% of the screen, 1 row above
# the footer. Rows kept in the rack for the toast that comes next (a one-line one).
TOAST_WIDTH, TOAST_SIDES, TOAST_CHROME, RACK_SHARE, NEXT_TOAST = 60, 3, 4, 0.75, 5
_MEASURE = Console(file=io.StringIO(), width=200)  # wraps text the way the toast does


def toast_limit(rows: int) -> int:
    """How many toasts a terminal `rows` high shows at once.

    Textual's rack keeps its top in view when the toasts outgrow it: at 80x24 three
    refusals did, and the newest, the answer to the key just pressed, showed its title only.
    Two fit under the cap (the newest and the count of those put away)."""
    return SHORT_TOASTS if rows < SHORT_ROWS else MAX_TOASTS


def fit_lines(lines: list[str], columns: int, rows: int, more: str) -> list[str]:
    """As many of `lines` as fit, whole, in one toast on a `columns` x `rows` terminal, with
    room left in the rack for the next toast; the rest counted in a last line, `more`
    formatted with their number (`{n}`). At 80x24 a long catch-up grew past the rack: cut
    mid-line at the bottom, the next toast hidden under it."""
    width = max(10, min(TOAST_WIDTH, (columns - 1) // 2) - TOAST_SIDES)
    room = max(3, int(rows * RACK_SHARE) - TOAST_CHROME - NEXT_TOAST)

    def height(line: str) -> int:
        return len(Text(line).wrap(_MEASURE, width))

    if sum(height(line) for line in lines) <= room:
        return lines
    kept: list[str] = []
    used = 0  # rows the kept lines take
    for i, line in enumerate(lines):
        rest = more.format(n=len(lines) - i)
        if kept and used + height(line) + height(rest) > room:
            return [*kept, rest]
        kept.append(line)
        used += height(line)
    return kept


def keep_few(app: App, limit: int | None = None) -> None:
    """Put away the oldest toasts beyond `limit` (`toast_limit` of the terminal's height),
    counted in one toast of their own.

    Call it after the newest is in (`App.notify` only posts a message: `call_later`)."""
    if limit is None:
        limit = toast_limit(app.size.height)
    live = list(app._notifications)
    if len(live) <= limit:
        return
    earlier = [n for n in live if n.title == PUT_AWAY]
    others = [n for n in live if n.title != PUT_AWAY]
    count = sum(int(n.message.split()[0]) for n in earlier)
    extra = others[: len(others) - (limit - 1)]  # room for the newest and the count
    for notification in [*earlier, *extra]:
        app._unnotify(notification, refresh=False)
    count += len(extra)
    errors = any(n.severity == "error" for n in extra)
    summary = Notification(
        f"{count} earlier {'notice' if count == 1 else 'notices'} put away: "
        "the panes and the comms log show what stands",
        PUT_AWAY,
        "error" if errors else "warning",
        10,
        markup=False,
    )
    app._notifications.add(summary)  # at once, not queued: the next call counts it
    app._refresh_notifications()


def withdraw(app: App, titles: frozenset[str]) -> None:
    """Take down the toasts titled any of `titles` (what they said no longer holds)."""
    gone = [n for n in app._notifications if n.title in titles]
    for notification in gone:
        app._unnotify(notification, refresh=False)
    if gone:
        app._refresh_notifications()


__all__ = ["MAX_TOASTS", "fit_lines", "keep_few", "toast_limit", "withdraw"]

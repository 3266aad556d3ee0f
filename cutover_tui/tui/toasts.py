"""Toasts that make way: never over the status lines, and a pile collapses into one line.

At 80x24 four toasts stacked up from the footer hid half the screen, the status lines with
it. The rack is kept below the status lines (warroom.tcss caps its height), and beyond
`MAX_TOASTS` the oldest are put away into one toast that counts them.
"""

from __future__ import annotations

from textual.app import App
from textual.notifications import Notification

MAX_TOASTS = 3  # on screen at once, the count of those put away included
PUT_AWAY = "Put away"  # the title of the toast that counts the others


def keep_few(app: App, limit: int = MAX_TOASTS) -> None:
    """Put away the oldest toasts beyond `limit`, counted in one toast of their own.

    Call it after the newest is in (`App.notify` only posts a message: `call_later`)."""
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


__all__ = ["MAX_TOASTS", "keep_few"]

"""The war room's "Since you last looked", worked out by a worker after the war room opens
(cli/catch_up_later.py says why: the verdict asked twice with its odds, seconds of CPU on a
large plan) and said once, when ready, as it was said on opening before."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

TITLE = "Since you last looked"


def start_catch_up(app: Any) -> None:
    """The app's `catch_up_later` (set by the command that opened the run), worked out in a
    daemon thread; nothing when there is none. Taken once. Not a Textual thread worker:
    those run in the event loop's executor, which the interpreter waits for on the way out,
    so a quit soon after opening a large run waited for the catch-up (seconds)."""
    later: Callable[[], list[str]] | None = getattr(app, "catch_up_later", None)
    if later is None:
        return
    app.catch_up_later = None
    threading.Thread(target=_work, args=(app, later), name="catch-up", daemon=True).start()


def _work(app: Any, later: Callable[[], list[str]]) -> None:
    try:
        lines = later()
    except Exception:  # a catch-up that cannot be worked out is not worth a traceback
        return
    if lines:
        with contextlib.suppress(RuntimeError):  # the app closed meanwhile
            app.call_from_thread(say, app, lines)


def say(app: Any, lines: list[str]) -> None:
    app.notify("\n".join(lines), title=TITLE, timeout=30)


__all__ = ["TITLE", "say", "start_catch_up"]

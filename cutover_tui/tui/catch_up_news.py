"""The war room's "Since you last looked", worked out by a worker after the war room opens
(cli/catch_up_later.py says why: the verdict asked twice with its odds, seconds of CPU on a
large plan) and said once, when ready, as it was said on opening before."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

TITLE = "Since you last looked"


def start_catch_up(app: Any) -> None:
    """The app's `catch_up_later` (set by the command that opened the run), worked out in a
    thread worker; nothing when there is none. Taken once."""
    later: Callable[[], list[str]] | None = getattr(app, "catch_up_later", None)
    if later is None:
        return
    app.catch_up_later = None
    app.run_worker(
        lambda: _work(app, later),
        name="catch-up",
        group="catch-up",
        thread=True,
        exit_on_error=False,
    )


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

"""The war room's "Since you last looked", worked out in a daemon thread after the war room
opens (cli/catch_up_later.py says why: the verdict asked twice with its odds, seconds of CPU
on a large plan) and said once, when ready, as it was said on opening before.

That thread shares the interpreter with the UI thread, so it goes last and as gently as it
can (issue 14, the hostile review: the UI loop's p99 lateness doubled while it ran):
- after the first odds: the odds worker's answer is what the status line waits for, so the
  catch-up waits for it (`odds_settled`, or at most GATE_S);
- its thread at the process's own priority, not nice 19: a niced thread that holds the GIL
  is descheduled in favour of every other process on a busy host while the UI thread waits
  for the GIL (priority inversion), and on a loaded machine the catch-up was starved for
  minutes (found by the suite under two busy loops: the toast never came);
- the cyclic collector out of its way: its full passes, woken by the catch-up's allocations
  and made in whichever thread allocates, walked the whole war room's heap holding the GIL
  (0.2-0.4 s each at 5,000 steps, measured with gc.callbacks). So the heap is frozen when
  the catch-up starts (`gc.freeze()`, as the boot's worker does after its fold: what the
  war room holds lives as long as it; reference counting still frees the rest), and the
  collector is paused while it works (plan/gc_pause.py, as the boot's fold is): the pass
  owed after walks only what is new.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable
from typing import Any

from ..plan.gc_pause import gc_paused
from .toasts import fit_lines

TITLE = "Since you last looked"
GATE_S = 120.0  # the longest the catch-up waits for the first odds (odds that never come)


def start_catch_up(app: Any) -> None:
    """The app's `catch_up_later` (set by the command that opened the run), worked out in a
    daemon thread; nothing when there is none. Taken once. Not a Textual thread worker:
    those run in the event loop's executor, which the interpreter waits for on the way out,
    so a quit soon after opening a large run waited for the catch-up (seconds)."""
    later: Callable[[], list[str]] | None = getattr(app, "catch_up_later", None)
    if later is None:
        return
    app.catch_up_later = None
    gc.freeze()  # the war room's heap out of the full passes' walk (the module's docstring)
    gate = app.catch_up_gate = threading.Event()
    if not _odds_pending(app):
        gate.set()
    threading.Thread(target=_work, args=(app, later, gate), name="catch-up", daemon=True).start()


def odds_settled(app: Any) -> None:
    """On the UI thread, when odds land: a catch-up waiting for the first ones may start."""
    gate: threading.Event | None = getattr(app, "catch_up_gate", None)
    if gate is not None:
        gate.set()


def _odds_pending(app: Any) -> bool:
    """Is a worker to bring the first odds (the status line says "working out odds…")?"""
    odds = getattr(app, "odds", None)
    state = getattr(app, "state", None)
    if odds is None or state is None:
        return False
    return bool(odds.running or odds.pending(state))


def _work(app: Any, later: Callable[[], list[str]], gate: threading.Event) -> None:
    gate.wait(GATE_S)
    try:
        with gc_paused():  # its full passes would hold the GIL: the owed one is cheap after
            lines = later()
    except Exception:  # a catch-up that cannot be worked out is not worth a traceback
        return
    if lines:
        with contextlib.suppress(RuntimeError):  # the app closed meanwhile
            app.call_from_thread(say, app, lines)


MORE = "and {n} more: see the panes"  # one row even at 80 columns


def say(app: Any, lines: list[str]) -> None:
    """The catch-up in one toast, cut to whole lines that fit the terminal (toasts.py)."""
    shown = fit_lines(lines, app.size.width, app.size.height, MORE)
    app.notify("\n".join(shown), title=TITLE, timeout=30)


__all__ = ["TITLE", "odds_settled", "say", "start_catch_up"]

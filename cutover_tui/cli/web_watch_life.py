"""How long one browser tab's war room (`cutover web-watch`, started by `cutover serve`
through textual-serve) lives: no longer than its server, and a SIGTERM ends it.

A hostile user pass (2026-12-02) left tab processes spinning at 90-95 % CPU for ever after
both `cutover serve` and the browser had gone: busy in a redraw, the app never reached the
event loop that would have handled SIGTERM, and nothing tied it to its parent. A watcher
holds nothing to save (read-only, no conductor), so it ends at once: on SIGTERM or SIGHUP
from a plain handler (run between bytecodes, busy loop or not; the war room's terminal guard
leaves it in place in a served tab, tui/terminal.py), and when its parent dies (the
kernel's parent-death signal, Linux's PR_SET_PDEATHSIG, as SIGKILL: nothing to wait for).
"""

from __future__ import annotations

import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1


def end_with_parent() -> None:
    """Call first thing in the tab's process."""
    parent = os.getppid()
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _end)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: SIGTERM and SIGHUP still end it
        pass
    if os.getppid() != parent or parent == 1:  # the parent died before the signal was asked for
        os._exit(0)


def _end(signum: int, _frame: object) -> None:
    os._exit(128 + signum)

"""How long one browser tab's war room (`cutover web-watch`, started by `cutover serve`
through textual-serve) lives: no longer than its server, and a SIGTERM ends it.

A hostile user pass (2026-12-02) left tab processes spinning at 90-95 % CPU for ever after
both `cutover serve` and the browser had gone: busy in a redraw, the app never reached the
event loop that would have handled SIGTERM, and nothing tied it to its parent. A watcher
holds nothing to save (read-only, no conductor), so it ends at once: on SIGTERM or SIGHUP
from a plain handler (run between bytecodes, busy loop or not; the war room's terminal guard
leaves it in place in a served tab, tui/terminal.py), and when its parent dies (the
kernel's parent-death signal, Linux's PR_SET_PDEATHSIG, as SIGKILL: nothing to wait for).

And when its browser tab goes (user pass, 2026-12-02): textual-serve then sends the tab a
`quit` meta message, which Textual's web driver posts to the app as ExitApp. A tab closed
while its war room was still starting never ended, and spun on a core until `cutover serve`
ended: Textual's shutdown (8.2.8; a plain App with a Header and a Footer does the same) waits
on the event loop while the screen's message pump lays itself out again and again (a Resize
to itself after each layout, a full redraw each time) without ever yielding to the loop. So
the input thread, which reads `quit` whatever the loop is doing, ends the process itself
(`ending_on_quit`).
"""

from __future__ import annotations

import ctypes
import os
import signal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.driver import Driver

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


def ending_on_quit(driver: type[Driver]) -> type[Driver]:
    """`driver` (the app's driver class), ending the process at once on textual-serve's
    `quit` if it is Textual's web driver; any other driver (a terminal) as it is."""
    from textual.drivers.web_driver import WebDriver

    if not issubclass(driver, WebDriver):
        return driver

    class QuitAtOnce(driver):  # type: ignore[misc, valid-type]  # the driver given, or its subclass
        def on_meta(self, packet_type: str, payload: dict[str, object]) -> None:
            if packet_type == "quit":  # the tab's websocket closed: nothing to save
                os._exit(0)
            super().on_meta(packet_type, payload)

    return QuitAtOnce

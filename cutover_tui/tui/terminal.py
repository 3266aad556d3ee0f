"""The war room's terminal going away: SIGTERM, SIGHUP, and a terminal that hung up.

Leaving cleanly matters twice over: the terminal is put back (alternate screen left, mouse
tracking off), and the conductor lease is released, so another war room conducts at once
instead of after the lease expires. Three ways a war room is told to go:

- SIGTERM (`kill`, a systemd stop, a kiosk being shut down) and SIGHUP (an SSH session that
  dropped, a tmux pane killed: the kernel hangs the terminal up and signals its session);
- a terminal that hung up without a signal: a war room started through `su -c` or a kiosk
  display has no controlling terminal, so nobody sends SIGHUP; its reads return 0 bytes
  forever and Textual's input thread, taking that for piped input, spun at 20-50 % of a core.
  `terminal_alive` asks the terminal itself (tcgetattr fails on a hung-up terminal);
- output that cannot be written (EIO on a hung-up terminal): Textual's writer thread died on
  the first failed write, its queue filled and the app froze in the next write, so it could
  not even exit. `GuardedOutput` swallows the failure and says the terminal is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import termios
from typing import IO, TYPE_CHECKING

from textual.drivers.linux_driver import LinuxDriver

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

CHECK_SECONDS = 0.25  # how soon a hung-up terminal is noticed
SIGNALS = (signal.SIGTERM, signal.SIGHUP)
HUNG_UP = "the terminal hung up"


def terminal_alive(fd: int) -> bool:
    """False once the terminal on `fd` has hung up (or was never one)."""
    try:
        termios.tcgetattr(fd)
    except (termios.error, OSError, ValueError):
        return False
    return True


class GuardedOutput:
    """The terminal's output for Textual's writer thread: a failed write (EIO, the terminal
    hung up) marks the terminal gone and drops what follows, instead of killing the thread."""

    def __init__(self, file: IO[str]) -> None:
        self._file = file
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self._file.write(text)
            except OSError:
                self.gone = True
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._file.flush()
            except OSError:
                self.gone = True

    def fileno(self) -> int:
        return self._file.fileno()

    def isatty(self) -> bool:
        return not self.gone and self._file.isatty()


class WarRoomDriver(LinuxDriver):
    """Textual's Linux driver, writing through `GuardedOutput`."""

    def __init__(self, app: App, **kwargs) -> None:
        super().__init__(app, **kwargs)
        self.output = GuardedOutput(self._file)
        self._file = self.output


def served_to_a_browser() -> bool:
    """A tab of `cutover serve` (textual-serve sets its web driver): no terminal here."""
    return bool(os.environ.get("TEXTUAL_DRIVER"))


def driver_class() -> type[LinuxDriver] | None:
    """The driver for a war room on a POSIX terminal; None: Textual's own choice."""
    if served_to_a_browser():  # served to a browser (cutover serve): its driver
        return None
    return WarRoomDriver if os.name == "posix" else None


class TerminalGuard:
    """Leaves the app cleanly when it is signalled to go or its terminal goes away."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.reason: str | None = None  # why the app was told to leave, for the exit status
        self._fd: int | None = None
        self._installed: list[int] = []
        self._timer: Timer | None = None

    def install(self) -> None:
        """Call from on_mount of a real (not headless) app, on the event loop. Once: the
        boot's guard is the war room's after the takeover (tui/boot.py), installed already."""
        if self._timer is not None:
            return
        loop = asyncio.get_running_loop()
        # A browser tab keeps cli/web_watch_life.py's handlers: they end it even while the
        # event loop is busy, where the loop's own handler would wait (and did, for ever).
        for signum in () if served_to_a_browser() else SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, self.leave, signal.Signals(signum).name)
                self._installed.append(signum)
        stdin = sys.__stdin__
        fd = stdin.fileno() if stdin is not None else -1
        if fd >= 0 and terminal_alive(fd):  # piped input is not watched: it may end early
            self._fd = fd
        self._timer = self.app.set_interval(CHECK_SECONDS, self.check, name="terminal-guard")

    def remove(self) -> None:
        with contextlib.suppress(RuntimeError):
            loop = asyncio.get_running_loop()
            for signum in self._installed:
                loop.remove_signal_handler(signum)
        self._installed.clear()
        if self._timer is not None:  # the boot hands over to the war room's own guard
            self._timer.stop()
            self._timer = None

    def check(self) -> None:
        output = getattr(self.app._driver, "output", None)
        if self._fd is not None and not terminal_alive(self._fd):
            self.leave(HUNG_UP)
        elif output is not None and output.gone:
            self.leave("the terminal cannot be written")

    def leave(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason
            self.app.exit(return_code=_exit_status(reason))


def _exit_status(reason: str) -> int:
    """128 + the signal's number, as a shell reports a process ended by it; 1 otherwise.
    A terminal found hung up is a hang-up, whether its SIGHUP was handled first or not (the
    check every 0.25 s and the signal race on an idle war room)."""
    if reason == HUNG_UP:
        reason = "SIGHUP"
    signum = getattr(signal.Signals, reason, None) if reason.startswith("SIG") else None
    return 128 + int(signum) if signum is not None else 1


__all__ = ["GuardedOutput", "TerminalGuard", "WarRoomDriver", "driver_class", "terminal_alive"]

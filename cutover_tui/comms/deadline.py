"""A deadline for a whole exchange with a receiver (a webhook POST, an SMTP transaction), not
for each read.

A socket timeout bounds one operation: a receiver that trickles its answer a byte every 5 s
never trips a 10 s timeout, and held the conductor's delivery (the rollback announcement with
it) for as long as it trickled. As the HTTP checks do it (clock/network_checks.py `_http`): the work
runs in a daemon thread joined with the deadline; at the deadline every socket it registered
is shut, so a blocked read returns at once and the thread ends. The caller returns at the
deadline (and a short grace) whatever the thread does: a name lookup, which has no timeout of
its own, or a TLS handshake on a socket already wrapped, cannot hold it either.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
GRACE_S = 1.0  # after the deadline, for the work's thread to see its sockets shut


class TimedOut(Exception):
    """No whole answer within the deadline."""


class Watch:
    """The sockets of one exchange, shut together when its deadline passes."""

    def __init__(self) -> None:
        self.cut = threading.Event()
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []

    def add(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._socks.append(sock)
            late = self.cut.is_set()
        if late:  # connected after the deadline: shut at once
            _shut(sock)

    def hang_up(self) -> None:
        with self._lock:
            self.cut.set()
            socks = list(self._socks)
        for sock in socks:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def within(seconds: float, work: Callable[[Watch], T], name: str = "exchange") -> T:
    """`work(watch)`'s result, or what it raised; TimedOut past `seconds`."""
    watch = Watch()
    found: list[Any] = []

    def run() -> None:
        try:
            found.append((True, work(watch)))
        except BaseException as exc:  # handed to the caller's thread
            found.append((False, exc))

    worker = threading.Thread(target=run, name=name, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        watch.hang_up()
        worker.join(GRACE_S)
    ok, value = found[0] if found else (False, None)
    if ok:  # taken, even if only just: never reported as a failure (it would go twice)
        return value
    if watch.cut.is_set() or not found:  # a read cut short raises something else: said so
        raise TimedOut(f"no whole answer within {seconds:g} s")
    raise value

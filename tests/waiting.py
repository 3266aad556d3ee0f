"""Waiting on real processes: on a condition they will make true, never for time to pass.

A test that talks to another process (a conductor, the locked service, a war room on a pty)
cannot be told when that process has written its row or opened its socket: SQLite and a Unix
socket send no notice. `until` asks the condition again and again and returns as soon as it
holds; the timeout is generous for a loaded machine and only decides when to give up, so a busy
CPU makes the test slower, never wrong. Where the OS does give notice (a process ending),
`exited` waits on it directly.
"""

from __future__ import annotations

import asyncio
import os
import select
import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

POLL_S = 0.02  # how often a condition is asked again; it never decides a result
TIMEOUT_S = 60.0  # when to give up: only a real fault takes this long


def until(condition: Callable[[], T], what: str = "", timeout: float = TIMEOUT_S) -> T:
    """Return `condition()`'s first truthy value; AssertionError naming `what` on timeout."""
    deadline = time.monotonic() + timeout
    idle = threading.Event()  # never set: its wait is the pause between two asks
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:g} s: {what or condition}")
        idle.wait(POLL_S)
    return value


async def until_async(condition: Callable[[], T], what: str = "", timeout: float = TIMEOUT_S) -> T:
    """`until` for a test running on an event loop (the loop keeps serving while it waits)."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:g} s: {what or condition}")
        await asyncio.sleep(POLL_S)
    return value


def exited(pid: int, timeout: float = TIMEOUT_S) -> int | None:
    """Wait for child `pid` to end (the kernel says when); its exit code, or None if it lives."""
    fd = os.pidfd_open(pid)
    try:
        ready, _, _ = select.select([fd], [], [], timeout)
    finally:
        os.close(fd)
    if not ready:
        return None
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)

"""The one clock everything takes `now` from: real, fixed (tests) or accelerated (rehearsals).

`now()` is an aware UTC datetime. `monotonic()` is the reading used to measure durations
within one boot; `boot_id()` names the boot so a reading is never compared across reboots.
`to_real(moment)` says when, on the host's real clock, the clock will show `moment`: the
conductor uses it to set its APScheduler date jobs on an accelerated night.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Protocol

JUMP_TOLERANCE = timedelta(seconds=1)  # wall and monotonic disagreeing by more: a clock jump


class Clock(Protocol):
    """What every reader of time may rely on: the moment, a monotonic reading, when a moment
    falls in real time, and how fast the clock runs (1.0 real, above 1 in a simulation)."""

    factor: float

    def now(self) -> datetime: ...

    def monotonic(self) -> float: ...

    def to_real(self, moment: datetime) -> datetime | None: ...


@cache  # a process never outlives its boot: read once, not on every event recorded
def boot_id() -> str:
    """This boot's id (Linux), so monotonic readings are compared only within one boot."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return "unknown"


MIN_SPEED, MAX_SPEED = 0.001, 1_000_000.0  # past these, simulated dates overflow


def speed_problem(speed: float) -> str | None:
    """Why `speed` cannot drive an accelerated clock (None when it can). NaN fails too."""
    if MIN_SPEED <= speed <= MAX_SPEED:
        return None
    return f"--speed must be a positive number from {MIN_SPEED:g} to {MAX_SPEED:,.0f}"


class RealClock:
    factor = 1.0

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    def to_real(self, moment: datetime) -> datetime | None:
        return moment


class FixedClock:
    """Stands still until a test moves it: `set(moment)` or `advance(delta)` (time passes),
    or by assigning `moment` (the monotonic reading stands still: the wall clock jumped, as
    the conductor and the war room see it)."""

    factor = 1.0  # read as real time: a stopped clock's notices last as long as a real one's

    def __init__(self, moment: datetime) -> None:
        self.moment = moment
        self._mono = 1000.0

    def now(self) -> datetime:
        return self.moment

    def monotonic(self) -> float:
        return self._mono

    def set(self, moment: datetime) -> None:
        self._mono += (moment - self.moment).total_seconds()
        self.moment = moment

    def advance(self, delta: timedelta) -> None:
        self.set(self.moment + delta)

    def to_real(self, moment: datetime) -> datetime | None:
        return None  # nothing is due in real time on a stopped clock: tests tick by hand


class AcceleratedClock:
    """Simulated time running `factor` times faster than real time: it shows `start` at the
    real moment `real_start` (default: now). Processes that anchor at the same pair, such as
    a rehearsal's RunStarted `at` and `recorded_at`, agree on the simulated time."""

    def __init__(self, start: datetime, factor: float, real_start: datetime | None = None) -> None:
        if speed_problem(factor):
            raise ValueError(speed_problem(factor))
        self.start = start
        self.factor = factor
        self._real0 = real_start or datetime.now(UTC)
        self._mono0 = time.monotonic() - (datetime.now(UTC) - self._real0).total_seconds()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self._mono0) * self.factor)

    def monotonic(self) -> float:
        return self._mono0 + (time.monotonic() - self._mono0) * self.factor

    def to_real(self, moment: datetime) -> datetime | None:
        return self._real0 + (moment - self.start) / self.factor


class JumpDetector:
    """Notices the wall clock jumping (NTP step, VM resume) against the monotonic clock."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._wall = clock.now()
        self._mono = clock.monotonic()

    def check(self) -> float | None:
        """Seconds the wall clock jumped since the last check (None when it did not)."""
        wall, mono = self.clock.now(), self.clock.monotonic()
        drift = (wall - self._wall).total_seconds() - (mono - self._mono)
        self._wall, self._mono = wall, mono
        return drift if abs(drift) > JUMP_TOLERANCE.total_seconds() else None

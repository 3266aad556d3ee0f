"""A war room's own sight of the host's wall clock jumping, until the journal says so.

The conductor records a jump (`clock-jumped`) on its next heartbeat, and from then on the
steps running across it leave it out of their running-over time (engine.triggers). A war
room that looks first, with the jump not yet in the journal, would see a running-over
trigger fire on the jump alone and say ROLL BACK for a moment, with a toast that stays. So
until the record arrives (at most `HOLD_S` of monotonic time: no conductor may be alive to
write it), the war room reads the moment as if the wall clock had not jumped: time keeps
passing on the monotonic clock, and a real overrun still shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from ..clocks import Clock, JumpDetector
from ..engine.events import Event
from ..journal.lease import HEARTBEAT_S, LEASE_EXPIRY_S

HOLD_S = LEASE_EXPIRY_S + 2 * HEARTBEAT_S  # a successor conductor takes over and records it


class JumpHold:
    """The moment a war room works its frame out at: the clock's, less a jump not yet recorded."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._jumps = JumpDetector(clock)
        self._offset = timedelta(0)  # the unrecorded jumps, taken back off the wall clock
        self._until: float | None = None  # the monotonic reading the hold lasts to

    def moment(self, new: Iterable[Event] = ()) -> datetime:
        """Now, held back by a jump seen here that the journal (`new` its news) does not say
        yet. Asked on every tick and refresh, so a jump is seen at the first look after it."""
        jumped = self._jumps.check()
        mono = self.clock.monotonic()
        if jumped is not None:
            self._offset += timedelta(seconds=jumped)
            self._until = mono + HOLD_S
        if any(e.type == "clock-jumped" for e in new) or (
            self._until is not None and mono >= self._until
        ):
            self._offset, self._until = timedelta(0), None  # recorded, or nobody will
        return self.clock.now() - self._offset

"""JournalRun: the war room's RunSource on a shared run database."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from ..clock.clocks import boot_id
from ..engine.events import Event
from ..plan.model import Plan
from .lease import lease_status
from .store import Journal


class JournalRun:
    """A run as one process sees it: `poll` is cheap when nothing changed (data_version)."""

    def __init__(
        self,
        journal: Journal,
        actor: str,
        now: Callable[[], datetime] | None = None,
        read_only: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.journal = journal
        self.actor = actor
        self.read_only = read_only
        self._now = now or (lambda: datetime.now(UTC))
        self._monotonic = monotonic  # the run's clock's: accelerated on a fast rehearsal
        self._seen = 0
        self._version: int | None = None

    @property
    def plan(self) -> Plan:
        return self.journal.plan

    @property
    def run_id(self) -> str:
        return self.journal.run_id

    def poll(self) -> list[Event]:
        version = self.journal.data_version()
        if version == self._version and self._seen:
            return []
        self._version = version
        new = self.journal.events_after(self._seen)
        if new:
            self._seen = new[-1].seq
        return new

    def submit(self, event: Event) -> Event:
        if self.read_only:
            from ..engine.state import Refused

            raise Refused(f"{self.actor} is following this run read-only (cutover follow)")
        if event.mono is None:  # the monotonic reading of this boot, beside the wall time
            event = event.model_copy(update={"mono": self._monotonic(), "boot": boot_id()})
        return self.journal.append(event, now=self._now)

    def conductor_status(self) -> str:
        return lease_status(self.journal, time.time())

"""JournalRun: the war room's RunSource on a shared run database.

For the current OS user, on a run named by id or path, with the run's own clock:

    source = JournalRun.open("online-store-20261127-220000")   # or open_for_user(...)
    clock = source.clock                                        # simulated on a fast rehearsal
    conductor = Conductor.open(source.journal.path, clock)      # its own connection
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from ..clocks import AcceleratedClock, Clock, RealClock, boot_id
from ..engine.events import Event, RunStarted
from ..engine.state import Refused, RunState
from ..inert import inert_line
from ..plan.model import Plan
from . import seen
from .identity import actor_for, describe, os_login
from .lease import lease_status
from .moved import moved_of
from .pages import LogPages
from .run_lookup import open_run
from .store import ChainBroken, Journal, runs_dir

REMEMBER_EVERY_S = 5.0
# The status line's word while the journal cannot be read (PostgreSQL down or restarting):
# the conductor's health is then unknown too, and the next poll tries again.
UNREACHABLE = "unknown: journal unreachable"


class JournalRun:
    """A run as one process sees it: `poll` is cheap when nothing changed (data_version)."""

    def __init__(
        self,
        journal: Journal,
        actor: str,
        now: Callable[[], datetime] | None = None,
        read_only: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
        *,
        login: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.journal = journal
        self.actor = actor
        self.read_only = read_only
        self.moved: str | None = None  # where the run went, once it moved from this file
        self.login = login  # the OS login behind `actor`, when opened for the current user
        self.clock = clock
        if clock is not None:
            now, monotonic = now or clock.now, clock.monotonic
        self._now = now or (lambda: datetime.now(UTC))
        self._monotonic = monotonic  # the run's clock's: accelerated on a fast rehearsal
        self._seen = 0
        self._version: int | None = None
        self._remembered = -REMEMBER_EVERY_S  # real seconds (time.monotonic) of the last
        self._shared = False  # the war room reads the journal's own fold (opening)
        self.unreachable = False  # the last read failed (PostgreSQL down): said, not raised

    @classmethod
    def open(
        cls,
        ref: str | Path,
        runs: str | Path | None = None,
        *,
        read_only: bool = False,
        clock: Clock | None = None,
    ) -> JournalRun:
        """The run `ref` (an id in the runs directory, or a database path) as the OS user of
        this process, on the run's clock unless `clock` is given. JournalError if not found."""
        journal = open_run(str(ref), runs_dir(str(runs) if runs is not None else None))
        return cls.for_current_user(journal, read_only=read_only, clock=clock)

    @classmethod
    def for_current_user(
        cls, journal: Journal, *, read_only: bool = False, clock: Clock | None = None
    ) -> JournalRun:
        login = os_login()
        return cls(
            journal,
            actor_for(journal.plan, login),
            read_only=read_only,
            login=login,
            clock=clock or run_clock(journal),
        )

    @property
    def plan(self) -> Plan:
        return self.journal.plan

    @property
    def run_id(self) -> str:
        return self.journal.run_id

    def opening(self) -> tuple[RunState, LogPages] | None:
        """The run as this process's journal folded it (its trust guard did), and its log read
        a page at a time: the war room shows these instead of folding a copy of every event
        poll would give it (a 100,000-event run: seconds and 150 MB). From now on the state
        is the journal's, kept up to date by `poll` (and by the conductor's connection, which
        shares it), and `poll` returns only what is new. None through the locked service."""
        if not isinstance(self.journal, Journal) or self._seen:
            return None
        state = self.journal.state()  # folded once, links checked, nothing kept but the state
        self._shared, self._seen = True, state.last_seq
        self._version = self.journal.data_version()
        self.journal.followed = self.journal.head
        self._remember()
        self._look_moved()
        return state, LogPages(self.journal.event_page, state.last_seq)

    def poll(self) -> list[Event]:
        """What is new; nothing while the journal cannot be read (a PostgreSQL server down),
        said on the status line instead of ending the war room: the poll after it is back
        reads everything since, as it would after any pause."""
        try:
            new = self._poll()
        except sqlite3.DatabaseError:
            self.unreachable = True
            return []
        self.unreachable = False
        return new

    def _poll(self) -> list[Event]:
        version = self.journal.data_version()
        mine = self.journal.last_written > self._seen  # our own commits leave data_version be
        if version == self._version and self._seen and not mine:
            return []
        self._version = version
        self._look_moved()  # the move writes the file's mark, so data_version says so
        if self._shared:
            return self._poll_shared()
        if not self._seen and isinstance(self.journal, Journal):
            # The whole log, first: the events the journal parsed on opening (its trust
            # guard reads them all), not a second copy (a 100k-event run: 3.7 s, 150 MB).
            new = self.journal.events()  # links checked as it read them
            self.journal.followed = self.journal.head
        else:
            new = self.journal.read_after(self._seen)  # links checked; going backwards noticed
        if new:
            self._seen = new[-1].seq
            self._remember()
        return new

    def _poll_shared(self) -> list[Event]:
        """What the journal's fold took in since the last poll (it folds what is new, links
        checked), read back as events: only those folded, so that the state holds each one."""
        assert isinstance(self.journal, Journal)
        self.journal.still_holds(self._seen)  # a journal gone backwards is marked broken
        state = self.journal.state()
        if state.last_seq <= self._seen:
            return []
        new = self.journal.event_page(self._seen + 1, state.last_seq)
        self._seen = state.last_seq
        self.journal.followed = self.journal.head
        self._remember()
        return new

    def _look_moved(self) -> None:
        """Whether the run moved from this file (journal/moved.py): said from then on."""
        if self.moved is None:
            where = moved_of(self.journal)  # the locked service's: None
            if where is not None:
                self.moved = inert_line(where.goes_on(self.journal.run_id, self.read_only))

    def _remember(self) -> None:
        """This user's memory of the head (journal.seen), kept as the night goes: a war room
        is a witness to what was written, at most once every few seconds (a 400x burst)."""
        now = time.monotonic()
        if not isinstance(self.journal, Journal):  # through the locked service: its files
            return
        if self.journal.broken or now - self._remembered < REMEMBER_EVERY_S:
            return
        self._remembered = now
        seq, digest = self.journal.followed
        seen.remember(self.journal.run_id, self.journal.path, seq, digest)

    def submit(self, event: Event) -> Event:
        if self.read_only:
            raise Refused(f"{self.actor} is following this run read-only (cutover follow)")
        if self.moved:  # the file would refuse it too, in other words: these are on screen
            raise Refused(self.moved)
        if event.mono is None:  # the monotonic reading of this boot, beside the wall time
            event = event.model_copy(update={"mono": self._monotonic(), "boot": boot_id()})
        try:
            return self.journal.append(event, now=self._now)
        except ChainBroken as exc:  # a refusal to the screen, said as loudly as the CLI says it
            raise Refused(f"JOURNAL NOT TRUSTED, nothing recorded: {exc}") from None
        except sqlite3.DatabaseError as exc:  # PostgreSQL down: one line, the war room stays
            raise Refused(
                f"the journal cannot be reached ({inert_line(str(exc), 120)}): once it is "
                "back, look for this in the comms log before trying again"
            ) from None
        except Refused as refusal:
            if self.login is None:
                raise
            raise Refused(
                f"{refusal} ({describe(self.journal.state(), self.login, str(refusal))})"
            ) from None

    def conductor_status(self) -> str:
        if self.unreachable:
            return UNREACHABLE
        try:
            return lease_status(self.journal, time.time())
        except sqlite3.DatabaseError:
            self.unreachable = True
            return UNREACHABLE


def run_clock(journal: Journal, speed: float | None = None) -> Clock:
    """The clock a run keeps: real time for a live run or a real-time rehearsal. A faster
    one (a simulation, or `speed`) keeps simulated time anchored at its RunStarted (`at` is
    shown at the real moment `recorded_at`), so every process derives the same clock."""
    speed = speed or float(journal.meta.get("speed", 1.0))
    if speed == 1.0:
        return RealClock()
    # The run starts with its RunStarted: the first event alone, not the log parsed again.
    first = journal.event_page(1, 1) if isinstance(journal, Journal) else journal.events()
    started = next((e for e in first if isinstance(e, RunStarted)), None)
    if started is None or started.recorded_at is None:
        return AcceleratedClock(journal.plan.window.start, speed)
    return AcceleratedClock(started.at, speed, real_start=started.recorded_at)

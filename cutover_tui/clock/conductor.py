"""The conductor: the one process that records what time alone makes happen.

Budget exceeded, trigger fired, the rollback point passed, the deadline reached, the wall
clock jumping: nobody types these, the clock makes them true. Every process works them out
for its own screen (`engine.schedule`), but one process, the holder of the lease row, writes
them to the journal, once each, so the log and the review record when they happened.

Scheduling is APScheduler 3.11's AsyncIOScheduler on the process's event loop:
- an interval job every second renews the lease and catches up (`tick`), so a conductor that
  takes over from a dead one writes whatever came due meanwhile;
- date jobs at each moment something falls due (each running step's budget end, each armed
  trigger's projected fire time, the window warning, the last safe rollback start, the
  deadline), re-planned whenever new events change the schedule, run `tick` on time.
  `coalesce` folds missed runs into one; `misfire_grace_time` lets a late job still run
  after a stall.
Each derived event carries an idempotency key naming what it is (`budget:load:1`), and the
journal appends a key once: two conductors racing at a lease hand-over cannot double it.

Time. What is due is always decided by `tick` against the injected clock's `now()`, never by
APScheduler's idea of the time: the jobs only say *when to look*. APScheduler runs on the
host's real clock, so each due moment is turned into real time with `clock.to_real` (an
accelerated rehearsal at 60x has its 10-minute budget end 10 s of real time away). A fixed
clock (tests) has no real time at which anything falls due: no date jobs, and the tests call
`tick()` after moving the clock. The 1 s heartbeat tick is the safety net: a missed, early or
badly converted job costs at most a second of real time (a minute of simulated time at 60x),
and a conductor that took over writes everything that came due while nobody conducted.

The lease is kept in real seconds (`wall`), whatever the run's clock: it is about processes
being alive, not about the night's time. A conductor that runs the run's checks (the
starter's: clock/check_claim.py) takes a live lease from one that runs none
(journal/lease.decide); the one that lost it follows from its next heartbeat.

A run file whose run moved (`cutover migrate`, journal/moved.py) takes no more events: its
conductor stands down on its next heartbeat, says so once (`moved`), and runs no check, probe
or delivery on the file again (a user pass, 2026-12-02: it kept running checks whose results
the file then refused, while the run's conductor on PostgreSQL ran them too).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..clocks import Clock, JumpDetector, boot_id
from ..engine.events import (
    CONDUCTOR,
    ClockJumped,
    Event,
)
from ..engine.schedule import schedule
from ..engine.state import Refused
from ..inert import inert_line
from ..journal.lease import HEARTBEAT_S, LEASE_EXPIRY_S, holder_id, release, take_or_renew
from ..journal.moved import moved_of
from ..journal.store import Journal
from .check_claim import CheckClaim
from .check_handover import checks_run_again
from .checking import ConductorChecks
from .delivery import ConductorComms, open_messages
from .due import Checked, derived_events, next_due

if TYPE_CHECKING:  # APScheduler loads in `start`, after the war room's first frame (issue 14)
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

MISFIRE_GRACE_S = 300


class Conductor:
    """Holds (or waits for) the lease of one run and writes its derived events."""

    def __init__(
        self,
        journal: Journal,
        clock: Clock,
        holder: str | None = None,
        *,
        wall: Callable[[], float] = time.time,
        expiry_s: float = LEASE_EXPIRY_S,
    ) -> None:
        self.journal = journal
        self.clock = clock
        self.holder = holder or holder_id()
        self.wall = wall  # the lease is kept in real seconds, whatever the run's clock
        self.expiry_s = expiry_s
        self.holding = False
        self.problem: str | None = None  # why this process cannot conduct, if it cannot
        self.moved: str | None = None  # the run moved away: this conductor stood down (inert)
        self.written: list[Event] = []
        self._jumps = JumpDetector(clock)
        # A jump seen but not yet recorded (its write failed: a locked file, PostgreSQL away
        # as a VM resumes) and the key it keeps until it is: the detector sees it only once.
        self._unrecorded: tuple[float, str] | None = None
        self._planned_for = -1
        self._checked = Checked()  # no schedule on a heartbeat when nothing can have come due
        self._scheduler: AsyncIOScheduler | None = None
        # Messages: queued when due, delivered from the outbox (clock/delivery.py).
        self.comms = ConductorComms(journal, clock, self.holder, lambda: self.holding)
        # Checkpoint checks and health probes (clock/checking.py).
        self.checks = ConductorChecks(clock)
        self.claim = CheckClaim()  # whether checks run here: it decides the lease too

    @classmethod
    def open(cls, path: Path, clock: Clock, **kwargs) -> Conductor:
        """A conductor on its own connection to the run at `path` (its appends never
        interleave with the reads of the war room's connection)."""
        return cls(Journal(path), clock, **kwargs)

    @property
    def ended(self) -> bool:
        """The run has ended and every message it owes is queued, and sent or given up.
        False while the run cannot be read (PostgreSQL down): the tick says why."""
        try:
            state = self.journal.state()
        except sqlite3.Error:
            return False
        return (
            state.phase == "ended"
            and self.comms.settled
            and not open_messages(state, self.clock.now())
        )

    # -- one step, callable from tests with a fixed clock -------------------------------------
    def tick(self) -> list[Event]:
        """Renew or take the lease; when held, write what came due. Returns what it wrote.

        A database that cannot be written (a follower outside the run's group, a full disk)
        leaves the lease to others: said in `problem`, never raised into the caller's loop."""
        try:
            written = self._tick()
        except sqlite3.Error as exc:
            self.holding = False
            self.problem = f"cannot conduct: {exc}"
            return []
        self.problem = None
        return written

    def _tick(self) -> list[Event]:
        if self._stood_down():
            return []
        # A conductor that runs checks takes the lease from one that runs none (the starter's).
        runs_checks = self.claim.runs_checks(self.journal)
        claimed = take_or_renew(
            self.journal, self.holder, self.wall(), self.expiry_s, runs_checks=runs_checks
        )
        self.holding = claimed.holding
        if not self.holding:
            return []
        now = self.clock.now()
        state = self.journal.state()
        # Taken from one that said no check runs: the log says they run again (once).
        new = checks_run_again(self.journal, claimed, runs_checks, now)
        jumped = self._jumps.check()
        written: list[Event] = []
        pending = self._jump_to_record(jumped, state.phase)
        if pending is not None:
            # Written before what came due is worked out: the jump is not time the running
            # steps ran, so their running-over triggers must not fire on it (engine.triggers).
            seconds, key = pending
            written = self._write([ClockJumped(actor=CONDUCTOR, at=now, seconds=seconds, key=key)])
            self._unrecorded = None  # recorded (or refused: its key was, on an earlier try)
            state = self.journal.state()
        if jumped is not None or written or self._checked.due(state, now):
            sched = schedule(state, now)
            new.extend(derived_events(state, sched, now))
            # A trigger projected to fire by now that has not (its condition is strict: it
            # fires just after `fires_at`): looked at again on every heartbeat until it does.
            overdue = any(a.fires_at is not None and a.fires_at <= now for a in sched.armed)
            self._checked.done(state, now, [now] if overdue else next_due(state, sched, now))
        written += self._write(new)
        threaded = self._scheduler is not None
        if self._checks_allowed(claimed.acquired):
            written += self._write(self.checks.tick(self.journal.state(), now, threaded=threaded))
        delivered = self.comms.tick(threaded=self._scheduler is not None)
        self.written.extend(delivered)
        written += delivered
        if self._scheduler is not None and self.journal.state().last_seq != self._planned_for:
            self._plan_jobs()
        return written

    def _jump_to_record(self, jumped: float | None, phase: str) -> tuple[float, str] | None:
        """The jump to record now: this one, added to one whose write failed before."""
        if phase not in ("running", "rollback"):
            self._unrecorded = None  # no step runs across it
        elif jumped is not None:
            seconds, key = self._unrecorded or (0.0, f"jump:{uuid.uuid4().hex}")
            self._unrecorded = (seconds + jumped, key)
        return self._unrecorded

    def _stood_down(self) -> bool:
        """Whether the run moved away from this file (journal/moved.py): then, once, nothing
        more runs here (checks, probes, deliveries) and the lease goes; every later tick is
        a no-op, so a check's thread finishing late wakes nothing."""
        if self.moved is not None:
            return True
        where = moved_of(self.journal)  # a run file's; PostgreSQL: None
        if where is None:
            return False
        self.moved = inert_line(where.line())
        was_holding, self.holding = self.holding, False  # the delivery worker asks this first
        self.comms.stop(timeout=0)  # told to stop, not waited for: the event loop's thread
        if was_holding:
            release(self.journal, self.holder)
        return True

    @property
    def checks_refused(self) -> str | None:
        """Why no check runs in this conductor (clock/check_claim.py), or None."""
        return self.claim.refused

    def _checks_allowed(self, tenure: float | None = None) -> bool:
        """Checks run here (judged by the claim); if not, the holder says so once in the log."""
        if self.claim.allowed(self.journal):
            return True
        self._write(self.claim.refusal(self.journal, self.clock.now(), self.wall(), tenure))
        return False

    def _write(self, events: Iterable[Event]) -> list[Event]:
        written = []
        for event in events:
            event = event.model_copy(update={"mono": self.clock.monotonic(), "boot": boot_id()})
            try:
                stored = self.journal.append(event, now=self.clock.now)
            except Refused:
                continue  # another process recorded it first, or the state moved on
            written.append(stored)
        self.written.extend(written)
        return written

    # -- on an event loop -----------------------------------------------------------------------
    async def start(self) -> None:
        """Run on the current event loop until `stop()`."""
        from apscheduler.schedulers.asyncio import AsyncIOScheduler  # not needed before this

        self._scheduler = AsyncIOScheduler()
        self._scheduler.add_job(
            self._tick_job,
            "interval",
            seconds=HEARTBEAT_S,
            id="heartbeat",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=MISFIRE_GRACE_S,
        )
        self._scheduler.start()
        loop = asyncio.get_running_loop()
        # A check finished in its thread: record it now, not at the next heartbeat.
        self.checks.wake = lambda: loop.call_soon_threadsafe(self.tick)
        self.tick()

    async def _tick_job(self) -> None:
        # A coroutine, so APScheduler runs it on the event loop, not in a worker thread:
        # the journal's SQLite connection belongs to this thread.
        self.tick()

    def _plan_jobs(self) -> None:
        """Date jobs at the next moments something falls due, replacing the last plan."""
        assert self._scheduler is not None
        state = self.journal.state()
        self._planned_for = state.last_seq
        now = self.clock.now()
        for job in self._scheduler.get_jobs():
            if job.id.startswith("due:"):
                job.remove()
        for moment in next_due(state, schedule(state, now), now)[:20]:
            real = self.clock.to_real(moment)
            if real is None:
                continue
            self._scheduler.add_job(
                self._tick_job,
                "date",
                run_date=real,
                id=f"due:{moment.isoformat()}",
                replace_existing=True,
                coalesce=True,
                misfire_grace_time=MISFIRE_GRACE_S,
            )

    def jobs(self) -> list[tuple[str, datetime]]:
        """The scheduled date jobs (id, real run time), for the status line and tests."""
        if self._scheduler is None:
            return []
        return [
            (job.id, job.next_run_time)
            for job in self._scheduler.get_jobs()
            if job.id.startswith("due:")
        ]

    def stop(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._scheduler = None
        self.comms.stop()
        if self.holding:
            self.holding = False
            with contextlib.suppress(sqlite3.Error):  # it expires by itself all the same
                release(self.journal, self.holder)


async def conduct_forever(
    conductor: Conductor,
    *,
    until_ended: bool = True,
    say: Callable[[str | None], None] | None = None,
) -> None:
    """The headless conductor's main: run until cancelled (Ctrl-C), SIGTERM (systemd,
    `kill`), or, with `until_ended`, until the run has ended. The lease is released on the
    way out, so a successor need not wait for it to expire. `say` is told each change of
    `problem` (a journal gone and back), so a headless conductor says it as it happens."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
        loop.add_signal_handler(signal.SIGTERM, stopping.set)
    await conductor.start()
    said: str | None = None
    try:
        while not stopping.is_set():
            if conductor.moved or (until_ended and conductor.ended):
                break
            if say is not None and conductor.problem != said:
                said = conductor.problem
                say(said)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=HEARTBEAT_S)
    finally:
        conductor.stop()
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGTERM)

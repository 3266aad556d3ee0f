"""Delivery: the conductor queues what is due (comms/outgoing.py) and delivers the outbox.

Each pass, while this process holds the lease:
1. queue what came due (rollback announcement, incident alert, auto comms steps, cadence),
   on a host with comms settings (comms/settings.py);
2. for the head of each lane (one route to one audience) that is due: record a claim
   (message-claimed, attempt n), hand the message to its channel, then record the answer
   (message-sent) or the failure (message-failed, with `retry_at` after a bounded doubling
   backoff; after the last attempt, or a permanent refusal, none: undeliverable, escalated to
   the plan's communicators).

The guarantee: no message is lost, and each reaches a receiver exactly once *under its key*.
A conductor can die (SIGKILL, power) after the server took a message and before the answer is
recorded; nothing on this side can know whether the message went (the server's acceptance and
our journal are two systems; no protocol closes that gap without the receiver's help). So:
- the claim is recorded BEFORE sending: a message is never handed over without the journal
  saying so, and a claim without an outcome marks it *in doubt*;
- the conductor that takes over sends an in-doubt message again, under the same key: the email's
  Message-ID (derived from the key) and `X-Cutover-Key`, the webhook's `X-Cutover-Key` /
  `Idempotency-Key` headers, with `X-Cutover-Resend: in-doubt` (the claim records `in_doubt`).
  A receiver that keeps the keys it has seen (mail stores de-duplicate by Message-ID; a
  webhook receiver checks the header) takes it once: at-least-once on the wire, exactly-once
  per key at such a receiver. A second copy on the wire needs a death in the milliseconds
  between the server's "250" and our append, and the journal shows each one.
- the outcome events carry keys (`sent:ID`), so two conductors racing at a hand-over cannot
  record one message twice, and delivery happens only while holding the lease.

It runs in a thread of its own with its own journal connection when the conductor runs on an
event loop (a slow mail server must not stall the lease heartbeat), inline from `tick()` when
tests drive the conductor with a fixed clock.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from ..clocks import Clock
from ..comms.channels import DeliveryError, Outgoing, send
from ..comms.outgoing import due, owed
from ..comms.settings import CommsConfigError, CommsSettings, load_comms_settings
from ..comms.values import About, values_from
from ..engine.events import (
    CONDUCTOR,
    Event,
    MessageClaimed,
    MessageFailed,
    MessageQueued,
    MessageSent,
)
from ..engine.outbox import Message
from ..engine.state import Refused, RunState
from ..engine.verdict import assess, forecaster_for
from ..journal.backend import open_at
from ..journal.folding import Fold
from ..journal.store import Journal
from .delivery_rules import next_message, not_queued_note

Settings = Callable[[], CommsSettings]


class Deliverer:
    """One pass of queueing and delivering on one journal connection."""

    def __init__(
        self, journal: Journal, clock: Clock, holder: str, settings: Settings = load_comms_settings
    ) -> None:
        self.journal = journal
        self.clock = clock
        self.holder = holder
        self.settings = settings
        self.problem: str | None = None
        self._forecaster = forecaster_for(journal.run_id)

    def run_once(self, holding: Callable[[], bool] = lambda: True) -> list[Event]:
        try:
            settings = self.settings()
        except CommsConfigError as exc:
            self.problem = str(exc)  # said on the status line; the outbox waits
            return []
        self.problem = None
        # A host without comms settings sends nothing by itself: a message queued by hand
        # still goes (the log route) or fails in words (email, webhook), escalated.
        written = self._queue(settings) if settings.found else []
        tried: set[str] = set()  # each message once a pass; the most urgent first, picked
        while holding():  # again after every send (clock/delivery_rules.py)
            state = self.journal.state()
            # After a send only (the pass began by queueing): a rollback invoked meanwhile.
            if tried and settings.found and self._owes(state, settings):
                written += self._queue(settings)
                state = self.journal.state()
            message = next_message(state.outbox.due(self.clock.now()), tried)
            if message is None:
                break
            tried.add(message.id)
            written += self._deliver(state, message, settings)
        return written

    def _owes(self, state: RunState, settings: CommsSettings) -> bool:
        log_only = state.mode == "rehearsal" and settings.delivery.rehearsals == "log"
        return owed(state, log_only, self.clock.now())

    def _queue(self, settings: CommsSettings) -> list[Event]:
        state = self.journal.state()
        now = self.clock.now()
        log_only = state.mode == "rehearsal" and settings.delivery.rehearsals == "log"

        verdicts: list = []  # the verdict once per pass, made only when a message is due

        def values(about: About) -> dict:
            if not verdicts:
                try:
                    verdicts.append(assess(state, now, self._forecaster))
                except Exception:  # the announcement goes out without the odds
                    verdicts.append(assess(state, now, None))  # ("[no p80 yet]" in its text)
            sched, _sight, verdict = verdicts[0]
            return values_from(state, sched, verdict, about)

        return [s for e in due(state, now, values, log_only=log_only) if (s := self._enqueue(e))]

    def _enqueue(self, event: Event) -> Event | None:
        """Append what came due; a message the journal refuses is said in the comms log
        (the conductor's note) and in `problem`, never dropped in silence."""
        try:
            return self.journal.append(event, now=self.clock.now)
        except Refused as exc:
            if not isinstance(event, MessageQueued):
                return None  # a step closed by another process first, say
            reason = str(exc)
        self.problem = f"cannot queue {event.message}: {reason}"
        return self._append(not_queued_note(event, reason, self.clock.now()))

    def _deliver(self, state: RunState, message: Message, settings: CommsSettings) -> list[Event]:
        attempt = message.attempts + 1
        claim = MessageClaimed(
            actor=CONDUCTOR,
            at=self.clock.now(),
            key=f"claim:{message.id}:{attempt}",
            message=message.id,
            attempt=attempt,
            holder=self.holder,
            in_doubt=message.in_doubt,
        )
        claimed = self._append(claim)
        if claimed is None:
            return []  # another conductor claimed it first
        outgoing = _outgoing(self.journal.run_id, state, message, resend=attempt > 1)
        # The journal's head goes out with every message: a copy outside the host that
        # `cutover verify --expect` checks later (docs/jump-host.md, What the journal proves).
        outgoing = replace(outgoing, body=outgoing.body + head_footer(self.journal))
        try:
            answer = send(outgoing, settings)
        except DeliveryError as exc:
            outcome: Event = self._failure(state, message, attempt, exc, settings)
        else:
            outcome = MessageSent(
                actor=CONDUCTOR,
                at=self.clock.now(),
                key=f"sent:{message.id}",
                message=message.id,
                attempt=attempt,
                answer=answer,
            )
        recorded = self._append(outcome)
        return [claimed, *([recorded] if recorded else [])]

    def _failure(
        self,
        state: RunState,
        message: Message,
        attempt: int,
        exc: DeliveryError,
        settings: CommsSettings,
    ) -> MessageFailed:
        now = self.clock.now()
        final = exc.permanent or attempt >= settings.delivery.attempts
        return MessageFailed(
            actor=CONDUCTOR,
            at=now,
            key=f"failed:{message.id}:{attempt}",
            message=message.id,
            attempt=attempt,
            reason=exc.reason[:500],
            retry_at=None if final else now + settings.delivery.retry_after(attempt),
            escalated_to=state.plan.people_with_role("communicator") if final else [],
        )

    def _append(self, event: Event) -> Event | None:
        try:
            return self.journal.append(event, now=self.clock.now)
        except Refused:
            return None  # recorded by another process first, or the state moved on


def head_footer(journal: Journal) -> str:
    seq, digest = journal.head
    head = f"{seq}:{digest[:16]}"
    run = journal.run_id
    return f"\n\n-- \nJournal {run} head {head} (cutover verify {run} --expect {head})\n"


def _outgoing(run_id: str, state: RunState, message: Message, *, resend: bool) -> Outgoing:
    q = message.queued
    audience = next((a for a in state.plan.audience if a.id == q.audience), None)
    return Outgoing(
        key=f"{run_id}/{q.message}",
        audience=q.audience,
        route=q.route,
        subject=q.subject,
        body=q.body,
        to=tuple(q.to),
        webhook=audience.webhook if audience else None,
        resend=resend,
    )


def open_messages(state: RunState, now: datetime | None = None) -> bool:
    """Messages the conductor still owes: it keeps conducting an ended run until none, those
    queued and not yet sent or given up, and those the run owes and nobody queued yet (a run
    that ended while no conductor ran: its rollback announcement, its incident alerts)."""
    if any(not m.closed for m in state.outbox):
        return True
    try:
        settings = load_comms_settings()
    except CommsConfigError:
        return False  # said by the delivery pass; nothing can be queued with these settings
    log_only = state.mode == "rehearsal" and settings.delivery.rehearsals == "log"
    return settings.found and owed(state, log_only, now)


class DeliveryWorker:
    """Delivery in a thread of its own, woken by the conductor's tick."""

    def __init__(
        self,
        path: Path | str,
        clock: Clock,
        holder: str,
        holding: Callable[[], bool],
        settings: Settings = load_comms_settings,
        seed: Fold | None = None,
    ) -> None:
        self.path, self.clock, self.holder = path, clock, holder
        self.seed = seed  # the conductor's fold: this thread catches up from it
        self.holding, self.settings = holding, settings
        self.problem: str | None = None
        self.written: list[Event] = []
        self._wake = threading.Event()
        self._stopping = False
        self._asked = 0  # passes asked for (each wake) and the last one begun and finished:
        self._done = 0  # the conductor leaves an ended run only once they meet
        self._thread: threading.Thread | None = None

    @property
    def settled(self) -> bool:
        """Every pass asked for so far has run: nothing owed is waiting to be queued."""
        return self._done >= self._asked

    def wake(self) -> None:
        self._asked += 1
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="delivery", daemon=True)
            self._thread.start()
        self._wake.set()

    def _loop(self) -> None:
        journal = open_at(str(self.path))  # this thread's own connection (file or URL#RUN)
        if self.seed is not None:  # one fold per process: a copy, not the log again
            journal.adopt(self.seed)
            self.seed = None
        deliverer = Deliverer(journal, self.clock, self.holder, self.settings)
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stopping:
                    return
                asked = self._asked
                try:
                    self.written += deliverer.run_once(self.holding)
                    self.problem = deliverer.problem
                except sqlite3.Error as exc:
                    self.problem = f"cannot deliver: {exc}"
                except Exception as exc:  # the worker outlives one bad pass
                    self.problem = f"cannot deliver: {type(exc).__name__}: {exc}"
                self._done = asked
        finally:
            journal.close()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)


class ConductorComms:
    """The conductor's comms: inline when tests drive `tick()`, a worker on an event loop."""

    def __init__(self, journal: Journal, clock: Clock, holder: str, holding: Callable[[], bool]):
        self.journal, self.clock, self.holder, self.holding = journal, clock, holder, holding
        self._inline: Deliverer | None = None
        self._worker: DeliveryWorker | None = None
        self._taken = 0

    @property
    def problem(self) -> str | None:
        source = self._worker or self._inline
        return source.problem if source else None

    @property
    def settled(self) -> bool:
        """No pass of queueing and delivery is waiting to run (inline: always)."""
        return self._worker is None or self._worker.settled

    def tick(self, *, threaded: bool) -> list[Event]:
        """Queue and deliver (inline), or wake the worker; what was recorded since last time."""
        if not threaded:
            if self._inline is None:
                self._inline = Deliverer(self.journal, self.clock, self.holder)
            return self._inline.run_once(self.holding)
        if self._worker is None:
            self._worker = DeliveryWorker(
                self.journal.locator,
                self.clock,
                self.holder,
                self.holding,
                seed=self.journal.fold_snapshot(),  # on this thread, before it starts
            )
        self._worker.wake()
        new = self._worker.written[self._taken :]
        self._taken += len(new)
        return new

    def stop(self, timeout: float = 5.0) -> None:
        if self._worker is not None:
            self._worker.stop(timeout)

"""The outbox: the messages of a run folded from the journal, and the rules for recording them.

A message's life, each step one event (engine/events.py), all in the run's hash chain:

    message-queued   rendered text for one audience on one route (email, webhook, log),
                     with an id unique in the run: who queued it, why (`cause`), what was missing
    message-claimed  the conductor is about to hand it to its channel: recorded BEFORE sending
    message-sent     the channel took it (the server's answer: SMTP reply, HTTP status)
    message-failed   it did not, with the reason and when to try again (`retry_at`), or none:
                     undeliverable, escalated to the plan's communicators

A claim with no outcome after it is *in doubt*: the conductor that made it died (or lost the
lease) between handing the message over and recording what happened. The next conductor sends
it again under the same id (clock/delivery.py says why that is safe for the receiver).

Delivery keeps order per lane (one route to one audience): a lane's next message waits for the
one before it to be sent or given up, so "rolled back" never overtakes "incident".

Pure: no I/O, no clock; `now` is an argument. state.py calls `permission`, `LEGALITY` and
`APPLY`; `RunState.outbox` holds the fold.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from .events import (
    CONDUCTOR,
    CommsSent,
    Event,
    MessageClaimed,
    MessageFailed,
    MessageQueued,
    MessageSent,
)
from .incidents import the_commander

if TYPE_CHECKING:
    from .state import RunState

OUTBOX_TYPES = frozenset({"message-queued", "message-claimed", "message-sent", "message-failed"})
SENDERS = frozenset({"commander", "communicator"})  # who may queue a message by hand
RESOLVERS = "resolvers"  # the pseudo-audience of incident alerts: people with the resolver role
# The conductor's note that a message it owes could not be queued (clock/delivery.py): the
# war room's comms log says so, before and after the run's end, never silence.
NOT_QUEUED_KEY = "comms-not-queued:"
NOT_QUEUED_OPENING = "a message could not be queued, so it is not sent: "

Status = Literal["queued", "sending", "retrying", "sent", "undeliverable"]


@dataclass
class Message:
    queued: MessageQueued
    claims: list[MessageClaimed] = field(default_factory=list)
    failures: list[MessageFailed] = field(default_factory=list)
    sent: MessageSent | None = None

    @property
    def id(self) -> str:
        return self.queued.message

    @property
    def lane(self) -> tuple[str, str]:
        return (self.queued.route, self.queued.audience)

    @property
    def attempts(self) -> int:
        return len(self.claims)

    @property
    def in_doubt(self) -> bool:
        """Claimed, and nothing recorded since: it may or may not have gone."""
        return self.sent is None and len(self.failures) < len(self.claims)

    @property
    def status(self) -> Status:
        if self.sent is not None:
            return "sent"
        if self.in_doubt:
            return "sending"
        if self.failures:
            return "retrying" if self.failures[-1].retry_at is not None else "undeliverable"
        return "queued"

    @property
    def closed(self) -> bool:
        return self.status in ("sent", "undeliverable")

    @property
    def retry_at(self) -> datetime | None:
        return self.failures[-1].retry_at if self.failures else None

    def due(self, now: datetime) -> bool:
        """Ready for its next attempt at `now` (lane order aside)."""
        status = self.status
        if status in ("queued", "sending"):  # sending: in doubt, sent again by the next holder
            return True
        return status == "retrying" and self.retry_at is not None and self.retry_at <= now


@dataclass
class Outbox:
    messages: dict[str, Message] = field(default_factory=dict)  # in queue order

    def __len__(self) -> int:
        return len(self.messages)

    def due(self, now: datetime) -> list[Message]:
        """The head of each lane, when it is due at `now`, in queue order."""
        heads: dict[tuple[str, str], Message] = {}
        for message in self.messages.values():
            if not message.closed and message.lane not in heads:
                heads[message.lane] = message
        return [m for m in heads.values() if m.due(now)]

    def with_status(self, *statuses: Status) -> list[Message]:
        return [m for m in self.messages.values() if m.status in statuses]

    def for_step(self, step_id: str) -> list[Message]:
        return [m for m in self.messages.values() if m.queued.step == step_id]

    def __iter__(self) -> Iterator[Message]:
        return iter(self.messages.values())


# -- permission and legality ----------------------------------------------------------------


def permission(state: RunState, event: Event) -> str | None:
    """Who may record an outbox event (and the conductor's comms-sent for an auto step)."""
    actor = event.actor
    if isinstance(event, MessageQueued):
        if actor == CONDUCTOR:
            return None
        roles = state.roles_of(actor)
        if roles & SENDERS:
            return None
        shown = state.roles_said(actor)
        return (
            f"{state.name(actor)} [{shown}] may not send messages: "
            f"only {the_commander(state)} or a communicator may"
        )
    if isinstance(event, CommsSent):  # by the conductor: only an `auto = true` comms step
        step = state.plan.step_by_id.get(event.step or "")
        if step is not None and getattr(step, "auto", False):
            return None
        return f"the conductor sends only auto comms steps, and {event.step!r} is not one"
    if actor != CONDUCTOR:
        return f"only the conductor records {event.type}"
    return None


def _check_queued(state: RunState, event: MessageQueued) -> str | None:
    if state.phase == "not-started":
        return "the run has not started: nothing is sent before it (try `cutover comms test`)"
    earlier = state.outbox.messages.get(event.message)
    if earlier is not None:
        q = earlier.queued
        return f"message {event.message!r} was already queued by {state.name(q.actor)} at {state.when(q.at)}"
    audiences = {a.id for a in state.plan.audience}
    if event.audience not in audiences | {RESOLVERS} | set(state.plan.people):
        return f"{event.audience!r} is not an audience of this plan"
    if event.route == "email" and not event.to:
        return (
            f"message {event.message!r} goes by email to nobody: {event.audience!r} has no address"
        )
    return None


def _claimable(state: RunState, message_id: str) -> tuple[Message | None, str | None]:
    message = state.outbox.messages.get(message_id)
    if message is None:
        return None, f"no message {message_id!r} in the outbox"
    if message.sent is not None:
        return message, f"message {message_id!r} was already sent at {state.when(message.sent.at)}"
    return message, None


def _check_claimed(state: RunState, event: MessageClaimed) -> str | None:
    message, problem = _claimable(state, event.message)
    if problem or message is None:
        return problem
    if message.status == "undeliverable":
        return f"message {event.message!r} was given up as undeliverable"
    if event.attempt != message.attempts + 1:
        return (
            f"message {event.message!r} is at attempt {message.attempts}, not {event.attempt - 1}"
        )
    return None


def _check_outcome(state: RunState, event: MessageSent | MessageFailed) -> str | None:
    message, problem = _claimable(state, event.message)
    if problem or message is None:
        return problem
    if event.attempt != message.attempts or not message.in_doubt:
        return f"message {event.message!r} has no open claim for attempt {event.attempt}"
    return None


# -- apply ------------------------------------------------------------------------------------


def _queued(state: RunState, e: MessageQueued) -> None:
    state.outbox.messages[e.message] = Message(e)


def _claimed(state: RunState, e: MessageClaimed) -> None:
    state.outbox.messages[e.message].claims.append(e)


def _sent(state: RunState, e: MessageSent) -> None:
    state.outbox.messages[e.message].sent = e


def _failed(state: RunState, e: MessageFailed) -> None:
    state.outbox.messages[e.message].failures.append(e)


LEGALITY = {
    "message-queued": _check_queued,
    "message-claimed": _check_claimed,
    "message-sent": _check_outcome,
    "message-failed": _check_outcome,
}
APPLY = {
    "message-queued": _queued,
    "message-claimed": _claimed,
    "message-sent": _sent,
    "message-failed": _failed,
}


def delivering(event: Event) -> bool:
    """What the conductor still records after the run ended: the messages the run owes (a
    rollback announcement, an incident alert) queued and delivered, never anything new."""
    if event.type == "message-queued":
        return event.actor == CONDUCTOR
    if event.type == "note-added" and event.actor == CONDUCTOR:
        return event.key.startswith(NOT_QUEUED_KEY)
    return event.type in ("message-claimed", "message-sent", "message-failed")

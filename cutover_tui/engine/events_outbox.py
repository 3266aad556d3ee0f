"""The outbox's events: a message queued, claimed, sent or failed (engine/outbox.py folds
them; clock/delivery.py delivers).

Split out of engine/events.py unchanged; events.py re-exports every name here, and imports
this module where these classes stood, so the union and EVENT_TYPES keep their order.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from .events_base import EventBase

# -- the outbox (engine/outbox.py folds these; clock/delivery.py delivers) ------------------

Route = Literal["email", "webhook", "log"]


class MessageQueued(EventBase):
    """A message rendered and put in the outbox for one audience on one route. `message` is
    its id in the run (also the receiver's de-duplication key, with the run id)."""

    type: Literal["message-queued"] = "message-queued"
    message: str
    audience: str  # an audience id, or "resolvers" (people with the resolver role)
    route: Route
    to: list[str] = Field(default_factory=list)  # email addresses (empty for webhook, log)
    template: str
    subject: str
    body: str
    step: str | None = None  # the comms step it sends, if any
    cause: str = ""  # what made it: "rollback", "trigger:t1", "cadence", "step", "draft"
    missing: list[str] = Field(default_factory=list)  # values absent when it was rendered


class MessageClaimed(EventBase):
    """The conductor is about to hand the message to its channel (recorded before sending)."""

    type: Literal["message-claimed"] = "message-claimed"
    message: str
    attempt: int
    holder: str = ""
    in_doubt: bool = False  # an earlier claim has no outcome: this may be a second copy


class MessageSent(EventBase):
    type: Literal["message-sent"] = "message-sent"
    message: str
    attempt: int
    answer: str = ""  # the server's answer: SMTP reply, HTTP status


class MessageFailed(EventBase):
    type: Literal["message-failed"] = "message-failed"
    message: str
    attempt: int
    reason: str
    retry_at: AwareDatetime | None = None  # None: no more attempts, undeliverable
    escalated_to: list[str] = Field(default_factory=list)  # communicators told, when final

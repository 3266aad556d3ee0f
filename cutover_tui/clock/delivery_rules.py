"""Two rules of the delivery pass (clock/delivery.py): which message goes next, and what is
said when a message the run owes cannot be queued.

Next: the rollback announcement and the incident alerts (a fired trigger, a failed rollback
checkpoint, an incident's alert or escalation) first, then everything else, each group in
queue order (an incident alert queued before the rollback goes before it), lane order kept
(engine/outbox.py: only a lane's head is due). Each send is
bounded by its channel's deadline, and the pass picks again after every send, so one slow
receiver delays a rollback announcement invoked meanwhile by one deadline at most.

Not queued: the journal refused a message the conductor owes (a text over its limits that
comms/fitting.py did not foresee, say). Swallowed, that was silence: no announcement and no
word anywhere. Said instead, once per message, as the conductor's note in the comms log.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ..engine.events import CONDUCTOR, MessageQueued, NoteAdded
from ..engine.outbox import NOT_QUEUED_KEY, NOT_QUEUED_OPENING, Message
from ..inert import clip
from ..plan.limits import MAX_TEXT_CHARS

_URGENT = ("trigger:", "checkpoint:", "incident:")


def rank(message: Message) -> int:
    """0: the rollback announcement or an incident alert; 1: any other message."""
    cause = message.queued.cause or ""
    return 0 if cause == "rollback" or cause.startswith(_URGENT) else 1


def next_message(due: Iterable[Message], tried: set[str]) -> Message | None:
    """The most urgent due message not tried in this pass (queue order among equals)."""
    waiting = [(rank(m), n, m) for n, m in enumerate(due) if m.id not in tried]
    return min(waiting, key=lambda t: t[:2])[2] if waiting else None


def not_queued_note(event: MessageQueued, reason: str, now: datetime) -> NoteAdded:
    """The conductor's note that `event` was refused, and why."""
    text = clip(
        f"{NOT_QUEUED_OPENING}{event.message} ({event.cause or 'by hand'}): {reason}",
        MAX_TEXT_CHARS,
    )
    return NoteAdded(actor=CONDUCTOR, at=now, text=text, key=f"{NOT_QUEUED_KEY}{event.message}")

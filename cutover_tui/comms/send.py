"""Sending a draft: one core for the CLI (`cutover do RUN send ID`) and the war room's comms
screen. The draft is rendered now with live values, queued per audience and route, and a
comms step is closed with the record of what was sent (comms-sent). The journal checks who may
(the commander or a communicator) in its write transaction.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from ..engine.events import CommsSent, Event, MessageQueued
from ..engine.schedule import Schedule
from ..engine.state import RunState
from ..engine.verdict import Verdict
from .outgoing import LEVEL_DRAFT, Draft, drafts, queue
from .values import RUN, About, values_from


def find_draft(state: RunState, now: datetime, verdict: Verdict, draft_id: str) -> Draft | None:
    """The draft of that id now; `status` is always there on request (a status update)."""
    found = {d.id: d for d in drafts(state, now, verdict.stage)}
    if draft_id in found:
        return found[draft_id]
    if draft_id == LEVEL_DRAFT:
        everyone = tuple(a.id for a in state.plan.audience)
        return Draft(LEVEL_DRAFT, "status-update", everyone, "on request", RUN)
    return None


def send_events(
    state: RunState,
    draft: Draft,
    *,
    actor: str,
    at: datetime,
    sched: Schedule,
    verdict: Verdict,
    log_only: bool,
    subject: str | None = None,
    body: str | None = None,
    key: str | None = None,
) -> list[Event]:
    """The events that send `draft` as `actor`; `subject` and `body` are the sender's edits.
    Under the sender's `key` (`cutover do ... --key`) a status update's ids are made of the key,
    so a retry finds its messages queued (as a comms step's are by the step) and adds none."""

    def values(about: About) -> dict:
        return values_from(state, sched, verdict, about)

    step = draft.id if draft.id != LEVEL_DRAFT else None
    prefix = f"step-{step}" if step else f"status-{_status_id(actor, key)}"
    queued = queue(
        state,
        actor=actor,
        at=at,
        template=draft.template,
        audiences=list(draft.audiences),
        prefix=prefix,
        cause="step" if step else "level",
        values=values,
        about=draft.about,
        log_only=log_only,
        step=step,
    )
    edited = {k: v for k, v in (("subject", subject), ("body", body)) if v}
    events: list[Event] = [e.model_copy(update=edited) for e in queued]
    if step and queued:
        first = events[0]
        events.append(
            CommsSent(
                actor=actor,
                at=at,
                key=f"send:{step}",
                template=draft.template,
                to=list(draft.audiences),
                subject=first.subject,  # type: ignore[union-attr]
                body=first.body,  # type: ignore[union-attr]
                step=step,
            )
        )
    return events


def _status_id(actor: str, key: str | None) -> str:
    """A status update's id: fresh, or made of its sender and their key (keys are per person)."""
    if key is None:
        return uuid.uuid4().hex[:8]
    return hashlib.sha256(f"{actor}\0{key}".encode()).hexdigest()[:8]


def keyed(events: list[Event], key: str, *, fresh: bool) -> list[Event]:
    """`events` under the sender's key: the first of a fresh send takes the key itself (so any
    other command under it is refused as the journal refuses one), every other its own key
    after it ("K:queue:step-x.execs.email"), the same on a retry."""
    out = [e.model_copy(update={"key": f"{key}:{e.key}"}) for e in events]
    if fresh and out:
        out[0] = out[0].model_copy(update={"key": key})
    return out


def under_key(events: list[Event], actor: str, key: str) -> list[Event]:
    """What `actor` recorded under `key`: the event of that key, then those `keyed` after it;
    none when they never used it."""
    if not any(e.actor == actor and e.key == key for e in events):
        return []
    return [e for e in events if e.actor == actor and (e.key == key or e.key.startswith(key + ":"))]


def other_send(earlier: Event, draft_id: str, subject: str | None, body: str | None) -> bool:
    """Whether a send of `draft_id` with these edits is another command than the one whose
    first event is `earlier`: another action, draft, subject or text. An edit left out of a
    retry is not compared (the rendered words may have moved on since)."""
    if not isinstance(earlier, MessageQueued):
        return True
    step = draft_id if draft_id != LEVEL_DRAFT else None
    return (
        earlier.step != step
        or (step is None and earlier.cause != "level")
        or bool(subject and earlier.subject != subject)
        or bool(body and earlier.body != body)
    )

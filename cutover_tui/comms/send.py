"""Sending a draft: one core for the CLI (`cutover do RUN send ID`) and the war room's comms
screen. The draft is rendered now with live values, queued per audience and route, and a
comms step is closed with the record of what was sent (comms-sent). The journal checks who may
(the commander or a communicator) in its write transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from ..engine.events import CommsSent, Event
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
) -> list[Event]:
    """The events that send `draft` as `actor`; `subject` and `body` are the sender's edits."""

    def values(about: About) -> dict:
        return values_from(state, sched, verdict, about)

    step = draft.id if draft.id != LEVEL_DRAFT else None
    prefix = f"step-{step}" if step else f"status-{uuid.uuid4().hex[:8]}"
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

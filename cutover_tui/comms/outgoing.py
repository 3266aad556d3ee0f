"""What goes out when, as events to append: the outbox's entries, and the drafts awaiting a
communicator.

- rollback invoked: the rollback announcement, at once, to the rollback audiences (the
  audiences of the plan's rollback comms steps; every audience when it has none);
- a trigger fired, or a checkpoint whose failure calls for the rollback failed: an incident
  alert to the resolvers (people with the resolver role);
- a comms step ready: a draft for the communicator, who sends it (`cutover do RUN send STEP`);
  a step marked `auto = true` is sent by the conductor;
- an audience with a `cadence` ("every 1h"): a status update each period while the run goes;
- the level AT RISK or LATE: a status-update draft for the communicator;
- a step with RACI: its start, finish or skip to its informed, its failure to its informed and
  its accountable (comms/raci.py).

An audience may be a person (a people key: their `email`) or a RACI role of a step
(`informed:migrate-db`), expanded when the message is queued.

Each message is one audience on one route (email, webhook, log), with an id that says what it
is (`rollback.execs.email`): queuing is idempotent, and a receiver can drop a second copy.
A rehearsal's messages go to the comms log only, unless the host says `rehearsals = "send"`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..engine.events import CONDUCTOR, CommsSent, MessageQueued
from ..engine.outbox import NOT_QUEUED_KEY, RESOLVERS
from ..engine.state import RunState
from ..plan.model import Comms
from .incident_alerts import incident_alerts, person_routes
from .raci import TEMPLATE as NEWS_TEMPLATE
from .raci import expand, news_owed
from .values import RUN, About

if TYPE_CHECKING:  # Jinja2 loads when a message is rendered, not with the conductor (issue 14)
    from .templates import Rendered

Values = Callable[[About], dict[str, Any]]  # the live values for what a message is about
LEVEL_DRAFT = "status"  # the draft id of the status update the level calls for
LEVEL_QUIET = timedelta(minutes=30)  # no level draft within this of the last status update


@dataclass(frozen=True)
class Draft:
    id: str  # the comms step, or LEVEL_DRAFT
    template: str
    audiences: tuple[str, ...]
    why: str
    about: About


def routes(state: RunState, audience: str, log_only: bool) -> list[tuple[str, tuple[str, ...]]]:
    """(route, email addresses) for one audience; log only for a rehearsal that sends nothing."""
    plan = state.plan
    if audience == RESOLVERS:
        emails = tuple(plan.people[k].email or "" for k in plan.people_with_role("resolver"))
        found = tuple(e for e in emails if e)
        return [("log", ())] if log_only or not found else [("email", found)]
    match = next((a for a in plan.audience if a.id == audience), None)
    if match is None and audience in plan.people:  # a person: an incident alert, RACI news
        return person_routes(state, audience, log_only)
    if match is None or log_only:
        return [("log", ())]
    out: list[tuple[str, tuple[str, ...]]] = []
    if match.email:
        out.append(("email", tuple(match.email)))
    if match.webhook:
        out.append(("webhook", ()))
    return out or [("log", ())]


def queue(
    state: RunState,
    *,
    actor: str,
    at: datetime,
    template: str,
    audiences: list[str],
    prefix: str,
    cause: str,
    values: Values,
    about: About = RUN,
    log_only: bool = False,
    step: str | None = None,
) -> list[MessageQueued]:
    """One MessageQueued per audience and route that the outbox does not hold yet, rendered
    with live values (only when one is missing: rendering runs the verdict). Ids are made of
    what the message is, so a queueing cut short by a crash is completed, never doubled."""
    out = []
    held = state.outbox.messages
    for audience in expand(state.plan, audiences):  # "informed:STEP" -> its people, audiences
        pending = [
            (route, to)
            for route, to in routes(state, audience, log_only)
            if f"{prefix}.{audience}.{route}" not in held
        ]
        if not pending:
            continue
        from .fitting import fitted  # within the journal's limits, cut visibly
        from .templates import render  # Jinja2: only when something is rendered

        text: Rendered = fitted(render(state.plan, template, values(_with(about, audience))))
        for route, to in pending:
            message = f"{prefix}.{audience}.{route}"
            out.append(
                MessageQueued(
                    actor=actor,
                    at=at,
                    key=f"queue:{message}",
                    message=message,
                    audience=audience,
                    route=route,
                    to=list(to),
                    template=template,
                    subject=text.subject,
                    body=text.body,
                    step=step,
                    cause=cause,
                    missing=list(text.missing),
                )
            )
    return out


def _with(about: About, audience: str) -> About:
    return replace(about, audience=audience)


# -- the conductor's rules ------------------------------------------------------------------------


def due(state: RunState, now: datetime, values: Values, *, log_only: bool) -> list:
    """What the conductor queues at `now` that the outbox does not hold yet. After the run
    ended, only what it owes: the rollback announcement and the incident alerts."""
    if state.phase == "not-started":
        return []
    common = {"actor": CONDUCTOR, "at": now, "values": values, "log_only": log_only}
    out: list = []
    if state.rollback_at is not None:
        out += queue(
            state,
            template=rollback_template(state),
            audiences=rollback_audiences(state),
            prefix="rollback",
            cause="rollback",
            about=About(reason=state.rollback_reason),
            **common,
        )
    for trigger, fired in state.fired.items():
        out += queue(
            state,
            template="incident",
            audiences=[RESOLVERS],
            prefix=f"trigger-{trigger}",
            cause=f"trigger:{trigger}",
            about=About(step=fired.step, trigger=trigger, reason=fired.reason, raised_at=fired.at),
            **common,
        )
    for sid in failed_rollback_checkpoints(state):
        out += queue(
            state,
            template="incident",
            audiences=[RESOLVERS],
            prefix=f"checkpoint-{sid}",
            cause=f"checkpoint:{sid}",
            about=About(
                step=sid,
                reason=f"checkpoint failed: {state.status[sid].reason}",
                raised_at=state.status[sid].failed_at,
            ),
            **common,
        )
    out += incident_alerts(state, queue, common)  # comms/incident_alerts.py
    for prefix, who, about in news_owed(state, now):  # after the end too: the last finish
        out += queue(
            state,
            template=NEWS_TEMPLATE,
            audiences=who,
            prefix=prefix,
            cause=f"raci:{about.step}",
            about=about,
            **common,
        )
    if state.phase == "ended":
        return out
    for step in ready_comms_steps(state):
        if step.auto:
            out += queue(
                state,
                template=step.template,
                audiences=list(step.to),
                prefix=f"step-{step.id}",
                cause="step",
                about=About(step=step.id),
                step=step.id,
                **common,
            )
            out.append(_closed(state, step, now))
    if state.phase == "running" and state.started_at is not None:
        for audience in state.plan.audience:
            if audience.cadence is None:
                continue
            period = int((now - state.started_at) / audience.cadence)
            if period >= 1:
                out += queue(
                    state,
                    template="status-update",
                    audiences=[audience.id],
                    prefix=f"cadence-{period}",
                    cause=f"cadence:{audience.id}:{period}",
                    **common,
                )
    return out


def owed(state: RunState, log_only: bool, now: datetime | None = None) -> bool:
    """Does the run owe a message nobody queued: the rollback announcement, an incident alert
    (what `due` queues even after the run ended)? Cheap: nothing is rendered. A message the
    journal refused, said so in the conductor's note (clock/delivery_rules.py), is not owed."""

    def missing(prefix: str, audiences: list[str]) -> bool:
        held, said = state.outbox.messages, state.keys
        return any(
            (message := f"{prefix}.{audience}.{route}") not in held
            and f"{NOT_QUEUED_KEY}{message}" not in said
            for audience in expand(state.plan, audiences)
            for route, _ in routes(state, audience, log_only)
        )

    return (
        (state.rollback_at is not None and missing("rollback", rollback_audiences(state)))
        or any(missing(f"trigger-{t}", [RESOLVERS]) for t in state.fired)
        or any(missing(f"checkpoint-{s}", [RESOLVERS]) for s in failed_rollback_checkpoints(state))
        or any(missing(prefix, who) for prefix, who, _ in news_owed(state, now))
    )


def _watched(state: RunState) -> tuple[list[Comms], list[Comms], list[str]]:
    """(the plan's comms steps, the rollback's, the checkpoints whose failure calls for the
    rollback), in order. From the step graph alone, so kept in `state.derived` until an
    amendment changes the graph: the delivery pass asks every tick, and a large plan's
    steps are not walked each time to find its few comms steps."""
    found = state.derived.get("comms:watched")
    if found is None:
        by_id = state.plan.step_by_id
        found = state.derived["comms:watched"] = (
            [s for sid in state.order if isinstance(s := by_id.get(sid), Comms)],
            [s for sid in state.rollback_order if isinstance(s := by_id.get(sid), Comms)],
            [
                sid
                for sid, step in state.steps.items()
                if step.kind == "checkpoint" and step.on_fail == "rollback"
            ],
        )
    return found


def failed_rollback_checkpoints(state: RunState) -> list[str]:
    """Checkpoints whose failure calls for the rollback (`on_fail = "rollback"`): an incident."""
    return [sid for sid in _watched(state)[2] if state.status[sid].status == "failed"]


def _closed(state: RunState, step: Comms, now: datetime) -> CommsSent:
    return CommsSent(
        actor=CONDUCTOR,
        at=now,
        key=f"auto:{step.id}",
        template=step.template,
        to=list(step.to),
        subject=f"sent by the conductor ({len(step.to)} audiences)",
        body="",
        step=step.id,
    )


def rollback_template(state: RunState) -> str:
    steps = [s for s in state.plan.rollback_steps if isinstance(s, Comms)]
    return steps[0].template if steps else "rollback-announcement"


def rollback_audiences(state: RunState) -> list[str]:
    steps = [s for s in state.plan.rollback_steps if isinstance(s, Comms)]
    found = list(dict.fromkeys(a for s in steps for a in s.to))
    return found or [a.id for a in state.plan.audience]


def ready_comms_steps(state: RunState) -> list[Comms]:
    """Comms steps whose predecessors are closed and that are not closed themselves (a send
    cut short leaves its step open: sending it again queues only what is missing)."""
    plan_steps, rollback_steps, _ = _watched(state)
    steps = rollback_steps if state.phase == "rollback" else plan_steps
    return [s for s in steps if not state.status[s.id].closed and state.preds_closed(s.id)]


# -- drafts for the communicator ----------------------------------------------------------------------


def drafts(state: RunState, now: datetime, level: str) -> list[Draft]:
    """Messages waiting for a communicator to send: ready comms steps, and a status update
    when the level (the verdict's stage) is at-risk or late and nobody said so lately."""
    if state.phase not in ("running", "rollback"):
        return []
    out = [
        Draft(s.id, s.template, tuple(s.to), "the step is ready", About(step=s.id))
        for s in ready_comms_steps(state)
        if not s.auto
    ]
    if level in ("at-risk", "late") and not _said_lately(state, now):
        everyone = tuple(a.id for a in state.plan.audience)
        why = f"the run is {level.upper().replace('-', ' ')}"
        out.append(Draft(LEVEL_DRAFT, "status-update", everyone, why, About()))
    return out


def _said_lately(state: RunState, now: datetime) -> bool:
    return any(
        m.queued.template == "status-update" and now - m.queued.at < LEVEL_QUIET
        for m in state.outbox
    )

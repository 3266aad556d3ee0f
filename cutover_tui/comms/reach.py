"""The pre-cutover communication dry run (`cutover comms test PLAN`): a test message through
every configured channel to every address of every audience (each resolver, each person a
step's RACI informs or holds accountable), each
delivered or failed with the time it took. It can run days before the window; it writes no
journal (there may be no run yet): the table is the record, to paste into the readiness pack.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from ..plan.model import Plan
from .channels import DeliveryError, Outgoing, send
from .raci import raci_people
from .settings import CommsSettings


@dataclass(frozen=True)
class Reach:
    audience: str
    route: str
    address: str  # an email address, or "webhook" (its URL may be a secret)
    ok: bool
    seconds: float
    answer: str  # the server's answer, or why it failed


def targets(plan: Plan) -> Iterator[tuple[str, str, str, str | None]]:
    """(audience, route, address, webhook) for every address the plan's contact matrix has,
    then every other person's of the plan: an incident's owner, whoever its chain escalates
    to, the communicators an undeliverable message goes to are paged at their own address
    (user pass, 2026-12-02: the night mailed four people the test had not reached)."""
    for audience in plan.audience:
        for address in audience.email:
            yield audience.id, "email", address, None
        if audience.webhook:
            yield audience.id, "webhook", "webhook", audience.webhook
    tested: set[str] = {a for audience in plan.audience for a in audience.email}
    for key in plan.people_with_role("resolver"):
        email = plan.people[key].email
        if email:
            tested.add(email)
            yield "resolvers", "email", email, None
    for key in raci_people(plan):  # a step's informed or accountable, reached at their email
        email = plan.people[key].email
        if email:
            tested.add(email)
            yield key, "email", email, None
    for key, person in plan.people.items():  # anyone an incident may page, once an address
        if person.email and person.email not in tested:
            tested.add(person.email)
            yield key, "email", person.email, None


def reach_all(plan: Plan, settings: CommsSettings, now: datetime | None = None) -> list[Reach]:
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    test_id = uuid.uuid4().hex[:12]
    rows = []
    for audience, route, address, webhook in targets(plan):
        out = Outgoing(
            key=f"test-{test_id}/{audience}.{route}.{address}",
            audience=audience,
            route=route,
            subject=f"{plan.plan.title}: communication test",
            body=(
                f"This is a test of the cutover's communication channels ({stamp}).\n"
                f"You receive it as {audience}. No action is needed."
            ),
            to=(address,) if route == "email" else (),
            webhook=webhook,
        )
        started = time.perf_counter()
        try:
            answer, ok = send(out, settings), True
        except DeliveryError as exc:
            answer, ok = exc.reason, False
        rows.append(Reach(audience, route, address, ok, time.perf_counter() - started, answer))
    return rows

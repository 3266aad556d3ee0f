"""The outbox fold, as a property: whatever order commands arrive in, the rules keep each
message sent at most once, its attempts numbered, and nothing claimed once closed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cutover_tui.engine.events import (
    CONDUCTOR,
    MessageClaimed,
    MessageFailed,
    MessageQueued,
    MessageSent,
    RunStarted,
)
from cutover_tui.engine.state import apply, check, fold
from cutover_tui.plan import parse_plan
from tests.comms_support import at, comms_plan

PLAN = parse_plan(comms_plan(), name="ct.toml").plan
MESSAGES = ["a.execs.email", "b.execs.email", "c.desk.webhook"]

op = st.tuples(
    st.sampled_from(["queue", "claim", "sent", "fail", "final"]),
    st.sampled_from(MESSAGES),
    st.integers(1, 4),
    st.sampled_from([CONDUCTOR, "boss", "op", "com"]),
)


def event(kind: str, message: str, attempt: int, actor: str, n: int):
    base = {"actor": actor, "at": at(5 + n / 60), "key": f"k{n}", "message": message}
    if kind == "queue":
        audience, route = message.split(".")[1:]
        return MessageQueued(
            **base,
            audience=audience,
            route=route,
            to=["x@example.com"] if route == "email" else [],
            template="t",
            subject="s",
            body="b",
        )
    if kind == "claim":
        return MessageClaimed(**base, attempt=attempt)
    if kind == "sent":
        return MessageSent(**base, attempt=attempt)
    retry = at(6) if kind == "fail" else None
    return MessageFailed(**base, attempt=attempt, reason="no", retry_at=retry)


@settings(max_examples=300, deadline=None)
@given(st.lists(op, max_size=40))
def test_any_order_of_commands_keeps_the_outbox_sound(ops) -> None:
    state = fold(PLAN, [RunStarted(actor="boss", at=at(0), plan_id="ct", key="r")])
    for n, (kind, message, attempt, actor) in enumerate(ops):
        e = event(kind, message, attempt, actor, n)
        if check(state, e) is None:
            if kind != "queue":
                assert actor == CONDUCTOR
            else:
                assert actor in (CONDUCTOR, "boss", "com")  # the commander, a communicator
            apply(state, e)
    for m in state.outbox:
        assert [c.attempt for c in m.claims] == list(range(1, m.attempts + 1))
        assert len(m.failures) <= m.attempts
        assert not (m.sent and m.status != "sent")
        if m.status == "undeliverable":
            assert m.failures[-1].retry_at is None and m.failures[-1].attempt == m.attempts
    heads = state.outbox.due(at(100))
    assert len({m.lane for m in heads}) == len(heads)  # one per lane

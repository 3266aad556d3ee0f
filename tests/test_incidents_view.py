"""The response figures the review reads (`cutover incidents --json`) and the rows every screen
shows: time to acknowledge and resolve, SLA met or breached, what each incident owes next."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cutover_tui.engine.events import (
    IncidentAcknowledged,
    IncidentRaised,
    IncidentResolved,
    RunStarted,
)
from cutover_tui.engine.incident_view import as_json, rows
from cutover_tui.engine.state import fold
from cutover_tui.plan import parse_plan
from tests.incident_support import MIDNIGHT, bridge_plan, hm

PLAN = parse_plan(bridge_plan(commander_login="cmdr-login"), name="bridge.toml").plan


def night(*events):
    return fold(PLAN, [RunStarted(actor="cmdr", at=MIDNIGHT, plan_id="bridge", key="go"), *events])


RAISED = IncidentRaised(actor="op", at=hm("01:00"), severity="sev1", title="500s", key="r")


@pytest.mark.parametrize(
    ("ack_at", "now", "met", "to_ack"),
    [
        ("01:04:59", "01:30", True, 299.0),
        ("01:05", "01:30", True, 300.0),  # on the minute is inside
        ("01:05:01", "01:30", False, 301.0),
        (None, "01:04", None, None),  # still inside its SLA: not decided yet
        (None, "01:06", False, None),  # past it, unacknowledged: breached
    ],
)
def test_ack_sla_met_or_breached(ack_at, now, met, to_ack) -> None:
    events = [RAISED]
    if ack_at:
        events.append(IncidentAcknowledged(actor="res", at=hm(ack_at), incident=1, key="a"))
    [inc] = as_json(night(*events), hm(now))["incidents"]
    assert (inc["ack_sla_met"], inc["time_to_acknowledge_s"]) == (met, to_ack)
    assert inc["ack_sla_s"] == 300.0


def test_resolved_figures_and_rows() -> None:
    state = night(
        RAISED,
        IncidentAcknowledged(actor="res", at=hm("01:02"), incident=1, key="a"),
        IncidentResolved(actor="res", at=hm("01:40"), incident=1, resolution="ok", key="v"),
        IncidentRaised(actor="op", at=hm("01:10"), severity="sev3", title="slow", key="r2"),
    )
    report = as_json(state, hm("02:00"))
    by_id = {i["id"]: i for i in report["incidents"]}
    assert by_id["INC-1"]["time_to_resolve_s"] == 2400.0
    assert by_id["INC-1"]["status"] == "resolved" and by_id["INC-1"]["due"] is None
    # SEV3 (30m to acknowledge), raised 01:10, first escalation due 01:40: 20 minutes overdue
    assert by_id["INC-2"]["waiting_for"] == "ack" and by_id["INC-2"]["left_s"] == -1200.0
    order = [r.label for r in rows(state, hm("02:00"))]
    assert order == ["INC-2", "INC-1"]  # open first, resolved last
    acked = rows(
        night(RAISED, IncidentAcknowledged(actor="res", at=hm("01:02"), incident=1, key="a")),
        hm("01:10"),
    )
    assert (acked[0].waiting, acked[0].left) == ("update", timedelta(minutes=7))  # 01:17

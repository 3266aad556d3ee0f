"""The conductor escalates an unacknowledged incident once per SLA breach, up to the commander,
reminds an owner whose update is overdue, and opens incidents for fired triggers and failed
checkpoints: each exactly once, also when the conductor fails over (a real journal)."""

from __future__ import annotations

from pathlib import Path

from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import AcceleratedClock, FixedClock
from cutover_tui.engine.events import (
    CheckpointFailed,
    IncidentAcknowledged,
    IncidentAssigned,
    IncidentRaised,
    IncidentUpdated,
    StepCompleted,
    StepStarted,
)
from cutover_tui.journal.run_lookup import event_rows
from cutover_tui.journal.store import Journal
from tests.incident_support import hm, new_bridge_run
from tests.waiting import until_async

WATCHED = ("incident-raised", "incident-escalated", "incident-reminded")


def rows(journal: Journal, *types: str) -> list[tuple[str, str, str]]:
    """(type, key, at HH:MM:SS) of the journal's events of these types, in order."""
    out = []
    for r in event_rows(Journal(journal.path)):
        if r["type"] in (types or WATCHED):
            body = r["body"]
            out.append((r["type"], r["key"], body["at"][11:19]))
    return out


def raise_sev1(journal: Journal, at: str = "01:00") -> None:
    journal.append(
        IncidentRaised(actor="op", at=hm(at), severity="sev1", title="orders API 500s", key="r1")
    )


def escalations(journal: Journal) -> list[tuple[str, str]]:
    state = Journal(journal.path).state()
    return [(e.to, f"{e.at:%H:%M:%S}") for e in state.incidents.incidents[1].escalations]


def test_unacknowledged_sev1_escalates_at_each_sla_up_to_the_commander_once(tmp_path: Path) -> None:
    journal = new_bridge_run(tmp_path)
    raise_sev1(journal)
    clock = FixedClock(hm("01:00"))
    conductor = Conductor(Journal(journal.path), clock, holder="A")
    for minute in ("01:02", "01:04:59", "01:05", "01:05:30", "01:09", "01:10", "01:20", "01:40"):
        clock.set(hm(minute))
        conductor.tick()
        conductor.tick()  # a second look at the same moment writes nothing more
    # res owns it (the first resolver); res escalates to lead, lead to the commander: then no more
    assert escalations(journal) == [("lead", "01:05:00"), ("cmdr", "01:10:00")]
    assert rows(journal, "incident-escalated") == [
        ("incident-escalated", "escalate:1:0:1", "01:05:00"),
        ("incident-escalated", "escalate:1:0:2", "01:10:00"),
    ]


def test_an_acknowledgement_at_0103_stops_the_escalation(tmp_path: Path) -> None:
    journal = new_bridge_run(tmp_path)
    raise_sev1(journal)
    journal.append(IncidentAcknowledged(actor="res", at=hm("01:03"), incident=1, key="ack"))
    clock = FixedClock(hm("01:03"))
    conductor = Conductor(Journal(journal.path), clock, holder="A")
    for minute in ("01:05", "01:10", "01:15"):
        clock.set(hm(minute))
        conductor.tick()
    assert escalations(journal) == []


def test_failover_at_010430_still_escalates_once_at_0105(tmp_path: Path) -> None:
    journal = new_bridge_run(tmp_path)
    raise_sev1(journal)
    wall = [1000.0]
    a_clock, b_clock = FixedClock(hm("01:04:30")), FixedClock(hm("01:04:30"))
    a = Conductor(Journal(journal.path), a_clock, holder="A", wall=lambda: wall[0])
    b = Conductor(Journal(journal.path), b_clock, holder="B", wall=lambda: wall[0])
    assert a.tick() == [] and a.holding  # A conducts at 01:04:30, then dies
    wall[0] += 10  # its lease expires
    b_clock.set(hm("01:05:07"))  # B takes over a few seconds after the SLA passed
    b.tick()
    assert b.holding
    a_clock.set(hm("01:05:08"))  # A comes back: the lease is B's, and the breach is written
    a.tick()
    wall[0] += 10  # B dies too; A takes the lease back and looks again at 01:06
    a_clock.set(hm("01:06"))
    a.tick()
    assert a.holding
    assert escalations(journal) == [("lead", "01:05:00")]
    assert len(rows(journal, "incident-escalated")) == 1


def test_two_conductors_racing_on_one_breach_record_it_once(tmp_path: Path) -> None:
    journal = new_bridge_run(tmp_path)
    raise_sev1(journal)
    a, b = Journal(journal.path), Journal(journal.path)
    from cutover_tui.engine.escalation import due_incident_events

    seen_a = due_incident_events(a.state(), hm("01:05"))  # both worked it out from one state
    seen_b = due_incident_events(b.state(), hm("01:05"))
    assert [e.key for e in seen_a] == [e.key for e in seen_b] == ["escalate:1:0:1"]
    a.append(seen_a[0])
    b.append(seen_b[0])  # the same key by the same author: the stored event, not a second
    assert len(rows(journal, "incident-escalated")) == 1


def test_reassignment_restarts_the_sla_for_the_new_owner(tmp_path: Path) -> None:
    journal = new_bridge_run(tmp_path)
    raise_sev1(journal)
    journal.append(IncidentAcknowledged(actor="res", at=hm("01:01"), incident=1, key="ack"))
    journal.append(
        IncidentAssigned(
            actor="cmdr", at=hm("01:02"), incident=1, owner="lead", key="re", reason="db"
        )
    )
    clock = FixedClock(hm("01:06"))
    conductor = Conductor(Journal(journal.path), clock, holder="A")
    conductor.tick()
    assert escalations(journal) == []  # lead's SLA runs from 01:02
    clock.set(hm("01:07"))
    conductor.tick()
    assert escalations(journal) == [("cmdr", "01:07:00")]  # lead's chain: the commander next


def test_an_overdue_update_reminds_the_owner_once_per_cadence(tmp_path: Path) -> None:
    journal = new_bridge_run(tmp_path)
    raise_sev1(journal)
    journal.append(IncidentAcknowledged(actor="res", at=hm("01:02"), incident=1, key="ack"))
    clock = FixedClock(hm("01:10"))
    conductor = Conductor(Journal(journal.path), clock, holder="A")
    for minute in ("01:16", "01:17", "01:20"):  # SEV1: an update every 15 minutes
        clock.set(hm(minute))
        conductor.tick()
    journal.append(
        IncidentUpdated(actor="res", at=hm("01:21"), incident=1, text="failing over", key="u")
    )
    for minute in ("01:35", "01:36", "01:51"):
        clock.set(hm(minute))
        conductor.tick()
    assert rows(journal, "incident-reminded") == [
        ("incident-reminded", f"remind:1:{hm('01:17').isoformat()}", "01:17:00"),
        ("incident-reminded", f"remind:1:{hm('01:36').isoformat()}", "01:36:00"),
        ("incident-reminded", f"remind:1:{hm('01:51').isoformat()}", "01:51:00"),
    ]


def test_a_fired_rollback_trigger_and_a_failed_checkpoint_open_incidents_once(
    tmp_path: Path,
) -> None:
    journal = new_bridge_run(tmp_path)
    journal.append(StepStarted(actor="op", at=hm("00:00"), step="load", key="s"))
    wall = [1000.0]
    clock = FixedClock(hm("00:46"))
    a = Conductor(Journal(journal.path), clock, holder="A", wall=lambda: wall[0])
    a.tick()  # the trigger fires (45m running over)
    a.tick()  # and opens its incident
    wall[0] += 10
    b_clock = FixedClock(hm("00:47"))
    b = Conductor(Journal(journal.path), b_clock, holder="B", wall=lambda: wall[0])
    b.tick()  # the successor sees it already open
    journal.append(StepCompleted(actor="op", at=hm("00:48"), step="load", key="c"))
    journal.append(
        CheckpointFailed(actor="op", at=hm("00:50"), step="verify", evidence="3 short", key="f")
    )
    b_clock.set(hm("00:51"))
    b.tick()
    b.tick()
    state = Journal(journal.path).state()
    opened = [(i.severity, i.raised.cause, i.raised.step, i.owner) for i in state.incidents]
    assert opened == [
        ("sev1", "trigger:load-stuck", "load", "res"),
        ("sev2", "checkpoint:verify", "verify", "res"),
    ]
    assert [k for t, k, _ in rows(journal, "incident-raised")] == [
        "incident:trigger:load-stuck",
        "incident:checkpoint:verify",
    ]


async def test_on_an_accelerated_clock_the_date_jobs_escalate_on_time(tmp_path: Path) -> None:
    journal = new_bridge_run(tmp_path)
    raise_sev1(journal)
    clock = AcceleratedClock(hm("01:00"), factor=600)  # 10 simulated minutes in 1 s
    conductor = Conductor(Journal(journal.path), clock, holder="A")
    await conductor.start()
    try:
        assert f"due:{hm('01:05').isoformat()}" in dict(conductor.jobs())
        await until_async(lambda: len(escalations(journal)) >= 2, "both escalations written")
    finally:
        conductor.stop()
    assert escalations(journal) == [("lead", "01:05:00"), ("cmdr", "01:10:00")]


def test_each_escalation_reaches_its_person_by_email_once(
    tmp_path: Path, mail, monkeypatch
) -> None:
    from tests.comms_support import use_comms_config

    use_comms_config(monkeypatch, tmp_path, mail.port)
    journal = new_bridge_run(tmp_path)
    raise_sev1(journal)
    clock = FixedClock(hm("01:00:10"))
    conductor = Conductor(Journal(journal.path), clock, holder="A")
    for minute in ("01:00:10", "01:05", "01:05:01", "01:10", "01:11"):
        clock.set(hm(minute))
        conductor.tick()
    # The owner paged when it was raised, then lead at 01:05; the commander has no address:
    # the log route says it instead.
    assert [to for to, _ in mail.messages] == [["rita@example.com"], ["leo@example.com"]]
    paged = mail.messages[1][1].get_content()
    assert "INC-1 SEV1 orders API 500s: not acknowledged in time by Rita Resolver (res)" in paged
    # Raised by a person, not a trigger: said so, not "[no trigger yet]" (user pass, 2026-12-02)
    assert "Trigger: none (raised by " in paged and "[no trigger" not in paged, paged
    # Sent at 01:05, it says when the incident was raised (it said 01:05; user pass).
    assert "Incident at 01:00: INC-1" in paged, paged
    assert "Concerned: none." in paged and "[no step" not in paged, paged  # raised without one
    assert mail.messages[1][1]["Subject"].endswith("incident at 01:00")
    state = Journal(journal.path).state()
    routes = sorted((m.queued.audience, m.queued.route, m.status) for m in state.outbox)
    assert routes == [
        ("cmdr", "log", "sent"),
        ("lead", "email", "sent"),
        ("res", "email", "sent"),
    ]


def test_a_new_owner_is_paged_and_a_resolved_incident_pages_nobody(
    tmp_path: Path, mail, monkeypatch
) -> None:
    from cutover_tui.engine.events import IncidentResolved
    from tests.comms_support import use_comms_config

    use_comms_config(monkeypatch, tmp_path, mail.port)
    journal = new_bridge_run(tmp_path)
    raise_sev1(journal)
    journal.append(
        IncidentAssigned(actor="cmdr", at=hm("01:01"), incident=1, owner="lead", key="re")
    )
    journal.append(
        IncidentRaised(actor="op", at=hm("01:01"), severity="sev3", title="gone", key="r2")
    )
    journal.append(
        IncidentResolved(actor="cmdr", at=hm("01:02"), incident=2, resolution="x", key="v")
    )
    Conductor(Journal(journal.path), FixedClock(hm("01:02")), holder="A").tick()
    assert [to for to, _ in mail.messages] == [["rita@example.com"], ["leo@example.com"]]
    assert "INC-1 SEV1 orders API 500s: re-assigned to you" in mail.messages[1][1].get_content()

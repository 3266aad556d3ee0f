"""Messages that reach people: queued when due, delivered by the conductor to a real SMTP
server (aiosmtpd) and a real HTTP receiver on 127.0.0.1, retried, and recorded once."""

from __future__ import annotations

from pathlib import Path

from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import RollbackInvoked, StepCompleted, StepStarted
from cutover_tui.journal.run_lookup import event_rows
from cutover_tui.journal.store import Journal
from tests.comms_support import (
    Hooks,
    Mailbox,
    at,
    comms_plan,
    free_port,
    new_run,
    smtp_server,
    use_comms_config,
)


def outbox_rows(journal: Journal) -> list[tuple[str, str]]:
    return [
        (r["type"], r["key"])
        for r in event_rows(Journal(journal.path))
        if r["type"].startswith("message-")
    ]


def rolled_back(tmp_path: Path, hooks: Hooks) -> Journal:
    journal = new_run(tmp_path, comms_plan(hooks.url))
    journal.append(StepStarted(actor="boss", at=at(1), step="migrate", key="m1"))
    journal.append(
        RollbackInvoked(actor="boss", at=at(10), reason="the ledgers do not balance", key="rb")
    )
    return journal


def test_rollback_announcement_arrives_by_email_and_webhook_with_live_figures(
    tmp_path: Path, hooks: Hooks, mail: Mailbox, monkeypatch
) -> None:
    use_comms_config(monkeypatch, tmp_path, mail.port)
    journal = rolled_back(tmp_path, hooks)
    conductor = Conductor(Journal(journal.path), FixedClock(at(11)), holder="A")
    conductor.tick()
    # Executives by email (both addresses in one message), the desk by email and webhook.
    assert sorted(sorted(to) for to, _ in mail.messages) == [
        ["ceo@example.com", "cfo@example.com"],
        ["desk@example.com"],
    ]
    _, first = mail.messages[0]
    assert first["Subject"] == "Comms test: rolling back"
    text = first.get_content()
    assert "the ledgers do not balance" in text
    assert "At 22:11" in text  # now, in the plan's zone
    assert "finish by 23:10" in text  # the rollback deadline: invoked 22:10 + RTO 1h
    assert "Bea Boss" in text  # the commander
    assert first["X-Cutover-Key"].endswith("/rollback.execs.email")
    [post] = hooks.bodies()
    assert post["subject"] == "Comms test: rolling back" and "Bea Boss" in post["body"]
    assert post["key"].endswith("/rollback.desk.webhook")
    sent = [k for t, k in outbox_rows(journal) if t == "message-sent"]
    assert sorted(sent) == [
        "sent:rollback.desk.email",
        "sent:rollback.desk.webhook",
        "sent:rollback.execs.email",
    ]
    assert conductor.tick() == []  # nothing twice


def test_smtp_down_then_up_arrives_once_in_order_after_retries(
    tmp_path: Path, hooks: Hooks, monkeypatch
) -> None:
    port = free_port()
    use_comms_config(monkeypatch, tmp_path, port)
    journal = new_run(tmp_path, comms_plan(hooks.url))
    clock = FixedClock(at(1))
    conductor = Conductor(Journal(journal.path), clock, holder="A")
    journal.append(StepStarted(actor="boss", at=at(1), step="slow", key="s1"))
    clock.set(at(32))  # the alert trigger fires: an incident alert to the resolvers
    conductor.tick()
    journal.append(RollbackInvoked(actor="boss", at=at(32), reason="stuck", key="rb"))
    conductor.tick()  # down: every email fails, retried later
    failed = [k for t, k in outbox_rows(journal) if t == "message-failed"]
    assert "failed:trigger-slow-stuck.resolvers.email:1" in failed
    box = Mailbox()
    controller = smtp_server(box, port=port)
    try:
        conductor.tick()  # not yet due again (same moment): nothing sent
        conductor.tick()
        assert box.messages == []
        clock.set(at(33))  # past the 10 s backoff
        conductor.tick()
        conductor.tick()
    finally:
        controller.stop()
    keys = box.keys()
    assert len(keys) == len(set(keys)) == 3
    # In order: the incident was queued before the rollback announcement.
    assert [k.split("/")[1] for k in keys] == [
        "trigger-slow-stuck.resolvers.email",
        "rollback.execs.email",
        "rollback.desk.email",
    ]
    assert box.messages[0][1]["X-Cutover-Resend"] == "in-doubt"  # attempt 2 may be a copy


def test_webhook_500_then_200(tmp_path: Path, hooks: Hooks, mail: Mailbox, monkeypatch) -> None:
    use_comms_config(monkeypatch, tmp_path, mail.port)
    hooks.codes = [500]
    journal = rolled_back(tmp_path, hooks)
    clock = FixedClock(at(11))
    conductor = Conductor(Journal(journal.path), clock, holder="A")
    conductor.tick()
    assert hooks.posts == []
    rows = event_rows(Journal(journal.path))
    [failure] = [r for r in rows if r["type"] == "message-failed"]
    assert "HTTP 500" in failure["body"]["reason"] and failure["body"]["retry_at"]
    clock.set(at(12))
    conductor.tick()
    assert len(hooks.posts) == 1
    [sent] = [
        r for r in event_rows(Journal(journal.path)) if r["key"] == "sent:rollback.desk.webhook"
    ]
    assert sent["body"]["answer"] == "HTTP 200" and sent["body"]["attempt"] == 2


def test_undeliverable_after_the_last_attempt_is_escalated_to_the_communicator(
    tmp_path: Path, hooks: Hooks, monkeypatch
) -> None:
    use_comms_config(monkeypatch, tmp_path, free_port())
    journal = rolled_back(tmp_path, hooks)
    clock = FixedClock(at(11))
    conductor = Conductor(Journal(journal.path), clock, holder="A")
    for minute in range(11, 30):  # 10 s, 20 s, 40 s backoff: four attempts inside 2 minutes
        clock.set(at(minute))
        conductor.tick()
    state = Journal(journal.path).state()
    message = state.outbox.messages["rollback.execs.email"]
    assert message.status == "undeliverable" and message.attempts == 4
    assert message.failures[-1].escalated_to == ["com"]
    assert state.outbox.messages["rollback.desk.webhook"].status == "sent"


def test_a_comms_step_ready_is_a_draft_and_an_auto_step_is_sent(
    tmp_path: Path, hooks: Hooks, mail: Mailbox, monkeypatch
) -> None:
    from cutover_tui.comms.outgoing import drafts

    use_comms_config(monkeypatch, tmp_path, mail.port)
    text = comms_plan(hooks.url).replace(
        'to = ["execs", "desk"]\n[rollback]', 'to = ["execs", "desk"]\nauto = true\n[rollback]'
    )
    journal = new_run(tmp_path, text)
    journal.append(StepStarted(actor="boss", at=at(1), step="migrate", key="m1"))
    conductor = Conductor(Journal(journal.path), FixedClock(at(20)), holder="A")
    conductor.tick()
    assert mail.messages == []
    journal.append(StepCompleted(actor="boss", at=at(20), step="migrate", key="m2"))
    conductor.tick()
    state = Journal(journal.path).state()
    assert state.status["announce"].status == "done"
    assert len(mail.messages) == 2 and len(hooks.posts) == 1
    assert "status" not in [d.id for d in drafts(state, at(20), "on-track")]


def test_cadence_sends_a_status_update_each_period_and_the_level_asks_for_a_draft(
    tmp_path: Path, hooks: Hooks, mail: Mailbox, monkeypatch
) -> None:
    from cutover_tui.comms.outgoing import drafts

    use_comms_config(monkeypatch, tmp_path, mail.port)
    text = comms_plan(hooks.url).replace(
        'email = ["ceo@example.com", "cfo@example.com"]',
        'email = ["ceo@example.com", "cfo@example.com"]\ncadence = "every 1h"',
    )
    journal = new_run(tmp_path, text)
    journal.append(StepStarted(actor="boss", at=at(1), step="migrate", key="m1"))
    clock = FixedClock(at(30))
    conductor = Conductor(Journal(journal.path), clock, holder="A")
    conductor.tick()
    assert mail.messages == []  # the first period has not passed
    for minute in (61, 62, 119):
        clock.set(at(minute))
        conductor.tick()
    assert len(mail.messages) == 1  # one per period, not one per tick
    _, update = mail.messages[0]
    assert update["X-Cutover-Key"].endswith("/cadence-1.execs.email")
    assert "Now running: Migrate the data" in update.get_content()
    clock.set(at(121))
    conductor.tick()
    assert [m["X-Cutover-Key"].split("/")[1] for _, m in mail.messages] == [
        "cadence-1.execs.email",
        "cadence-2.execs.email",
    ]
    state = Journal(journal.path).state()
    # AT RISK or LATE: a status update drafted for the communicator, unless one went lately.
    assert "status" not in [d.id for d in drafts(state, at(121), "late")]
    assert "status" in [d.id for d in drafts(state, at(160), "late")]
    assert "status" not in [d.id for d in drafts(state, at(160), "on-track")]


def test_a_rehearsal_sends_to_the_comms_log_only(
    tmp_path: Path, hooks: Hooks, mail: Mailbox, monkeypatch
) -> None:
    config = use_comms_config(monkeypatch, tmp_path, mail.port)
    config.write_text(config.read_text().replace('rehearsals = "send"', 'rehearsals = "log"'))
    journal = new_run(tmp_path, comms_plan(hooks.url), rehearsal=True)
    journal.append(RollbackInvoked(actor="boss", at=at(10), reason="practice", key="rb"))
    Conductor(Journal(journal.path), FixedClock(at(11)), holder="A").tick()
    state = Journal(journal.path).state()
    assert {m.queued.route for m in state.outbox} == {"log"}
    assert {m.sent.answer for m in state.outbox if m.sent} == {"recorded in the comms log"}
    assert mail.messages == [] and hooks.posts == []


def test_webhook_payloads_for_slack_teams_and_json() -> None:
    from cutover_tui.comms.channels import Outgoing, payload

    out = Outgoing("run/m", "desk", "webhook", "Rolled <back> & done", "line 1\nline 2")
    assert payload(out, "slack") == {"text": "Rolled &lt;back&gt; &amp; done\nline 1\nline 2"}
    teams = payload(out, "teams")
    assert teams["@type"] == "MessageCard" and teams["title"] == "Rolled <back> & done"
    assert teams["text"] == "line 1\n\nline 2"
    assert payload(out, "json")["key"] == "run/m"


def test_a_failed_rollback_checkpoint_alerts_the_resolvers(
    tmp_path: Path, hooks: Hooks, mail: Mailbox, monkeypatch
) -> None:
    from cutover_tui.engine.events import CheckpointFailed

    use_comms_config(monkeypatch, tmp_path, mail.port)
    text = comms_plan(hooks.url).replace(
        '[[step]]\nid = "slow"',
        '[[step]]\nid = "check"\nkind = "checkpoint"\ntitle = "Ledgers balance"\nowner = "boss"\n'
        'duration = "5m"\nverify = "sums match"\non_fail = "rollback"\n\n[[step]]\nid = "slow"',
    )
    journal = new_run(tmp_path, text)
    journal.append(
        CheckpointFailed(actor="boss", at=at(5), step="check", evidence="off by 3", key="c")
    )
    Conductor(Journal(journal.path), FixedClock(at(6)), holder="A").tick()
    [(to, alert)] = mail.messages
    assert to == ["rex@example.com"]
    assert "checkpoint failed: off by 3" in alert.get_content()
    assert "Concerned: Ledgers balance" in alert.get_content()


def test_a_queueing_cut_short_is_completed_not_doubled(
    tmp_path: Path, hooks: Hooks, mail: Mailbox, monkeypatch
) -> None:
    from cutover_tui.engine.events import CONDUCTOR, MessageQueued

    use_comms_config(monkeypatch, tmp_path, mail.port)
    journal = rolled_back(tmp_path, hooks)
    # A conductor died after queueing the first of the three rollback messages.
    journal.append(
        MessageQueued(
            actor=CONDUCTOR,
            at=at(10),
            key="queue:rollback.execs.email",
            message="rollback.execs.email",
            audience="execs",
            route="email",
            to=["ceo@example.com", "cfo@example.com"],
            template="rollback-announcement",
            subject="Comms test: rolling back",
            body="...",
            cause="rollback",
        )
    )
    Conductor(Journal(journal.path), FixedClock(at(11)), holder="B").tick()
    state = Journal(journal.path).state()
    assert sorted(state.outbox.messages) == [
        "rollback.desk.email",
        "rollback.desk.webhook",
        "rollback.execs.email",
    ]
    assert len(mail.messages) == 2 and len(hooks.posts) == 1


def test_a_run_ended_right_after_the_rollback_still_gets_its_announcement(
    tmp_path: Path, hooks: Hooks, mail: Mailbox, monkeypatch
) -> None:
    from cutover_tui.engine.events import RunEnded

    use_comms_config(monkeypatch, tmp_path, mail.port)
    journal = rolled_back(tmp_path, hooks)
    journal.append(RunEnded(actor="boss", at=at(10), outcome="rolled-back", key="end"))
    conductor = Conductor(Journal(journal.path), FixedClock(at(11)), holder="A")
    assert not conductor.ended  # it owes the announcement: `cutover conduct` does not leave
    conductor.tick()
    assert len(mail.messages) == 2 and len(hooks.posts) == 1
    assert conductor.ended  # everything it owed is sent

"""`cutover comms config | test PLAN | RUN`, and `cutover do RUN send DRAFT_OR_STEP`, through
the real CLI against a real SMTP server and HTTP receiver on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cutover_tui.cli import main
from cutover_tui.engine.events import StepCompleted, StepStarted
from cutover_tui.engine.state import Refused
from cutover_tui.journal.store import Journal
from tests.comms_support import (
    Hooks,
    Mailbox,
    at,
    comms_config,
    comms_plan,
    new_run,
    queued,
    smtp_server,
    use_comms_config,
)


@pytest.fixture
def servers(tmp_path: Path, monkeypatch):
    box, hooks = Mailbox(), Hooks()
    controller = smtp_server(box)
    use_comms_config(monkeypatch, tmp_path, controller.port)
    yield box, hooks
    controller.stop()
    hooks.close()


def test_comms_config_says_where_it_reads_and_never_a_secret(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    config = comms_config(tmp_path / "comms.toml", 2525)
    config.write_text(config.read_text() + '[webhook]\nformat = "slack"\nsecret_env = "HOOK_KEY"\n')
    monkeypatch.setenv("CUTOVER_COMMS_CONFIG", str(config))
    monkeypatch.setenv("HOOK_KEY", "very-secret-key")
    assert main(["comms", "config"]) == 0
    out = capsys.readouterr().out
    assert f"comms settings: {config} (read)" in out
    assert "127.0.0.1:2525 none" in out and "HMAC key from $HOOK_KEY" in out
    assert "very-secret-key" not in out
    config.write_text("[smtp]\nport = 25\n")
    assert main(["comms", "config"]) == 1
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "comms.toml:1: smtp.host: needed" in err


def test_comms_test_reaches_every_address_and_prints_a_table(
    tmp_path: Path, servers, capsys
) -> None:
    box, hooks = servers
    plan = tmp_path / "ct.toml"
    plan.write_text(comms_plan(hooks.url))
    assert main(["comms", "test", str(plan)]) == 0
    out = capsys.readouterr().out
    # ceo, cfo, desk (email), desk (webhook), rex (resolvers), and the people an incident
    # may page at their own address: bea (commander), cora (communicator).
    assert "7 of 7 addresses reached" in out
    assert sorted(to[0] for to, _ in box.messages) == [
        "bea@example.com",
        "ceo@example.com",
        "cfo@example.com",
        "cora@example.com",
        "desk@example.com",
        "rex@example.com",
    ]
    assert "boss                 email    bea@example.com" in out
    assert len(hooks.posts) == 1
    assert "delivered" in out and "250" in out and "HTTP 200" in out


def test_comms_test_says_which_address_failed(tmp_path: Path, monkeypatch, capsys) -> None:
    from tests.comms_support import free_port

    monkeypatch.setenv("CUTOVER_COMMS_CONFIG", str(comms_config(tmp_path / "c.toml", free_port())))
    plan = tmp_path / "ct.toml"
    plan.write_text(comms_plan("http://127.0.0.1:9/hook"))
    assert main(["comms", "test", str(plan)]) == 1
    out = capsys.readouterr().out
    assert "0 of 7 addresses reached" in out and "FAILED" in out


def test_send_a_ready_comms_step_queues_it_and_closes_the_step(
    tmp_path: Path, servers, capsys
) -> None:
    _box, hooks = servers
    journal = new_run(tmp_path / "runs", comms_plan(hooks.url))
    journal.append(StepStarted(actor="boss", at=at(1), step="migrate", key="m1"))
    runs = ["--runs", str(tmp_path / "runs")]
    assert main(["do", journal.run_id, "send", "announce", *runs]) == 1
    assert "no draft 'announce' to send (drafts: none now)" in capsys.readouterr().err
    journal.append(StepCompleted(actor="boss", at=at(20), step="migrate", key="m2"))
    assert main(["comms", journal.run_id, "--drafts", *runs]) == 0
    out = capsys.readouterr().out
    assert "announce: the step is ready; to execs, desk" in out
    assert "| Status at" in out and "Commander: Bea Boss" in out
    assert main(["do", journal.run_id, "send", "announce", "--subject", "Migrated", *runs]) == 0
    out = capsys.readouterr().out
    assert "message-queued step-announce.execs.email" in out and "comms-sent" in out
    state = Journal(journal.path).state()
    assert state.status["announce"].status == "done"
    assert {m.queued.subject for m in state.outbox} == {"Migrated"}
    assert [m.id for m in state.outbox] == [
        "step-announce.execs.email",
        "step-announce.desk.email",
        "step-announce.desk.webhook",
    ]
    assert main(["comms", journal.run_id, "--outbox", *runs]) == 0
    assert "queued        step-announce.execs.email" in capsys.readouterr().out


def test_only_the_commander_and_a_communicator_may_send(tmp_path: Path) -> None:
    journal = new_run(tmp_path / "runs", comms_plan())
    message = queued("x.execs.email", actor="op")
    with pytest.raises(
        Refused,
        match=r"may not send messages: only the commander \(Bea Boss \(boss\)\) or a communicator",
    ):
        journal.append(message)
    journal.append(message.model_copy(update={"actor": "com"}))
    with pytest.raises(Refused, match="already queued by Cora Comms"):
        journal.append(message.model_copy(update={"actor": "boss", "key": "q2"}))
    with pytest.raises(Refused, match="only the conductor records message-sent"):
        from cutover_tui.engine.events import MessageSent

        journal.append(
            MessageSent(actor="boss", at=at(5), key="s", message="x.execs.email", attempt=1)
        )


def test_the_outbox_listing_keeps_a_subject_on_its_line(tmp_path: Path, capsys) -> None:
    # Regression (user pass, 2026-12-02): a subject's line feed started a line of its own in
    # `cutover comms RUN --outbox`, so `Bcc: attacker@evil.example` read as a header line.
    journal = new_run(tmp_path / "runs", comms_plan())
    subject = "Migrated\nBcc: attacker@evil.example\rX"
    journal.append(queued("x.execs.email", actor="com", subject=subject))
    assert main(["comms", journal.run_id, "--outbox", "--runs", str(tmp_path / "runs")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert not [line for line in lines if line.lstrip().startswith("Bcc:")], lines
    assert any("Migrated⏎Bcc: attacker@evil.example" in line for line in lines), lines


def test_an_audiences_cadence_is_said_as_a_duration(tmp_path: Path, capsys) -> None:
    # User pass, 2026-12-02: the contacts listing said "every 0:02:00" (a raw timedelta).
    text = comms_plan().replace('name = "Executives"\n', 'name = "Executives"\ncadence = "30m"\n')
    journal = new_run(tmp_path / "runs", text)
    assert main(["comms", journal.run_id, "--contacts", "--runs", str(tmp_path / "runs")]) == 0
    out = capsys.readouterr().out
    assert "audience execs (Executives): ceo@example.com, cfo@example.com; every 30m" in out


def test_a_send_under_a_key_answers_its_retry_and_refuses_other_words(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """`do RUN send ... --key K` as every other action takes --key (review, 2026-12-03: send
    kept its own keys, so a retry said "no draft" and a status update was queued twice)."""
    from tests.comms_support import free_port
    from tests.test_do_key_reused import rows

    use_comms_config(monkeypatch, tmp_path, free_port())
    # Begun half an hour ago: a run days old makes every send settle its alarm minute by
    # minute since (engine/alarm.py), seconds a command.
    began = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=30)
    journal = new_run(tmp_path / "runs", comms_plan(start=began), started=began)
    minutes = [began + timedelta(minutes=m) for m in (1, 20)]
    journal.append(StepStarted(actor="boss", at=minutes[0], step="migrate", key="m1"))
    journal.append(StepCompleted(actor="boss", at=minutes[1], step="migrate", key="m2"))
    runs = ["--runs", str(tmp_path / "runs")]
    announce = ["do", journal.run_id, "send", "announce", "--subject", "Migrated", "--key", "K"]
    status = ["do", journal.run_id, "send", "status", "--key", "S"]
    announce, status = [*announce, *runs], [*status, *runs]
    answers = []
    for argv in (announce, status):
        assert main(argv) == 0
        answers.append(capsys.readouterr().out)
    written = rows(journal.path)
    for argv, answer in zip((announce, status), answers, strict=True):
        assert main(argv) == 0  # a retry: the rows it recorded, nothing more
        assert capsys.readouterr().out == answer and answer.count("\n") >= 2
    assert rows(journal.path) == written
    for argv in (
        ["send", "announce", "--subject", "Other"],
        ["send", "status"],
        ["note", "--note", "hello"],
    ):
        assert main(["do", journal.run_id, *argv, "--key", "K", *runs]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        assert "key 'K' was used at " in err and " for message-queued announce #" in err, err
    assert rows(journal.path) == written

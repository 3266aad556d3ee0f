"""The comms findings of the hostile user pass (2026-12-02), each against real receivers on
127.0.0.1: an aiosmtpd server, an HTTP receiver, and one that trickles its answer.

1. mail on the wire in CRLF with short lines (a bare-LF message was one "line too long");
2. a message over the journal's text limits is cut visibly and still goes; a refusal that
   still happens is the conductor's note in the comms log;
3. one trickling webhook delays nothing else beyond its deadline, and `comms test` ends;
4. outgoing text made inert (no ESC, BEL, C1 or bidi control reaches a mail reader);
5. a resent webhook says so; a non-ASCII address is refused at validation.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cutover_tui.cli import main
from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import FixedClock
from cutover_tui.comms.fitting import cut_body, cut_line, fitted
from cutover_tui.comms.templates import Rendered
from cutover_tui.engine.events import (
    CONDUCTOR,
    MessageClaimed,
    RollbackInvoked,
    StepFailed,
    StepStarted,
)
from cutover_tui.journal.run_lookup import event_rows
from cutover_tui.journal.store import Journal
from cutover_tui.plan.limits import MAX_EVIDENCE_CHARS, MAX_TEXT_CHARS
from cutover_tui.report.narrate import narrate
from tests.comms_hostile_support import SMTP_TRICKLE, RawMailbox, Trickler
from tests.comms_support import (
    Hooks,
    Mailbox,
    at,
    comms_config,
    comms_plan,
    new_run,
    queued,
    smtp_server,
)
from tests.waiting import until

LOUD_SUBJECT = """
[[template]]
id = "rollback-announcement"
subject = "{plan.title}: ROLLED BACK {reason}"
body = "Rolled back: {reason}. At {now:%H:%M}. Commander {commander}."
"""


@pytest.fixture
def raw_mail():
    box = RawMailbox()
    controller = smtp_server(box)
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture
def trickler():
    receiver = Trickler()
    yield receiver
    receiver.close()


def use_config(monkeypatch, tmp_path: Path, smtp_port: int, extra: str = "") -> None:
    config = comms_config(tmp_path / "comms.toml", smtp_port, extra=extra)
    monkeypatch.setenv("CUTOVER_COMMS_CONFIG", str(config))


def rolled_back(tmp_path: Path, hook_url: str, reason: str, extra: str = "") -> Journal:
    journal = new_run(tmp_path, comms_plan(hook_url, extra=extra))
    journal.append(RollbackInvoked(actor="boss", at=at(10), reason=reason, key="rb"))
    return journal


def rows(journal: Journal) -> list[dict]:
    return event_rows(Journal(journal.path))


def outcome(journal: Journal, message: str) -> dict:
    """The last outcome (sent or failed) recorded for `message`."""
    found = [
        r
        for r in rows(journal)
        if r["type"] in ("message-sent", "message-failed") and r["body"]["message"] == message
    ]
    return found[-1]


# -- 1. CRLF on the wire ---------------------------------------------------------------------


def test_a_rollback_with_a_long_reason_arrives_in_crlf_lines_within_the_limit(
    tmp_path: Path, hooks: Hooks, raw_mail: RawMailbox, monkeypatch
) -> None:
    use_config(monkeypatch, tmp_path, raw_mail.port)
    reason = "the ledgers do not balance after the reload of the night batch (Zürich); " * 10
    journal = rolled_back(tmp_path, hooks.url, reason.strip(), LOUD_SUBJECT)
    Conductor(Journal(journal.path), FixedClock(at(11)), holder="A").tick()
    # Refused before: "500 Line too long (see RFC5321 4.5.3.1.6)", undeliverable.
    assert outcome(journal, "rollback.execs.email")["type"] == "message-sent"
    assert len(raw_mail.raw) == 2
    for data in raw_mail.raw:
        assert data.count(b"\n") == data.count(b"\r\n")  # no bare LF
        assert max(len(line) for line in data.split(b"\r\n")) <= 78
        assert data.isascii()  # 7-bit: a relay need not offer 8BITMIME
    _, first = raw_mail.messages[0]
    assert " ".join(first["Subject"].split()).endswith(reason.strip()[-40:])
    assert reason.strip() in " ".join(first.get_content().split())


def test_short_lines_of_non_ascii_text_go_encoded_not_8bit() -> None:
    from cutover_tui.comms.channels import Outgoing, email_message, wire_bytes

    out = Outgoing("k", "execs", "email", "Zürich", "Zürich: rolled back.\n", to=("a@b.example",))
    data = wire_bytes(email_message(out, "cutover@example.com"))
    assert data.isascii() and b"Content-Transfer-Encoding: 8bit" not in data


# -- 2. within the journal's limits ----------------------------------------------------------


def test_a_subject_and_body_over_the_limits_are_cut_visibly_and_still_sent(
    tmp_path: Path, hooks: Hooks, mail: Mailbox, monkeypatch
) -> None:
    use_config(monkeypatch, tmp_path, mail.port)
    long_body = LOUD_SUBJECT.replace(
        'body = "Rolled back: {reason}.',
        'body = "Rolled back: {reason} {reason} {reason} {reason} {reason}.',
    )
    journal = rolled_back(tmp_path, hooks.url, "x" * 3_990, long_body)
    Conductor(Journal(journal.path), FixedClock(at(11)), holder="A").tick()
    state = Journal(journal.path).state()
    queued_rb = state.outbox.messages["rollback.execs.email"].queued
    assert len(queued_rb.subject) == MAX_TEXT_CHARS and queued_rb.subject.endswith("…")
    assert len(queued_rb.body) == MAX_EVIDENCE_CHARS
    assert queued_rb.body.splitlines()[-1].startswith("[… cut here: the message was 19,")
    assert outcome(journal, "rollback.execs.email")["type"] == "message-sent"
    assert outcome(journal, "rollback.desk.webhook")["type"] == "message-sent"
    [post] = hooks.bodies()
    assert post["subject"].endswith("…") and "cut here" in post["body"]


def test_a_step_failure_with_a_long_reason_still_reaches_its_informed(
    tmp_path: Path, hooks: Hooks, mail: Mailbox, monkeypatch
) -> None:
    from tests.test_comms_raci import RACI

    use_config(monkeypatch, tmp_path, mail.port)
    journal = new_run(tmp_path, comms_plan(hooks.url, extra=RACI))
    journal.append(StepStarted(actor="boss", at=at(1), step="dns", key="d1"))
    journal.append(StepFailed(actor="boss", at=at(2), step="dns", reason="y" * 3_990, key="d2"))
    Conductor(Journal(journal.path), FixedClock(at(3)), holder="A").tick()
    # The built-in step-update subject "{plan.title}: {step}: {reason}" is over 4,000.
    subjects = [m["Subject"] for _, m in mail.messages]
    failed = [s for s in subjects if "failed" in s]
    assert len(failed) == 3 and all(s.endswith("…") for s in failed)  # Cora, the desk, Rex


def test_a_message_the_journal_still_refuses_is_said_in_the_comms_log(
    tmp_path: Path, hooks: Hooks, mail: Mailbox, monkeypatch
) -> None:
    import cutover_tui.comms.fitting as fitting

    use_config(monkeypatch, tmp_path, mail.port)
    monkeypatch.setattr(fitting, "fitted", lambda text: text)  # a limit fitting did not foresee
    journal = rolled_back(tmp_path, hooks.url, "z" * 3_990, LOUD_SUBJECT)
    conductor = Conductor(Journal(journal.path), FixedClock(at(11)), holder="A")
    conductor.tick()
    notes = [r for r in rows(journal) if r["type"] == "note-added" and r["actor"] == CONDUCTOR]
    assert [n["key"] for n in notes] == [
        "comms-not-queued:rollback.execs.email",
        "comms-not-queued:rollback.desk.email",
        "comms-not-queued:rollback.desk.webhook",
    ]
    text = notes[0]["body"]["text"]
    assert text.startswith("a message could not be queued, so it is not sent: rollback.execs")
    assert "4,000 is the limit" in text
    assert "cannot queue rollback." in (conductor.comms.problem or "")
    # The comms log shows it as an alert, as a failed delivery is shown.
    stored = [e for e in Journal(journal.path).events() if e.type == "note-added"]
    line = narrate(stored[0])
    assert line.category == "alert" and line.text.startswith("a message could not be queued")
    conductor.tick()  # said once, not again each pass
    assert len([r for r in rows(journal) if r["type"] == "note-added"]) == 3


@given(st.integers(0, 20_000), st.integers(0, 40_000))
def test_fitted_text_is_within_the_limits_and_untouched_when_it_fits(
    subject_len: int, body_len: int
) -> None:
    text = Rendered("t", "s" * subject_len, "b" * body_len, ("m" * 5_000,))
    fit = fitted(text)
    assert len(fit.subject) <= MAX_TEXT_CHARS and len(fit.body) <= MAX_EVIDENCE_CHARS
    assert (fit.subject == text.subject) == (subject_len <= MAX_TEXT_CHARS)
    assert (fit.body == text.body) == (body_len <= MAX_EVIDENCE_CHARS)
    assert all(len(m) <= MAX_TEXT_CHARS for m in fit.missing)
    assert cut_line("abc", 3) == "abc" and cut_line("abcd", 3) == "ab…"
    assert cut_body("a" * 10, 10) == "a" * 10


# -- 3. a trickling receiver ---------------------------------------------------------------------


def conduct(path: Path) -> None:
    """One conductor tick on a connection of this thread's own (SQLite's rule)."""
    Conductor(Journal(path), FixedClock(at(11)), holder="A").tick()


def in_thread(work) -> threading.Thread:
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def test_a_trickling_webhook_holds_up_nothing_beyond_its_deadline(
    tmp_path: Path, trickler: Trickler, mail: Mailbox, monkeypatch
) -> None:
    use_config(monkeypatch, tmp_path, mail.port, extra="[webhook]\ntimeout = 1\n")
    journal = new_run(tmp_path, comms_plan(trickler.url))
    # A status update to the desk's webhook was queued first; then, while the pass is held
    # by the trickling receiver, the commander invokes the rollback.
    journal.append(queued("status-1.desk.webhook", key="q1", cause="level"))
    trickler.on_request = lambda: Journal(journal.path).append(
        RollbackInvoked(actor="boss", at=at(10), reason="stuck", key="rb")
    )
    tick = in_thread(lambda: conduct(journal.path))
    until(lambda: not tick.is_alive(), "the delivery pass to end past the webhook's deadline")
    failed = outcome(journal, "status-1.desk.webhook")
    assert (
        failed["type"] == "message-failed"
        and "no whole answer within 1 s" in (failed["body"]["reason"])
    )
    # The rollback invoked meanwhile went out by email in the same pass (its webhook waits
    # in the desk's webhook lane behind the status update: order per lane is kept).
    for message in ("rollback.execs.email", "rollback.desk.email"):
        assert outcome(journal, message)["type"] == "message-sent"
    assert sorted(to for to, _ in mail.messages) == [
        ["ceo@example.com", "cfo@example.com"],
        ["desk@example.com"],
    ]


def test_the_rollback_goes_before_an_earlier_status_update(
    tmp_path: Path, trickler: Trickler, mail: Mailbox, monkeypatch
) -> None:
    use_config(monkeypatch, tmp_path, mail.port, extra="[webhook]\ntimeout = 1\n")
    journal = new_run(tmp_path, comms_plan(trickler.url))
    journal.append(queued("status-1.desk.webhook", key="q1", cause="level"))
    journal.append(RollbackInvoked(actor="boss", at=at(10), reason="stuck", key="rb"))
    tick = in_thread(lambda: conduct(journal.path))
    until(lambda: not tick.is_alive(), "the delivery pass to end")
    claims = [r["body"]["message"] for r in rows(journal) if r["type"] == "message-claimed"]
    assert claims.index("rollback.execs.email") < claims.index("status-1.desk.webhook")


def test_a_trickling_mail_relay_holds_up_nothing_beyond_its_deadline(
    tmp_path: Path, hooks: Hooks, monkeypatch
) -> None:
    relay = Trickler(answer=SMTP_TRICKLE, greets=True)
    try:
        port = int(relay.url.split(":")[2].split("/")[0])
        use_config(monkeypatch, tmp_path, port)
        config = tmp_path / "comms.toml"
        config.write_text(config.read_text().replace("timeout = 2", "timeout = 1"))
        journal = rolled_back(tmp_path, hooks.url, "stuck")
        tick = in_thread(lambda: conduct(journal.path))
        until(lambda: not tick.is_alive(), "the delivery pass to end past the relay's deadline")
    finally:
        relay.close()
    for message in ("rollback.execs.email", "rollback.desk.email"):
        failed = outcome(journal, message)
        assert failed["type"] == "message-failed"
        assert "no whole answer within 1 s" in failed["body"]["reason"]
    assert outcome(journal, "rollback.desk.webhook")["type"] == "message-sent"
    assert [b["key"].split("/")[1] for b in hooks.bodies()] == ["rollback.desk.webhook"]


def test_comms_test_ends_when_a_webhook_trickles(
    tmp_path: Path, trickler: Trickler, mail: Mailbox, monkeypatch, capsys
) -> None:
    use_config(monkeypatch, tmp_path, mail.port, extra="[webhook]\ntimeout = 1\n")
    plan = tmp_path / "ct.toml"
    plan.write_text(comms_plan(trickler.url))
    codes: list[int] = []
    run = in_thread(lambda: codes.append(main(["comms", "test", str(plan)])))
    until(lambda: not run.is_alive(), "`cutover comms test` to end")
    out = capsys.readouterr().out
    assert codes == [1] and "no whole answer within 1 s" in out
    assert len(mail.messages) == 6  # every email address reached all the same (people too)


# -- 4. inert outgoing text ------------------------------------------------------------------------

HOSTILE = "db down\x1b]52;c;aGVsbG8=\x07 \u202e<script>\x9b31m\r\nBcc: victim@evil.example"


def test_a_hostile_reason_goes_out_inert_in_subject_body_and_webhook(
    tmp_path: Path, hooks: Hooks, raw_mail: RawMailbox, monkeypatch
) -> None:
    use_config(monkeypatch, tmp_path, raw_mail.port)
    journal = rolled_back(tmp_path, hooks.url, HOSTILE, LOUD_SUBJECT)
    Conductor(Journal(journal.path), FixedClock(at(11)), holder="A").tick()
    unsafe = ("\x1b", "\x07", "\u202e", "\x9b")
    # Short lines of non-ASCII text ("␛"): quoted-printable, not raw 8-bit on the wire.
    assert raw_mail.raw and all(data.isascii() for data in raw_mail.raw)
    for _, message in raw_mail.messages:
        assert message["Bcc"] is None
        for text in (message["Subject"], message.get_content()):
            assert not any(c in text for c in unsafe), repr(text)
        assert "␛]52" in message["Subject"] and "\\u202e" in message.get_content()
    [post] = hooks.bodies()
    for text in (post["subject"], post["body"]):
        assert not any(c in text for c in (*unsafe, "\r")) and "␇" in text


# -- 5. resend header, non-ASCII addresses ------------------------------------------------------------


def test_a_resent_webhook_says_so(tmp_path: Path, hooks: Hooks, mail: Mailbox, monkeypatch) -> None:
    use_config(monkeypatch, tmp_path, mail.port)
    journal = new_run(tmp_path, comms_plan(hooks.url))
    journal.append(queued("status-1.desk.webhook", key="q1"))
    # A conductor claimed it and died before recording the outcome: in doubt.
    journal.append(
        MessageClaimed(
            actor=CONDUCTOR, at=at(6), key="claim:1", message="status-1.desk.webhook", attempt=1
        )
    )
    Conductor(Journal(journal.path), FixedClock(at(7)), holder="B").tick()
    [(_, headers, _)] = hooks.posts
    assert headers["X-Cutover-Resend"] == "in-doubt"
    assert hooks.bodies()[0]["resend"] is True


@pytest.mark.parametrize("address", ["josé@example.com", "desk\u202e@example.com"])
def test_a_non_ascii_address_is_refused_at_validation_in_one_line(
    tmp_path: Path, address: str, capsys
) -> None:
    plan = tmp_path / "ct.toml"
    plan.write_text(comms_plan().replace('"desk@example.com"', f'"{address}"'))
    assert main(["validate", str(plan)]) != 0
    err = capsys.readouterr().err
    [finding] = [line for line in err.splitlines() if "email" in line]  # one line, located
    assert "ct.toml:77: audience[1].email[0]: " in finding and "not printable ASCII" in finding
    assert "\u202e" not in err  # shown escaped, never raw

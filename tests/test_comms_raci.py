"""RACI in the comms: a step's start, finish and failure reach its informed (people and
audiences) and its failure its accountable, by a real SMTP server and webhook receiver on
127.0.0.1; a comms step may name an audience by a step's RACI role."""

from __future__ import annotations

from pathlib import Path

from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import StepCompleted, StepFailed, StepStarted
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from cutover_tui.plan.errors import PlanError
from tests.comms_support import Hooks, Mailbox, at, comms_plan, new_run, use_comms_config

RACI = """
[[step]]
id = "dns"
title = "Switch the DNS"
owner = "boss"
duration = "10m"
accountable = "res"
consulted = ["op"]
informed = ["com", "desk"]
[[step]]
id = "tell"
kind = "comms"
title = "Tell those who answer for the DNS"
owner = "com"
duration = "5m"
after = ["migrate"]
template = "status-update"
to = ["accountable:dns", "informed:dns"]
auto = true
"""


def mail_to(mail: Mailbox) -> list[tuple[list[str], str]]:
    return sorted((sorted(to), m["Subject"]) for to, m in mail.messages)


def test_a_steps_start_reaches_its_informed_and_its_failure_its_accountable_too(
    tmp_path: Path, hooks: Hooks, mail: Mailbox, monkeypatch
) -> None:
    use_comms_config(monkeypatch, tmp_path, mail.port)
    journal = new_run(tmp_path, comms_plan(hooks.url, extra=RACI))
    clock = FixedClock(at(2))
    conductor = Conductor(Journal(journal.path), clock, holder="A")
    journal.append(StepStarted(actor="boss", at=at(1), step="dns", key="d1"))
    conductor.tick()
    # Informed: Cora (a person, by her email) and the service desk (email and webhook); the
    # accountable Rex and the consulted Otto hear nothing of a routine start.
    started = "Comms test: Switch the DNS: started at 22:01"
    assert mail_to(mail) == [(["cora@example.com"], started), (["desk@example.com"], started)]
    assert [b["subject"] for b in hooks.bodies()] == [started]
    mail.messages.clear()
    journal.append(
        StepFailed(actor="boss", at=at(5), step="dns", reason="TTL not honoured", key="d2")
    )
    clock.set(at(6))
    conductor.tick()
    failed = "Comms test: Switch the DNS: failed: TTL not honoured at 22:05"
    assert mail_to(mail) == [
        (["cora@example.com"], failed),
        (["desk@example.com"], failed),
        (["rex@example.com"], failed),  # the accountable hears of a failure
    ]
    _, first = mail.messages[0]
    assert (
        first["X-Cutover-Key"].endswith(".email") and "/raci-dns-failed." in first["X-Cutover-Key"]
    )
    assert "Bea Boss" in first.get_content()  # the commander, from the step-update template
    mail.messages.clear()
    conductor.tick()
    assert mail.messages == []  # nothing twice


def test_a_comms_step_names_its_audience_by_raci_role(
    tmp_path: Path, hooks: Hooks, mail: Mailbox, monkeypatch
) -> None:
    use_comms_config(monkeypatch, tmp_path, mail.port)
    journal = new_run(tmp_path, comms_plan(hooks.url, extra=RACI))
    journal.append(StepStarted(actor="boss", at=at(1), step="migrate", key="m1"))
    journal.append(StepCompleted(actor="boss", at=at(20), step="migrate", key="m2"))
    Conductor(Journal(journal.path), FixedClock(at(21)), holder="A").tick()
    status = [(to, s) for to, s in mail_to(mail) if "Switch the DNS" not in s]
    assert [to for to, _ in status] == [
        ["cora@example.com"],
        ["desk@example.com"],
        ["rex@example.com"],
    ]
    keys = sorted(k.split("/")[1] for k in mail.keys())  # noqa: SIM118 (Mailbox.keys)
    assert keys == ["step-tell.com.email", "step-tell.desk.email", "step-tell.res.email"]


def test_stale_news_is_not_sent_by_a_conductor_that_came_late(
    tmp_path: Path, hooks: Hooks, mail: Mailbox, monkeypatch
) -> None:
    use_comms_config(monkeypatch, tmp_path, mail.port)
    journal = new_run(tmp_path, comms_plan(hooks.url, extra=RACI))
    journal.append(StepStarted(actor="boss", at=at(1), step="dns", key="d1"))
    Conductor(Journal(journal.path), FixedClock(at(1 + 16)), holder="A").tick()
    assert mail.messages == [] and hooks.posts == []


def test_a_raci_audience_naming_no_role_or_no_step_is_refused_with_the_nearest() -> None:
    for bad, said, nearest in [
        ("informd:dns", "names no RACI role", "informed"),
        ("informed:dsn", "unknown step 'dsn'", "dns"),
    ]:
        text = comms_plan(extra=RACI.replace('"informed:dns"]', f'"{bad}"]'))
        try:
            parse_plan(text, name="ct.toml")
        except PlanError as exc:
            message = str(exc)
        else:
            raise AssertionError(f"{bad!r} was accepted")
        assert said in message and f"did you mean {nearest!r}" in message.lower(), message


def test_the_dry_run_and_the_contact_matrix_name_the_raci_people(
    tmp_path: Path, hooks: Hooks, mail: Mailbox, monkeypatch, capsys
) -> None:
    from cutover_tui.cli.comms_commands import _print_contacts
    from cutover_tui.comms.reach import reach_all
    from cutover_tui.comms.settings import load_comms_settings

    use_comms_config(monkeypatch, tmp_path, mail.port)
    plan = parse_plan(comms_plan(hooks.url, extra=RACI), name="ct.toml").plan
    rows = reach_all(plan, load_comms_settings())
    assert ("com", "cora@example.com", True) in [(r.audience, r.address, r.ok) for r in rows]
    assert ["cora@example.com"] in [to for to, _ in mail.messages]
    journal = new_run(tmp_path, comms_plan(hooks.url, extra=RACI))
    _print_contacts(journal.state())
    lines = capsys.readouterr().out.splitlines()
    [rex] = [line for line in lines if "(res)" in line]
    [cora] = [line for line in lines if "(com)" in line]
    assert rex.endswith("audiences resolvers, accountable:dns"), rex
    assert cora.endswith("audiences informed:dns"), cora

"""After a hand-over, every refusal that sends you to the commander names who commands now.

Review (2026-12-03): the step and incident refusals said "only the commander (Otto Operator
(op)) may", but sending comms, a draft, an after-the-night item and a watcher's own step
still said "the commander" with no name. A real run file, the CLI's main() as the watcher.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cutover_tui.cli import main
from cutover_tui.engine.events import StepCompleted, StepStarted
from cutover_tui.engine.events_incidents import IncidentRaised, RoleHandedOver
from cutover_tui.engine.state import Refused
from cutover_tui.journal.identity import os_login
from tests.comms_support import at, comms_plan, new_run

NOW = "the commander (Otto Operator (op))"
EXTRA = f"""
[people.wat]
name = "Walt Watcher"
user = "{os_login()}"
roles = ["watcher"]
[[step]]
id = "observe"
title = "Watch the dashboards"
owner = "wat"
duration = "10m"
[[step]]
id = "late"
title = "Open the doors"
owner = "res"
duration = "10m"
not_before = 2026-11-28T01:00:00
[[aftercare.access]]
id = "vendor-vpn"
what = "VPN account for the vendor's DBA"
holder = "Acme DBA"
opened_by = "res"
close_within = "24h"
"""


@pytest.fixture
def handed_over(tmp_path: Path):
    text = comms_plan(extra=EXTRA).replace(f'user = "{os_login()}"', 'user = "bea-nobody"', 1)
    journal = new_run(tmp_path / "runs", text)
    handed = RoleHandedOver(
        actor="boss", at=at(5), role="commander", giver="boss", taker="op", reason="shift"
    )
    journal.append(handed.model_copy(update={"key": "h1"}))
    yield journal
    journal.close()


def said(capsys, journal, *argv: str) -> str:
    capsys.readouterr()
    runs = str(journal.path.parent)
    assert main(["do", journal.run_id, *argv, "--runs", runs]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


def test_a_watchers_own_step_names_who_commands(handed_over, capsys) -> None:
    err = said(capsys, handed_over, "start", "observe")
    assert f"may not start 'observe': only {NOW} may; a watcher only watches" in err, err


def test_comms_names_who_commands(handed_over, capsys) -> None:
    argv = ["comms", "--template", "status-update", "--to", "execs", "--subject", "s"]
    err = said(capsys, handed_over, *argv)
    assert f"may not send comms: only {NOW}, a communicator or the step owner may" in err, err


def test_an_after_the_night_item_names_who_commands(handed_over, capsys) -> None:
    err = said(capsys, handed_over, "close-access", "vendor-vpn")
    assert f"may not close access 'vendor-vpn': only {NOW} or Rex Resolver (res) may" in err, err


def test_sending_a_draft_names_who_commands(handed_over, capsys) -> None:
    handed_over.append(StepStarted(actor="op", at=at(6), step="migrate", key="m1"))
    handed_over.append(StepCompleted(actor="op", at=at(7), step="migrate", key="m2"))
    err = said(capsys, handed_over, "send", "announce")  # its draft is ready now
    assert f"may not send messages: only {NOW} or a communicator may" in err, err


def test_an_incident_names_who_commands(handed_over, capsys) -> None:
    raised = IncidentRaised(actor="op", at=at(6), severity="sev2", title="slow", owner="res")
    handed_over.append(raised.model_copy(update={"key": "i1"}))
    err = said(capsys, handed_over, "ack", "INC-1")
    assert f"someone it was escalated to, or {NOW} may" in err, err


def test_a_fixed_start_names_who_commands(handed_over) -> None:
    with pytest.raises(Refused) as caught:
        handed_over.append(StepStarted(actor="res", at=at(8), step="late", key="l1"))
    assert f"only {NOW} may start it early" in str(caught.value)

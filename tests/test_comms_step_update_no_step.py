"""The built-in step-update about no step reads naturally: a plan whose rollback comms step
uses it has the conductor announce the rollback, a message about the run as a whole.

Regression (close note 13): its subject read "Comms test: [no step yet]: the ledgers do not
balance" and its body began "[no step yet]: ...", a step that would never come, flagged as
missing. A real run file, the real conductor's tick (no mail server listening: the queue is
read from the journal).
"""

from __future__ import annotations

from pathlib import Path

from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import RollbackInvoked, StepStarted
from cutover_tui.engine.events_outbox import MessageQueued
from cutover_tui.journal.store import Journal
from tests.comms_support import at, comms_plan, free_port, new_run, use_comms_config

REASON = "the ledgers do not balance"


def test_a_step_update_about_no_step_reads_naturally(tmp_path: Path, monkeypatch) -> None:
    use_comms_config(monkeypatch, tmp_path, free_port())  # no server there: queued, not sent
    text = comms_plan().replace('template = "rollback-announcement"', 'template = "step-update"')
    journal = new_run(tmp_path, text)
    journal.append(StepStarted(actor="boss", at=at(1), step="migrate", key="m1"))
    journal.append(RollbackInvoked(actor="boss", at=at(10), reason=REASON, key="rb"))
    Conductor(Journal(journal.path), FixedClock(at(11)), holder="A").tick()

    queued = [e for e in Journal(journal.path).events() if isinstance(e, MessageQueued)]
    assert queued and {e.template for e in queued} == {"step-update"}, queued
    for message in queued:
        assert message.subject == f"Comms test: {REASON}", message.subject
        assert message.body.startswith(f"{REASON}.\n"), message.body
        assert "[no" not in message.subject + message.body and not message.missing

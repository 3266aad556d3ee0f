"""A message's {commander} is who commands now: after a hand-over, the one it went to.

Regression (found beside close note 13's hand-over refusal): the rollback announcement said
"the commander, Bea Boss, invoked the rollback" after Bea had handed the command to Otto, who
invoked it. A real run file, the real conductor's tick (no mail server listening).
"""

from __future__ import annotations

from pathlib import Path

from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import RollbackInvoked, StepStarted
from cutover_tui.engine.events_incidents import RoleHandedOver
from cutover_tui.engine.events_outbox import MessageQueued
from cutover_tui.journal.store import Journal
from tests.comms_support import at, comms_plan, free_port, new_run, use_comms_config

REASON = "the ledgers do not balance"


def test_the_rollback_announced_after_a_handover_names_who_commands_now(
    tmp_path: Path, monkeypatch
) -> None:
    use_comms_config(monkeypatch, tmp_path, free_port())
    journal = new_run(tmp_path, comms_plan())
    journal.append(StepStarted(actor="boss", at=at(1), step="migrate", key="m1"))
    handed = RoleHandedOver(
        actor="boss", at=at(5), role="commander", giver="boss", taker="op", reason="shift"
    )
    journal.append(handed.model_copy(update={"key": "h1"}))
    journal.append(RollbackInvoked(actor="op", at=at(10), reason=REASON, key="rb"))
    Conductor(Journal(journal.path), FixedClock(at(11)), holder="A").tick()

    queued = [e for e in Journal(journal.path).events() if isinstance(e, MessageQueued)]
    assert queued, queued
    for message in queued:
        assert "the commander, Otto Operator, invoked the rollback" in message.body, message.body
        assert "Bea Boss" not in message.body, message.body

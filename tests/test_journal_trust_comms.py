"""The journal's head goes out with every message: a copy outside the host that
`cutover verify --expect` checks later (issue 12: the head published as the night goes)."""

from __future__ import annotations

import re
from pathlib import Path

from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import RollbackInvoked, StepStarted
from cutover_tui.journal.store import Journal
from cutover_tui.journal.trust import expect_problem
from tests.comms_support import Hooks, Mailbox, at, comms_plan, new_run, use_comms_config


def test_every_message_carries_the_journal_head(
    tmp_path: Path, hooks: Hooks, mail: Mailbox, monkeypatch
) -> None:
    use_comms_config(monkeypatch, tmp_path, mail.port)
    journal = new_run(tmp_path, comms_plan(hooks.url))
    journal.append(StepStarted(actor="boss", at=at(1), step="migrate", key="m1"))
    journal.append(RollbackInvoked(actor="boss", at=at(10), reason="no balance", key="rb"))
    Conductor(Journal(journal.path), FixedClock(at(11)), holder="A").tick()
    texts = [message.get_content() for _, message in mail.messages]
    texts += [post["body"] for post in hooks.bodies()]
    assert len(texts) == 3
    for text in texts:
        found = re.search(rf"Journal {journal.run_id} head (\d+:[0-9a-f]{{16}}) ", text)
        assert found, text
        assert f"cutover verify {journal.run_id} --expect {found.group(1)}" in text
        assert expect_problem(Journal(journal.path).db, found.group(1)) is None

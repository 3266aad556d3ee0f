"""The conductor's heartbeat schedules only when something can have come due (issue 14): a
second schedule each second beside the war room's cost a 20,000-step plan tens of ms a tick."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import cutover_tui.clock.conductor as conductor_module
from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import NoteAdded
from cutover_tui.journal.store import Journal
from tests.journal_support import at
from tests.test_conductor import started_slow


def _count_schedules(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = conductor_module.schedule

    def counted(state, now, **kwargs):
        calls.append(1)
        return real(state, now, **kwargs)

    monkeypatch.setattr(conductor_module, "schedule", counted)
    return calls


def test_an_idle_heartbeat_schedules_nothing_until_something_comes_due(
    tmp_path: Path, monkeypatch
) -> None:
    journal = started_slow(tmp_path)  # a 15m budget from at(0)
    clock = FixedClock(at(10))
    conductor = Conductor(Journal(journal.path), clock, holder="A")
    calls = _count_schedules(monkeypatch)
    assert conductor.tick() == []
    first = len(calls)
    for second in range(1, 50):  # heartbeats, nothing new, nothing due
        clock.set(at(10) + timedelta(seconds=second))
        assert conductor.tick() == []
    assert len(calls) == first
    # News: looked at again at once.
    journal.append(NoteAdded(actor="op", at=at(10), text="hello", key="n1"))
    conductor.tick()
    assert len(calls) > first
    # The budget end came due: written on the heartbeat that reaches it.
    clock.set(at(15) + timedelta(seconds=1))
    assert [e.type for e in conductor.tick()] == ["budget-exceeded"]


def test_a_heartbeat_looks_again_at_least_once_a_minute(tmp_path: Path, monkeypatch) -> None:
    journal = started_slow(tmp_path)
    clock = FixedClock(at(1))
    conductor = Conductor(Journal(journal.path), clock, holder="A")
    calls = _count_schedules(monkeypatch)
    conductor.tick()
    first = len(calls)
    clock.set(at(2) + timedelta(seconds=1))
    conductor.tick()
    assert len(calls) == first + 1

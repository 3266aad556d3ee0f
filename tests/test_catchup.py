"""Joining the bridge mid-night: what changed since this login last looked, said once."""

from __future__ import annotations

from pathlib import Path

from cutover_tui.cli.catch_up import catch_up_lines, last_seen
from cutover_tui.engine.events import (
    CheckpointFailed,
    IncidentEscalated,
    IncidentRaised,
    NoteAdded,
    StepCompleted,
    StepStarted,
)
from cutover_tui.journal.store import Journal
from cutover_tui.journal.trust import guard
from tests.incident_support import hm, new_bridge_run
from tests.test_incidents_warroom import night, war_room
from tests.warroom_support import notices, settle


def test_what_changed_since_the_last_look(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    journal = new_bridge_run(tmp_path)
    assert last_seen(journal) is None  # never looked: nothing to catch up on
    assert guard(journal) is None  # a look (as `cutover run` makes): seq 1 remembered
    assert last_seen(journal) == 1
    for event in (
        StepStarted(actor="op", at=hm("00:10"), step="load", key="s"),
        StepCompleted(actor="op", at=hm("00:40"), step="load", key="c"),
        CheckpointFailed(actor="op", at=hm("00:45"), step="verify", evidence="3 short", key="f"),
        NoteAdded(actor="cmdr", at=hm("00:50"), kind="decision", text="hold", key="n"),
        IncidentRaised(actor="op", at=hm("01:00"), severity="sev1", title="500s", key="r"),
        IncidentEscalated(
            actor="conductor", at=hm("01:05"), incident=1, level=1, to="lead", key="e"
        ),
    ):
        journal.append(event)
    lines = catch_up_lines(Journal(journal.path), last_seen(journal))
    assert lines == [
        "6 events since you last looked (00:10 on)",
        # the window (last week) is long past on the run's real clock
        "level: ON TRACK when you last looked, PAST NO RETURN now",
        "steps done: load; FAILED: verify",
        "decisions: 1 (a decision noted)",
        "incidents: 1 raised, 1 escalated, 0 resolved; 1 open now",
    ]
    assert guard(journal) is None  # looked again: nothing new to say
    assert catch_up_lines(journal, last_seen(journal)) == []


async def test_the_war_room_says_it_once_when_it_opens() -> None:
    app = war_room("res", night())
    app.catch_up = ["3 events since you last looked (00:10 on)", "steps done: load"]
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: any("steps done: load" in n for n in notices(app)))
        assert sum("since you last looked" in n for n in notices(app)) == 1

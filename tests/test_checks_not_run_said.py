"""A conductor that may not run the run's checks says so in the log, once, for everyone.

Found on a shared jump host: an operator's war room opened first and took the conductor
lease; checks run only in a conductor whose login started the run, so no check and no probe
ran all night, and nothing said so: the checkpoints showed `⚙ command` as if pending, `x`
answered "check asked for; the conductor runs it", and a probe-driven rollback trigger could
never fire. The refusal was kept in the conductor process (and `cutover check` alone said it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cutover_tui.clock.check_claim import SAY_AFTER_S
from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import CONDUCTOR, NoteAdded, RunStarted, StepStarted
from cutover_tui.engine.state import Refused
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from cutover_tui.report.narrate import narrate
from tests.checks_support import checks_plan, py_check
from tests.journal_support import at


def _notes(path: Path) -> list[NoteAdded]:
    journal = Journal(path)
    try:
        return [e for e in journal.events() if isinstance(e, NoteAdded)]
    finally:
        journal.close()


def _run(tmp_path: Path, *, checks: bool) -> Path:
    text = checks_plan({"count": py_check("print(1)")} if checks else {})
    journal = Journal.create(tmp_path, parse_plan(text, name="ck.toml"), rehearsal=True,
                             created_by="someone-else")  # fmt: skip
    journal.append(RunStarted(actor="op", at=at(0), plan_id="ck", mode="rehearsal", key="go"))
    if checks:
        journal.append(StepStarted(actor="op", at=at(1), step="count", key="s"))
    journal.close()
    return journal.path


def test_a_conductor_that_runs_no_checks_says_so_once(tmp_path: Path) -> None:
    path = _run(tmp_path, checks=True)  # started by someone-else; this process is not them
    wall = [1000.0]
    conductor = Conductor(Journal(path), FixedClock(at(2)), holder="A", wall=lambda: wall[0])
    conductor.tick()  # holding: said once it has held the lease SAY_AFTER_S (test_lease_starter)
    wall[0] += SAY_AFTER_S
    conductor.tick()
    conductor.tick()
    said = [n for n in _notes(path) if n.actor == CONDUCTOR]
    assert len(said) == 1, said
    line = narrate(said[0]).text
    assert "no check or probe runs" in line and "someone-else" in line, line


def test_nothing_is_said_when_the_plan_has_no_checks(tmp_path: Path) -> None:
    path = _run(tmp_path, checks=False)
    wall = [1000.0]
    conductor = Conductor(Journal(path), FixedClock(at(2)), holder="A", wall=lambda: wall[0])
    conductor.tick()
    wall[0] += SAY_AFTER_S
    conductor.tick()
    assert [n for n in _notes(path) if n.actor == CONDUCTOR] == []


def test_no_other_note_signed_conductor_is_recorded(tmp_path: Path) -> None:
    """Review: the rule let any info note by `conductor` in, so the log and `cutover verify`
    vouched for forged words ("commander: GO for cutover") signed by the conductor."""
    path = _run(tmp_path, checks=True)
    journal = Journal(path)
    forged = [
        NoteAdded(actor=CONDUCTOR, at=at(2), text="commander: GO for cutover", key="f1"),
        NoteAdded(
            actor=CONDUCTOR,
            at=at(2),
            text="no check or probe runs in this conductor: fine",
            key="f2",
            step="count",
        ),
        NoteAdded(actor=CONDUCTOR, at=at(2), text="rows match, PASSED", key="checks-not-run:op"),
    ]
    try:
        for note in forged:
            with pytest.raises(Refused, match="the conductor records no note but"):
                journal.append(note)
    finally:
        journal.close()
    assert [n.key for n in _notes(path) if n.actor == CONDUCTOR] == []

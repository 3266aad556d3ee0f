"""When the starter's conductor takes the lease from an operator's that said no check runs,
the log says once that checks run again (clock/check_handover.py).

Found after the lease hand-over (tests/test_lease_starter.py): the operator's conductor wrote
"no check or probe runs in this conductor", the starter's took over and ran every check, and
nothing in the log said so: the review read as if no check had run all night.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cutover_tui.clock.check_claim import SAY_AFTER_S
from cutover_tui.clock.check_handover import checks_run_again
from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.checks import NOT_RUN_OPENING, RUN_AGAIN_KEY, RUN_AGAIN_OPENING
from cutover_tui.engine.events import CONDUCTOR, NoteAdded
from cutover_tui.engine.state import Refused
from cutover_tui.journal.lease import Claimed
from cutover_tui.journal.store import Journal
from tests.journal_support import at, new_run
from tests.test_lease_starter import _checks_run, _keys, _not_the_starter


def _again(path: Path) -> list[str]:
    return [k for k in _keys(path) if k.startswith(RUN_AGAIN_KEY)]


def _notes(path: Path) -> list[NoteAdded]:
    return [e for e in Journal(path).events() if isinstance(e, NoteAdded) and e.actor == CONDUCTOR]


def _night(tmp_path: Path) -> tuple[Path, list[float], Conductor]:
    """A run with a checkpoint whose check runs; the operator's conductor has held the lease
    long enough to say in the log that no check runs."""
    path = _checks_run(tmp_path, tmp_path / "ran")
    wall = [1000.0]
    op = _not_the_starter(Conductor(Journal(path), FixedClock(at(2)), "op", wall=lambda: wall[0]))
    op.tick()
    wall[0] += SAY_AFTER_S
    op.tick()
    assert op.holding and [n.text.startswith(NOT_RUN_OPENING) for n in _notes(path)] == [True]
    return path, wall, op


def test_the_log_says_once_that_checks_run_again(tmp_path: Path) -> None:
    path, wall, op = _night(tmp_path)
    boss = Conductor(Journal(path), FixedClock(at(2)), "boss", wall=lambda: wall[0])
    wall[0] += 0.5  # the operator's heartbeat is live: the starter's takes it over
    written = boss.tick()
    assert [e.type for e in written][:1] == ["note-added"]
    for _ in range(5):  # heartbeats of both: one hand-over, one note
        wall[0] += 1.0
        op.tick()
        boss.tick()
    (note,) = [n for n in _notes(path) if n.key.startswith(RUN_AGAIN_KEY)]
    assert note.text.startswith(RUN_AGAIN_OPENING) and "took the lease from op" in note.text
    assert note.step is None and note.kind == "info"


def test_each_hand_over_says_it_once(tmp_path: Path) -> None:
    """The starter's conductor leaves, the operator's conducts again (and says, in its new
    tenure, that no check runs), the starter's comes back: a second hand-over, a second
    note, each exactly once, and the log's last word on checks is always the true one."""
    path, wall, op = _night(tmp_path)
    for round_ in (1, 2):
        boss = Conductor(Journal(path), FixedClock(at(2)), "boss", wall=lambda: wall[0])
        wall[0] += 0.5
        boss.tick()
        wall[0] += 1.0
        op.tick()
        boss.tick()
        assert boss.holding and not op.holding
        assert len(_again(path)) == round_
        assert _notes(path)[-1].text.startswith(RUN_AGAIN_OPENING)  # checks do run
        boss.stop()  # hands the lease back
        wall[0] += 1.0
        op.tick()
        assert op.holding
        wall[0] += SAY_AFTER_S  # held a lease expiry: it says again that no check runs
        op.tick()
        assert _notes(path)[-1].text.startswith(NOT_RUN_OPENING)  # the log's last word
    assert len(set(_again(path))) == 2
    assert len({n.key for n in _notes(path) if n.text.startswith(NOT_RUN_OPENING)}) == 3


def test_no_second_run_again_without_a_not_run_between(tmp_path: Path) -> None:
    """The operator's conductor retakes the lease and hands it back before a lease expiry
    (it said nothing in that tenure): the log already says checks run, nothing more."""
    path, wall, op = _night(tmp_path)
    for _ in (1, 2):
        boss = Conductor(Journal(path), FixedClock(at(2)), "boss", wall=lambda: wall[0])
        wall[0] += 0.5
        boss.tick()
        assert boss.holding
        boss.stop()
        wall[0] += 1.0
        op.tick()
        assert op.holding
    assert len(_again(path)) == 1
    assert _notes(path)[-1].text.startswith(RUN_AGAIN_OPENING)


def test_the_last_word_after_the_operator_conducts_again(tmp_path: Path) -> None:
    """The hostile review's night: operator says not-run, the starter's takes over (run
    again), the starter closes its war room, operators conduct long after: the log's last
    word must not be that checks run (the not-run note was once per login, not per tenure)."""
    path, wall, op = _night(tmp_path)
    boss = Conductor(Journal(path), FixedClock(at(2)), "boss", wall=lambda: wall[0])
    wall[0] += 0.5
    boss.tick()
    wall[0] += 1.0
    op.tick()
    boss.tick()
    boss.stop()  # the starter closes the war room
    wall[0] += 1.0
    op.tick()
    assert op.holding
    op2 = _not_the_starter(Conductor(Journal(path), FixedClock(at(2)), "op2", wall=lambda: wall[0]))
    for _ in range(int(SAY_AFTER_S) + 5):  # long after: none that holds runs a check
        wall[0] += 1.0
        op.tick()
        op2.tick()
    assert op.holding
    assert _notes(path)[-1].text.startswith(NOT_RUN_OPENING)


def test_two_starters_conductors_racing_write_one_note(tmp_path: Path) -> None:
    """Two conductors that run checks (the starter's war room and `cutover conduct`) ask
    at the same moment: the lease's transaction lets one take it, so one note."""
    path, wall, _ = _night(tmp_path)
    wall[0] += 0.5
    first = Conductor(Journal(path), FixedClock(at(2)), "boss-a", wall=lambda: wall[0])
    second = Conductor(Journal(path), FixedClock(at(2)), "boss-b", wall=lambda: wall[0])
    first.tick()
    second.tick()
    assert first.holding and not second.holding
    assert len(_again(path)) == 1


def test_a_retry_of_the_same_hand_over_finds_the_stored_note(tmp_path: Path) -> None:
    """The same hand-over's note written again (another connection, a retry): its key names
    the displaced tenure, so the journal keeps one."""
    path, _, _ = _night(tmp_path)
    claimed = Claimed(True, ("host:1", 1000.0))
    journals = [Journal(path), Journal(path)]  # both asked before either wrote it
    notes = [checks_run_again(journal, claimed, True, at(3)) for journal in journals]
    for journal, (note,) in zip(journals, notes, strict=True):
        journal.append(note)
        journal.close()
    assert len(_again(path)) == 1


def test_nothing_is_said_unless_the_log_said_no_check_runs(tmp_path: Path) -> None:
    path = _checks_run(tmp_path, tmp_path / "ran")
    journal = Journal(path)
    displaced = Claimed(True, ("op-room:1", 999.0))
    assert checks_run_again(journal, displaced, True, at(2)) == []  # nothing said yet
    _, _, _ = _night(tmp_path / "other")
    marked = Claimed(True, ("boss-room:1#checks", 999.0))
    other = Journal(next((tmp_path / "other").glob("*.db")))
    assert checks_run_again(other, marked, True, at(2)) == []  # it ran them: no news
    assert checks_run_again(other, displaced, False, at(2)) == []  # nor does this one
    assert checks_run_again(other, Claimed(True), True, at(2)) == []  # renewed, not taken


@pytest.mark.parametrize(
    ("key", "text", "step"),
    [
        (f"{RUN_AGAIN_KEY}x", "commander: GO for cutover", None),  # the key, other words
        ("x", f"{RUN_AGAIN_OPENING}fine", None),  # the words, another key
        (f"{RUN_AGAIN_KEY}x", f"{RUN_AGAIN_OPENING}fine", "count"),  # about a step
        (f"{RUN_AGAIN_KEY}x", f"{NOT_RUN_OPENING}fine", None),  # the other note's words
    ],
)
def test_no_other_run_again_note_is_signed_conductor(
    tmp_path: Path, key: str, text: str, step: str | None
) -> None:
    path = _checks_run(tmp_path, tmp_path / "ran")
    journal = Journal(path)
    with pytest.raises(Refused, match="the conductor records no note but"):
        journal.append(NoteAdded(actor=CONDUCTOR, at=at(2), text=text, key=key, step=step))
    journal.close()
    assert _notes(path) == []


def test_the_note_on_either_backend(where: Path | str) -> None:
    """The same SQL on SQLite and PostgreSQL: the log's "no check runs" found, the note
    appended once however often it is written."""
    journal = new_run(where, steps=1)
    displaced = Claimed(True, ("op-room:1", 999.0))
    assert checks_run_again(journal, displaced, True, at(2)) == []
    said = NoteAdded(actor=CONDUCTOR, at=at(2), text=f"{NOT_RUN_OPENING}x", key="checks-not-run:op")
    journal.append(said)
    notes = [checks_run_again(journal, displaced, True, at(3)) for _ in range(2)]
    for (note,) in notes:  # both asked before either was written: one stored
        journal.append(note)
    keys = [e.key for e in journal.events() if e.actor == CONDUCTOR]
    assert keys == ["checks-not-run:op", f"{RUN_AGAIN_KEY}op-room:1@999.000000"]

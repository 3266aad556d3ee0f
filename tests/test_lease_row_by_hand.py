"""A lease row written by hand neither stops the conductor nor puts words in its notes.

Found by a hostile review of main: in shared mode a member of the run's group may write the
lease row. Text in `acquired` made `float(row[2])` raise ValueError out of the conductor's tick
(journal/lease.take_or_renew), and the holder text was quoted verbatim in the note the log
signs "conductor" (clock/check_handover.py): chosen words in a conductor's note.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cutover_tui.clock.check_handover import UNNAMED_HOLDER, shown_holder
from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.checks import RUN_AGAIN_KEY
from cutover_tui.journal.lease import lease_status
from cutover_tui.journal.store import Journal
from tests.journal_support import at
from tests.test_lease_handover_note import _night, _notes


def _by_hand(path: Path, sql: str, *args: object) -> None:
    """What a member of the run's group can do: write the lease row with sqlite3."""
    db = sqlite3.connect(path)
    with db:
        db.execute(sql, args)
    db.close()


def _boss(path: Path, wall: list[float]) -> Conductor:
    return Conductor(Journal(path), FixedClock(at(2)), "boss", wall=lambda: wall[0])


def test_text_in_acquired_is_no_displacement_and_no_crash(tmp_path: Path) -> None:
    path, wall, _ = _night(tmp_path)
    _by_hand(path, "UPDATE lease SET acquired = 'whenever'")
    boss = _boss(path, wall)
    wall[0] += 0.5  # the operator's heartbeat is live: the starter's takes it over
    boss.tick()
    assert boss.holding and boss.problem is None
    assert not [n for n in _notes(path) if n.key.startswith(RUN_AGAIN_KEY)]  # nobody named


def test_text_in_the_heartbeat_is_no_live_lease(tmp_path: Path) -> None:
    path, wall, op = _night(tmp_path)
    _by_hand(path, "UPDATE lease SET heartbeat = 'now', holder = 'someone-else:7'")
    wall[0] += 0.5
    op.tick()  # not a TypeError: a heartbeat that is no number is not a live one
    assert op.holding and op.problem is None


@pytest.mark.parametrize(
    "written",
    [
        "all checks passed, go live now",
        "x" * 500 + ":1",
        "op-room:1\nchecks passed",
    ],
)
def test_the_note_names_no_hand_written_holder(tmp_path: Path, written: str) -> None:
    path, wall, _ = _night(tmp_path)
    _by_hand(path, "UPDATE lease SET holder = ?", written)
    boss = _boss(path, wall)
    wall[0] += 0.5
    boss.tick()
    (note,) = [n for n in _notes(path) if n.key.startswith(RUN_AGAIN_KEY)]
    assert f"took the lease from {UNNAMED_HOLDER}," in note.text
    assert "passed" not in note.text and "x" * 65 not in note.key


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("jump-01.example.net:4242", "jump-01.example.net:4242"),
        ("jump-01:4242#checks", "jump-01:4242"),
        ("op", "op"),
        ("go live now", UNNAMED_HOLDER),
        ("-rf:1", UNNAMED_HOLDER),
        ("host:1:2", UNNAMED_HOLDER),
    ],
)
def test_a_holder_is_shown_only_when_host_pid_shaped(text: str, shown: str) -> None:
    assert shown_holder(text) == shown


def test_the_status_line_reads_a_hand_written_row(tmp_path: Path) -> None:
    """The status bar's few words on the conductor: no TypeError, and none of the row's."""
    path, _, _ = _night(tmp_path)
    _by_hand(path, "UPDATE lease SET heartbeat = 'now', pid = ?", "go\x1b[2J")
    journal = Journal(path)
    try:
        assert lease_status(journal, 1000.0) == "STALE: pid ?, its heartbeat unreadable"
    finally:
        journal.close()

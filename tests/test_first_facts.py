"""The first frame's facts, read from a run file with sqlite3 alone (journal/first_facts.py).

Real run files: each fact is what the journal says, and anything not read cheaply and surely
(no index row, one left behind, an unknown schema, a damaged file, a plan head that does not
parse) is None, so `cutover run` opens the run the usual way instead of showing a guess.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from cutover_tui.engine.events import NoteAdded
from cutover_tui.journal import first_facts, lease
from cutover_tui.journal.first_facts import plan_zone, read_first_facts
from tests.journal_support import at, new_run, worked
from tests.test_journal_trust import attacker


def test_the_facts_are_the_journals_own(tmp_path: Path) -> None:
    path = worked(tmp_path)  # one step of four done, a note, closed
    facts = read_first_facts(path, time.time())
    assert facts is not None
    assert facts.run_id == path.stem and facts.title == "Journal test" and facts.mode == "live"
    assert (facts.phase, facts.outcome) == ("running", None)
    assert (facts.steps_done, facts.steps_total) == (1, 6)  # the plan's steps and gates
    assert facts.zone == "UTC"
    assert facts.conductor == "none: derived alerts are not being recorded"


def test_the_conductor_is_said_as_lease_status_says_it(tmp_path: Path) -> None:
    path = worked(tmp_path)
    now = time.time()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO lease VALUES (1, 'h', 4242, 'host', ?, ?)", (now - 10, now - 1))
    assert read_first_facts(path, now).conductor == "ok: pid 4242"
    later = now + first_facts.LEASE_EXPIRY_S + 5
    assert read_first_facts(path, later).conductor.startswith("STALE: pid 4242 silent for")
    assert first_facts.LEASE_EXPIRY_S == lease.LEASE_EXPIRY_S  # the same rule as the store's


def test_a_run_without_an_index_row_is_opened_the_usual_way(tmp_path: Path) -> None:
    path = worked(tmp_path)
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE run_index")  # a run made before the index
    assert read_first_facts(path, time.time()) is None


def test_an_index_row_left_behind_is_not_read(tmp_path: Path) -> None:
    path = worked(tmp_path)
    with sqlite3.connect(path) as db:  # an event written past the index (an older cutover)
        head = db.execute("SELECT hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()[0]
        db.execute(
            "INSERT INTO events (key, type, actor, body, prev, hash) VALUES (?, ?, ?, ?, ?, ?)",
            ("k", "note-added", "boss", "{}", head, "f" * 64),
        )
    assert read_first_facts(path, time.time()) is None


def test_the_count_follows_each_append(tmp_path: Path) -> None:
    journal = new_run(tmp_path, steps=4)
    journal.append(NoteAdded(actor="boss", at=at(1), text="n", key=uuid.uuid4().hex))
    facts = read_first_facts(journal.path, time.time())
    journal.close()
    assert facts is not None and facts.steps_done == 0


def test_an_unknown_schema_a_damaged_file_and_no_file_are_none(tmp_path: Path) -> None:
    path = worked(tmp_path)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    assert read_first_facts(path, time.time()) is None
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 200)
    assert read_first_facts(junk, time.time()) is None
    assert read_first_facts(tmp_path / "none.db", time.time()) is None
    assert read_first_facts(tmp_path, time.time()) is None  # a directory


def test_a_rollback_is_opened_the_usual_way(tmp_path: Path) -> None:
    """Rolling back, the frame counts the rollback's steps; the index counts the plan's."""
    path = worked(tmp_path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE run_index SET phase = 'rollback'")
    assert read_first_facts(path, time.time()) is None


def test_the_plan_zone_is_read_from_the_head_only() -> None:
    head = '[plan]\nid = "p"\ntimezone = "Asia/Kolkata"\n'
    steps = '[[step]]\nid = "s"\ntitle = "x = [[not toml"\n' * 50
    assert plan_zone(head + steps) == "Asia/Kolkata"
    assert plan_zone('[plan]\nid = "p"\n' + steps) == "UTC"  # the model's default
    assert plan_zone('[plan]\ntimezone = "Mars/Olympus"\n') is None  # unknown: not guessed
    assert plan_zone(steps + head) is None  # [plan] after the arrays: the full parse decides
    assert plan_zone('[plan]\ntitle = """\n[[x]]\n"""\n') is None  # a cut string: not parsed


ZONES = st.sampled_from(["UTC", "Europe/London", "America/Chicago", "Asia/Kolkata"])


@given(zone=ZONES, steps=st.lists(st.text(max_size=20), max_size=5), extra=st.text(max_size=40))
def test_plan_zone_finds_the_zone_before_any_steps_and_never_raises(
    zone: str, steps: list[str], extra: str
) -> None:
    body = "".join(f"[[step]]\nid = {title!r}\n" for title in steps)
    text = f'format = 1\n[plan]\nid = "p"\ntimezone = "{zone}"\n{body}'
    assert plan_zone(text) == zone
    assert plan_zone(extra) in (None, "UTC")  # any text: a zone or None, never an exception


def test_a_simulation_is_opened_the_usual_way(tmp_path: Path) -> None:
    """Its clock runs from its own start, faster than the wall's: not a fact of the file."""
    path = worked(tmp_path)
    assert read_first_facts(path, time.time()) is not None
    db = attacker(path)  # the meta is sealed by a trigger: a simulation's is written at start
    db.execute("UPDATE meta SET value = '60.0' WHERE key = 'speed'")
    db.close()
    assert read_first_facts(path, time.time()) is None


def test_a_lease_row_written_by_hand_is_left_to_the_usual_path(tmp_path: Path) -> None:
    """journal/lease.py lease_status has its own words for it (no pid, an unreadable beat)."""
    path = worked(tmp_path)
    now = time.time()
    with sqlite3.connect(path) as db:  # a fresh beat, and a pid that is words
        db.execute("INSERT INTO lease VALUES (1, 'h', 'me, the boss', 'host', ?, ?)", (now, now))
    assert read_first_facts(path, now) is None
    with sqlite3.connect(path) as db:
        db.execute("UPDATE lease SET pid = 7, heartbeat = 'soon'")
    assert read_first_facts(path, now) is None

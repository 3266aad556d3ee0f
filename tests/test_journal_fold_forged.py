"""The compact fold trusts a row's columns only when its body provably says the same (review).

A row's `type` and `key` columns are not hashed, its body is. A forged row, chained correctly,
whose body was `{"type":"note-added","type":"rollback-invoked",...}` (pydantic keeps the last
of duplicate keys) folded as a note compactly and as a rollback fully: the war room said
running, the report said rollback, and `verify` passed. journal/columns.py decides when the
columns suffice; `verify` names a row whose columns differ from its body; and a deleted row
no longer crashes the log the war room scrolls (journal/pages.py).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cutover_tui.clocks import AcceleratedClock
from cutover_tui.engine.events import NoteAdded, dump_event
from cutover_tui.engine.fold import fold
from cutover_tui.journal import folding, store
from cutover_tui.journal.columns import columns_suffice
from cutover_tui.journal.run import JournalRun
from cutover_tui.journal.store import Journal, chain, parse_rows
from cutover_tui.journal.trust import guard, verify_run
from cutover_tui.plan import parse_plan
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.widgets.comms import CommsLog
from tests.journal_support import at, new_run, plan_text
from tests.test_journal_trust import cutover
from tests.warroom_support import settle

WHEN = at(5).isoformat().replace("+00:00", "Z")


def forge(path: Path, key: str, kind: str, body: str) -> None:
    """Append a row by raw SQL (INSERT is allowed), chained correctly after the last."""
    db = sqlite3.connect(path)
    head = db.execute("SELECT hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()[0]
    db.execute(
        "INSERT INTO events (key, type, actor, body, prev, hash) VALUES (?,?,?,?,?,?)",
        (key, kind, "boss", body, head, chain(head, body)),
    )
    db.commit()
    db.close()


def test_a_forged_duplicate_type_folds_as_the_rollback_it_is_and_verify_says_so(
    tmp_path: Path,
) -> None:
    journal = new_run(tmp_path)
    journal.append(NoteAdded(actor="boss", at=at(1), text="hello", key="n1"))
    path = journal.path
    journal.close()
    body = (
        '{"type":"note-added","type":"rollback-invoked","actor":"boss","at":"'
        + WHEN
        + '","key":"forged","reason":"forged: roll back now"}'
    )
    forge(path, "forged", "note-added", body)
    reader = Journal(path)
    compact = reader.state()
    whole = fold(reader.plan, reader.events())
    assert whole.phase == "rollback"
    assert compact.phase == whole.phase == "rollback"
    assert compact.rollback_reason == whole.rollback_reason == "forged: roll back now"
    assert guard(reader, remember=False) is None  # the chain holds: only verify can tell
    verdict = verify_run(Journal(path))
    assert not verdict.ok
    assert "event 3: its type column says 'note-added', its body 'rollback-invoked'" in (
        verdict.problems
    )
    said = cutover("verify", str(path), runs=tmp_path)  # the real CLI, in a process
    assert said.returncode != 0
    assert "event 3: its type column says 'note-added', its body 'rollback-invoked'" in (
        said.stdout + said.stderr
    )


def test_verify_names_a_row_whose_key_column_differs_from_its_body(tmp_path: Path) -> None:
    journal = new_run(tmp_path)
    path = journal.path
    journal.close()
    body = '{"actor":"boss","at":"' + WHEN + '","key":"real","type":"note-added","text":"x"}'
    forge(path, "column", "note-added", body)
    reader = Journal(path)
    assert "real" in reader.state().keys and "column" not in reader.state().keys
    problems = verify_run(Journal(path)).problems
    assert "event 2: its key column says 'column', its body 'real'" in problems


def test_a_note_as_written_is_still_folded_from_its_columns() -> None:
    note = NoteAdded(actor="boss", at=at(1), text='say "type": \\u0041 "key"', key='k"é')
    body = dump_event(note)
    assert columns_suffice(
        "note-added", 'k"é', dump_event(note.model_copy(update={"text": "plain"}))
    )
    assert not columns_suffice("note-added", 'k"é', body)  # a quoted "type" in the text: parsed
    assert not columns_suffice(
        "note-added", "other", dump_event(note.model_copy(update={"text": "p"}))
    )


# -- the compact fold equals the full fold, whatever the body (a property) --------------------

PLAN = parse_plan(plan_text(10), name="jt.toml").plan
KINDS = ["note-added", "clock-jumped", "rollback-invoked"]
KEYS = ["", "k0", 'a"b', 'a\\"b', "b\\s"]  # quotes and backslashes: written escaped
FIELD = {
    "note-added": '"text":"t"',
    "clock-jumped": '"seconds":60.0',
    "rollback-invoked": '"reason":"r"',
}
NAMES = {  # ways of writing a key named `name` (all of them decode to it)
    "plain": '"{}":',
    "spaced": '"{}" :',
    "escaped": None,  # "\u0074ype": the first letter as a unicode escape
}


def spelled(name: str, how: str) -> str:
    if how == "escaped":
        return f'"\\u{ord(name[0]):04x}{name[1:]}":'
    return NAMES[how].format(name)


ENTRY = st.tuples(st.sampled_from(["type", "key"]), st.sampled_from(list(NAMES)), st.integers(0, 4))


@st.composite
def forged_row(draw) -> tuple[str, str, str]:
    """(type column, key column, body): a body with the real type last among decoys."""
    real = draw(st.sampled_from(KINDS))
    parts = ['"actor":"boss"', f'"at":"{WHEN}"', FIELD[real]]
    for name, how, value in draw(st.lists(ENTRY, max_size=4)):
        text = json.dumps(KINDS[value % 3] if name == "type" else KEYS[value])
        parts.insert(draw(st.integers(0, len(parts))), spelled(name, how) + text)
    if draw(st.booleans()):  # a nested object with a type key (never valid: parsed, refused)
        parts.append('"text":{"type":"note-added"}')
    parts.append(spelled("type", draw(st.sampled_from(list(NAMES)))) + json.dumps(real))
    if draw(st.booleans()):
        parts.insert(0, f'"type":"{draw(st.sampled_from(KINDS))}"')  # the writer's place
    kind = draw(st.sampled_from(KINDS))
    key = draw(st.sampled_from(KEYS))
    return kind, key, "{" + ",".join(parts) + "}"


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(forged_row(), min_size=1, max_size=6))
def test_the_compact_fold_equals_the_full_fold_whatever_the_body(rows: list) -> None:
    table, head = [], store.GENESIS
    for seq, (kind, key, body) in enumerate(rows, start=1):
        digest = chain(head, body)
        table.append((seq, key, kind, body, head, digest))
        head = digest
    try:
        events = parse_rows([(seq, body) for seq, _, _, body, _, _ in table])
    except ValueError:
        assume(False)  # not an event at all: verify and the log say it cannot be read
    compact, _, last = folding.fold_log(PLAN, lambda a, n: table[a : a + n], store.GENESIS, None)
    whole = fold(PLAN, events)
    assert compact is not None and last == len(rows)
    assert (compact.phase, compact.rollback_reason) == (whole.phase, whole.rollback_reason)
    assert (compact.event_count, compact.last_seq) == (whole.event_count, whole.last_seq)
    assert compact.keys == whole.keys


# -- a deleted row: the log shows it missing, the war room opens ------------------------------


def gapped(tmp_path: Path, notes: int) -> Path:
    """A run with `notes` notes, event 3 deleted by hand (its trigger dropped first)."""
    journal = new_run(tmp_path)
    for i in range(notes):
        journal.append(NoteAdded(actor="boss", at=at(1), text=f"n{i}", key=f"n{i}"))
    path = journal.path
    journal.close()
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER events_no_delete")
    db.execute("DELETE FROM events WHERE seq = 3")
    db.commit()
    db.close()
    return path


def test_a_deleted_row_shows_as_missing_and_every_index_works(tmp_path: Path) -> None:
    run = JournalRun(Journal(gapped(tmp_path, 4)), "boss")
    _, log = run.opening()
    assert run.journal.broken  # the guard's loud line is already there
    assert len(log) == 5
    assert [e.seq for e in log[-2:]] == [4, 5]
    assert [e.seq for e in log] == [1, 2, 3, 4, 5]
    assert [log[i].seq for i in range(-5, 5)] == [1, 2, 3, 4, 5] * 2
    assert log[2].text == "event 3 missing: its row was deleted (`cutover verify`)"
    assert [e.seq for e in log[1:4]] == [2, 3, 4]
    notes = log.where(lambda e: e.type, "note-added")  # run-started is event 1
    assert [e.seq for e in notes] == [2, 3, 4, 5]


async def test_the_war_room_opens_on_a_run_with_a_deleted_row(tmp_path: Path) -> None:
    path = gapped(tmp_path, 40)
    clock = AcceleratedClock(at(120), 1.0)
    source = JournalRun(Journal(path), "boss", now=clock.now, monotonic=clock.monotonic)
    app = WarRoomApp(source, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        log = app.query_one(CommsLog)
        await settle(pilot, lambda: any("n39" in line for line in log.plain_lines()))
        assert any("n38" in line for line in log.plain_lines()[-2:])
    assert app.return_code in (None, 0)


def test_a_key_column_is_compared_with_the_body_as_decoded() -> None:
    # The column `a\"b` is not the body's key `a"b`, though the body's raw text holds `a\"b`.
    body = dump_event(NoteAdded(actor="boss", at=at(1), text="t", key='a"b'))
    assert not columns_suffice("note-added", 'a\\"b', body)
    assert columns_suffice("note-added", 'a"b', body)
    body = dump_event(NoteAdded(actor="boss", at=at(1), text="t", key="b\\s"))
    assert columns_suffice("note-added", "b\\s", body)
    assert not columns_suffice("note-added", "b\\\\s", body)

"""A rehearsal whose bytes SQLite will not take is folded through SQLite, not left out; and a
connection made from a shared read buffer does not change when the buffer is read into again.

Found by a hostile review of main: docs/architecture.md says the bytes of a voided read are
"read through SQLite", true for `cutover runs`, but the pace prior's search
(rehearse/prior_history._folded_from_bytes) dropped the rehearsal silently when `open_db`
said None. The listing's safety rests on CPython's `deserialize` copying the bytes it is
handed: the second test holds it to that.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cutover_tui.journal import run_snapshot
from cutover_tui.journal.run_lookup import open_run
from cutover_tui.journal.run_snapshot import ReadBuffer, open_bytes
from cutover_tui.rehearse.prior_history import counted_summaries
from tests.journal_support import new_run
from tests.test_rehearsal_memo import folded_prior, folder, memo_prior  # noqa: F401


def test_a_rehearsal_whose_bytes_are_not_taken_is_folded_through_sqlite(
    state,
    folder,  # noqa: F811 (the fixture of tests/test_rehearsal_memo.py)
    monkeypatch: pytest.MonkeyPatch,
):
    _, runs, made = folder
    opened = open_run(made[-1].run_id, runs)
    expected = folded_prior(opened)
    assert expected is not None
    monkeypatch.setattr(run_snapshot.RunBytes, "open_db", lambda self: None)  # always voided
    ids = [s.run_id for s in counted_summaries(runs, "jt", without=opened.run_id)]
    assert ids == [j.run_id for j in made[:4]]  # none left out
    assert memo_prior(opened) == expected


def test_a_connection_keeps_its_bytes_when_the_buffer_is_read_into_again(
    state, tmp_path: Path
) -> None:
    paths = []
    for name, steps in (("a", 20), ("b", 3)):  # b smaller: read over a's very bytes
        journal = new_run(tmp_path / name, steps=steps)
        paths.append(journal.path)
        journal.close()
    buffer = ReadBuffer()
    read_a = open_bytes(paths[0], buffer)
    assert read_a is not None
    db_a = read_a.open_db()
    assert db_a is not None
    query = "SELECT count(*), max(hash), sum(length(body)) FROM events"
    before = db_a.execute(query).fetchone()
    read_b = open_bytes(paths[1], buffer)  # read into the memory a was read into
    assert read_b is not None and read_b.open_db() is not None
    assert db_a.execute(query).fetchone() == before
    buffer._memory[:] = b"\xff" * len(buffer._memory)  # every byte of it scribbled over
    assert db_a.execute(query).fetchone() == before
    assert db_a.execute("PRAGMA quick_check").fetchone() == ("ok",)
    assert read_a.open_db() is None  # handed over once only

"""A review or a sheet made from a run file whose run moved says so first (on stderr).

Found in review (2026-12-02): `cutover status`, `cutover runs` and the war room said MOVED,
but `cutover report` and `cutover export` of the file wrote the night up to the move as if it
were the whole record, without a word. The mark is written with the function migrate uses
(tests/test_moved_readers.py does the same); the real CLI (its main), a real run file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cutover_tui.cli import main
from cutover_tui.journal import moved
from tests.journal_support import new_run


@pytest.mark.parametrize(
    "command", [["report", "--out", "review", "--md"], ["export", "--csv", "--out", "n.csv"]]
)
def test_a_review_or_sheet_of_a_moved_file_says_where_the_run_went(
    tmp_path: Path, monkeypatch, capsys, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    journal = new_run(tmp_path / "runs", steps=3)
    journal.close()
    db = sqlite3.connect(journal.path)
    with db:
        moved.mark(db, "postgresql://h/db", "2026-12-02 21:00Z", "ops")
    db.close()
    name, *rest = command
    assert main([name, journal.run_id, *rest, "--runs", "runs"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"cutover {name}: {journal.run_id}: MOVED to postgresql://h/db at 2026-12-02 21:00Z "
        "(cutover migrate by ops): this file stopped there; the run goes on with --journal "
        "postgresql://h/db"
    ]

"""`cutover conduct` says a database failing under it in one line, never a traceback.

Regression (read of this stop's diff, 2026-12-03): a helper for the conductor's outage
words was written between `@said_in_one_line` and `cmd_conduct`, so the decorator wrapped
the helper and `cutover conduct` lost its one-line guard: a database error under it printed
a traceback.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cutover_tui.cli import main
from cutover_tui.clock import conductor
from tests.journal_support import new_run


def test_a_database_failing_under_conduct_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    runs = tmp_path / "runs"
    journal = new_run(runs, steps=3)
    journal.close()
    monkeypatch.setenv("CUTOVER_RUNS", str(runs))

    def failing(*_args, **_kwargs):
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(conductor.Conductor, "__init__", failing)
    assert main(["conduct", journal.run_id]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"cutover conduct: {journal.run_id}: database disk image is malformed"], err

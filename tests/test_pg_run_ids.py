"""A run in PostgreSQL is a schema named by its run id, and any role that may create a schema
names one: an id cutover never makes (a path, a control character), given by a user or
listed by the database, is refused in one line, as a run file's is (tests/test_run_names.py),
never opened. Before, `cutover export ../../x --csv --journal URL` opened it and wrote a file
named by it, and `cutover runs --journal URL` printed its name raw to the terminal."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

from cutover_tui.cli import main
from cutover_tui.journal.pg_schema import build_schema
from cutover_tui.journal.postgres import PgJournal, latest_open_pg
from cutover_tui.journal.run_create import new_run_meta
from cutover_tui.journal.store import JournalError
from cutover_tui.plan import parse_plan
from tests.journal_support import plan_text


def schema_named(url: str, name: str) -> None:
    """A run of plan `jt`, never started, in a schema named `name` (as a role can make one)."""
    meta = new_run_meta(parse_plan(plan_text(3), name="jt.toml"), False, "ops", timedelta(0), 1)
    with psycopg.connect(url, autocommit=True) as conn:
        build_schema(conn, name, {**meta, "run_id": name})


@pytest.mark.parametrize("words", [["status"], ["export", "--csv"]], ids=["status", "export"])
def test_a_run_id_cutover_never_makes_is_refused_in_one_line(
    postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    words: list[str],
) -> None:
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    name = "../jt-x"
    schema_named(postgres_url, name)
    command, *more = words
    assert main([command, name, *more, "--journal", postgres_url]) == 1
    _out, err = capsys.readouterr()
    assert err.count("\n") == 1 and f"run id {name!r} is not one cutover makes" in err, err
    assert os.listdir(tmp_path / "here") == [] and sorted(os.listdir(tmp_path)) == ["here"]


def test_a_listing_names_such_a_schema_inertly_and_a_join_passes_it_by(
    postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    schema_named(postgres_url, "jt-20261202-210000")
    schema_named(postgres_url, "jt-\x1b[2J")  # the latest: what a join would pick
    assert main(["runs", "--journal", postgres_url]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "is not one cutover makes" in out, out
    assert any(line.startswith("jt-20261202-210000 ") for line in out.splitlines()), out
    found = latest_open_pg(postgres_url, "jt")
    assert found is not None and found.run_id == "jt-20261202-210000"
    with pytest.raises(JournalError, match="is not one cutover makes"):
        PgJournal(postgres_url, "jt-\x1b[2J")

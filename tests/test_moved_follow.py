"""`cutover run PLAN` joins the run of a plan by its name; when the run's file says it moved
(`cutover migrate`, journal/moved.py), the run is opened where it went (cli/moved_follow.py),
or refused in one line naming the command. Stop note (2026-12-03): it opened the stale file,
read-only, and left each operator to find the URL. Each migrate here is a real one, to the
tests' own PostgreSQL server; the war room itself is left out (`_war_room` records what it
was given)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cutover_tui.cli import main, warroom_commands
from cutover_tui.engine.events import NoteAdded
from cutover_tui.journal import moved
from cutover_tui.journal.postgres import PgJournal
from cutover_tui.journal.store import Journal
from tests.journal_support import at, new_run, plan_text
from tests.test_moved_readers import migrated


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Journal]:
    """The journals `cutover run` would open its war room on."""
    given: list[Journal] = []

    def war_room(journal, *, read_only: bool, tz=None) -> int:
        given.append(journal)
        return 0

    monkeypatch.setattr(warroom_commands, "_war_room", war_room)
    return given


def join(tmp_path: Path) -> int:
    """`cutover run PLAN` with the run's plan file, as an operator joins."""
    plan = tmp_path / "jt.toml"
    plan.write_text(plan_text(40))
    return main(["run", str(plan), "--runs", str(tmp_path / "runs")])


def test_joining_by_plan_opens_a_moved_run_where_it_went(
    postgres_url: str, tmp_path: Path, opened: list[Journal], capsys: pytest.CaptureFixture[str]
) -> None:
    source = migrated(tmp_path, postgres_url)
    assert join(tmp_path) == 0
    (there,) = opened
    assert isinstance(there, PgJournal) and there.run_id == source.run_id
    assert there.head == source.head  # the run carried on, not the file
    (said,) = capsys.readouterr().err.splitlines()
    assert said.startswith(f"cutover run: {source.run_id} moved to postgresql://"), said
    assert said.endswith(": opening it there"), said
    there.close()


def mark(tmp_path: Path, url: str) -> Journal:
    """A run file marked moved to `url` by hand (migrate's own function): nothing there."""
    source = new_run(tmp_path / "runs")
    db = sqlite3.connect(source.path)
    with db:
        moved.mark(db, url, "2026-12-02 21:00Z", "ops@jump1")
    db.close()
    return source


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://evil.example/db?passfile=/home/ops/.pgpass&sslmode=disable",
        "postgresql://h/\x1b[2Jdb",
        "host=evil.example dbname=db",
    ],
)
def test_a_url_migrate_never_writes_is_not_followed(
    url: str, tmp_path: Path, opened: list[Journal], capsys: pytest.CaptureFixture[str]
) -> None:
    source = mark(tmp_path, url)
    assert join(tmp_path) == 1
    assert opened == []
    (said,) = capsys.readouterr().err.splitlines()
    assert said.startswith(f"cutover run: {source.run_id} moved to "), said
    assert "not opened there: its URL is not one cutover migrate writes" in said
    assert "\x1b" not in said


def test_a_moved_run_that_cannot_be_reached_is_refused_with_the_command(
    tmp_path: Path, opened: list[Journal], capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql://nobody@/cutover?host=/nonexistent"
    source = mark(tmp_path, url)
    assert join(tmp_path) == 1
    assert opened == []
    (said,) = capsys.readouterr().err.splitlines()
    assert "cannot connect" in said, said
    assert said.endswith(f"once it can be reached: cutover run {source.run_id} --journal '{url}'")


def test_a_run_of_that_name_that_does_not_carry_on_the_file_is_not_opened(
    postgres_url: str, tmp_path: Path, opened: list[Journal], capsys: pytest.CaptureFixture[str]
) -> None:
    """A copy of the file taken before the move, written on, then marked moved to where the
    run went: the run there does not hold the copy's head, so it is not the copy's run."""
    source = new_run(tmp_path / "runs")
    other = tmp_path / "other"
    (other / "runs").mkdir(parents=True)
    copy = other / "runs" / source.path.name
    with sqlite3.connect(copy) as into:
        source.db.backup(into)
    migrated(tmp_path, postgres_url, source)
    url = moved.moved_to(sqlite3.connect(source.path)).url  # as migrate wrote it
    forked = Journal(copy)
    forked.append(NoteAdded(actor="boss", at=at(1), text="after the copy", key="fork"))
    with forked.db:
        moved.mark(forked.db, url, "2026-12-02 21:00Z", "ops@jump1")
    forked.close()
    assert join(other) == 1
    assert opened == []
    (said,) = capsys.readouterr().err.splitlines()
    assert f"the run {source.run_id} there does not carry on this file's journal" in said, said

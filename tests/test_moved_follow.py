"""`cutover run PLAN` joins the run of a plan by its name; when the run's file says it moved
(`cutover migrate`, journal/moved.py), it is refused in one line naming the command that
opens the run where it went, and connects nowhere itself (cli/moved_follow.py: the mark is
outside the file's chain, and any group member may write the file). Stop note (2026-12-03):
it opened the stale file, read-only, and left each operator to find the URL. Each migrate
here is a real one, to the tests' own PostgreSQL server; the war room itself is left out
(`_war_room` records what it was given)."""

from __future__ import annotations

import shlex
import sqlite3
from pathlib import Path

import pytest

from cutover_tui.cli import main, warroom_commands
from cutover_tui.journal import moved
from cutover_tui.journal.postgres import PgJournal
from cutover_tui.journal.store import Journal
from tests.journal_support import new_run, plan_text
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


def test_joining_by_plan_names_the_command_and_the_command_opens_the_run_there(
    postgres_url: str, tmp_path: Path, opened: list[Journal], capsys: pytest.CaptureFixture[str]
) -> None:
    source = migrated(tmp_path, postgres_url)
    assert join(tmp_path) == 1
    assert opened == []  # nothing opened, the file's war room neither
    (said,) = capsys.readouterr().err.splitlines()
    assert said.startswith(f"cutover run: {source.run_id} moved to postgresql://"), said
    command = said.split("check the URL, then: ", 1)[1]
    words = shlex.split(command)
    assert words[:4] == ["cutover", "run", source.run_id, "--journal"], command
    assert main([*words[1:], "--runs", str(tmp_path / "runs")]) == 0
    (there,) = opened
    assert isinstance(there, PgJournal) and there.run_id == source.run_id
    assert there.head == source.head  # the run carried on, not the file
    there.close()


def test_the_command_keeps_the_connection_settings_given_to_migrate_never_a_password(
    postgres_url: str, tmp_path: Path, opened: list[Journal], capsys: pytest.CaptureFixture[str]
) -> None:
    """Stop note: the mark kept user, host, port and database only, so a run moved with
    sslmode=require was followed by a command that no longer asked for TLS."""
    scheme, rest = postgres_url.split("://", 1)
    user, rest = rest.split("@", 1)
    given = f"{scheme}://{user}:hunter2@{rest}&sslmode=require&target_session_attrs=read-write"
    source = new_run(tmp_path / "runs")
    runs = ["--runs", str(tmp_path / "runs")]
    assert main(["migrate", source.run_id, "--to", f"{given}&application_name=mine", *runs]) == 0
    assert join(tmp_path) == 1
    out, err = capsys.readouterr()
    (said,) = err.splitlines()
    assert "hunter2" not in out + said and "application_name" not in out + said, out + said
    shareable = given.replace(":hunter2", "")
    assert shlex.split(out.split("open it with: ", 1)[1])[3] == shareable, out
    words = shlex.split(said.split("check the URL, then: ", 1)[1])
    assert words[-1] == shareable, words
    assert main([*words[1:], "--runs", str(tmp_path / "runs")]) == 0
    (there,) = opened
    assert there.head == source.head
    there.close()


def test_a_moved_run_is_refused_without_connecting(
    tmp_path: Path,
    opened: list[Journal],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The review of 2026-12-03: following the file's URL by itself gave whoever wrote the
    mark this user's PostgreSQL credentials. No connection is even tried."""

    def no_connection(*args, **kwargs):
        raise AssertionError("connected to the file's URL")

    monkeypatch.setattr(PgJournal, "__init__", no_connection)
    url = "postgresql://ops@db.example:5432/cutover"
    source = mark(tmp_path, url)
    assert join(tmp_path) == 1
    assert opened == []
    (said,) = capsys.readouterr().err.splitlines()
    assert said.endswith(f"then: cutover run {source.run_id} --journal {url}"), said


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
        "postgresql://ops:hunter2@evil.example/db?options=-csearch_path%3Devil&sslmode=require",
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
    assert "\x1b" not in said and "hunter2" not in said
    line = moved.moved_to(sqlite3.connect(source.path)).line()
    assert "--journal" not in line and "hunter2" not in line, line  # shown, not obeyed

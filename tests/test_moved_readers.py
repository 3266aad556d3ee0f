"""A run file whose run moved (`cutover migrate`, journal/moved.py) says so to whoever reads
it: `cutover status` (and its JSON), `cutover runs`. User pass (2026-12-02): on the old file
each showed a live-looking run that went silently stale while the night went on in
PostgreSQL. Its conductor stands down. Each migrate here is a real one, to the tests' own
PostgreSQL server."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from pathlib import Path

import pytest

from cutover_tui.cli import main
from cutover_tui.clock.conductor import Conductor
from cutover_tui.clocks import FixedClock
from cutover_tui.journal import listed_record, moved
from cutover_tui.journal.lease import lease_status
from cutover_tui.journal.migrate import migrate
from cutover_tui.journal.store import Journal
from tests.checks_support import Shop, new_checks_run, start
from tests.journal_support import at, new_run
from tests.test_checks_probes import probe_plan
from tests.test_journal_postgres import cutover


def migrated(tmp_path: Path, url: str, source: Journal | None = None) -> Journal:
    """A started run in tmp_path/runs (`source`, or a new one), moved to `url` by the
    command itself."""
    source = source or new_run(tmp_path / "runs")
    runs = str(tmp_path / "runs")
    done = cutover(tmp_path, "migrate", source.run_id, "--to", url, "--runs", runs)
    assert done.returncode == 0, done.stderr
    return source


def test_status_of_a_moved_file_says_where_the_run_went(postgres_url: str, tmp_path: Path) -> None:
    source = migrated(tmp_path, postgres_url)
    runs = str(tmp_path / "runs")
    shown = cutover(tmp_path, "status", source.run_id, "--runs", runs)
    assert shown.returncode == 0, shown.stderr
    said = [line for line in shown.stdout.splitlines() if "MOVED" in line]
    assert len(said) == 1, shown.stdout
    assert said[0].strip().startswith("MOVED to postgresql://"), said[0]
    assert re.search("--journal '?postgresql://", said[0]) and "password" not in shown.stdout
    assert shown.stdout.splitlines()[1] == said[0]  # first, under the run's name
    as_json = cutover(tmp_path, "status", source.run_id, "--json", "--runs", runs)
    where = json.loads(as_json.stdout)["moved"]
    assert where["to"].startswith("postgresql://") and where["at"] and where["by"], where


def test_status_of_a_run_still_here_says_nothing_moved(tmp_path: Path) -> None:
    source = new_run(tmp_path / "runs")
    runs = str(tmp_path / "runs")
    shown = cutover(tmp_path, "status", source.run_id, "--json", "--runs", runs)
    assert json.loads(shown.stdout)["moved"] is None
    assert "MOVED" not in cutover(tmp_path, "status", source.run_id, "--runs", runs).stdout


def test_runs_lists_a_moved_file_as_moved(
    postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    """Listed once before the move (and remembered: listed_record), then after it."""
    monkeypatch.setattr(listed_record, "SETTLE_NS", 0)  # the file counts as settled: kept
    runs = tmp_path / "runs"
    stay = new_run(runs)
    source = new_run(runs)
    assert main(["runs", "--runs", str(runs)]) == 0
    before = capsys.readouterr().out.splitlines()
    # Listed, and so remembered, while it was here: the record must not outlive the move.
    assert any(line.startswith(source.run_id) and "running" in line for line in before)
    assert not any("MOVED" in line for line in before)
    migrated(tmp_path, postgres_url, source)
    for _ in range(2):  # walked, then from this user's record
        assert main(["runs", "--runs", str(runs)]) == 0
        lines = capsys.readouterr().out.splitlines()
        row = next(line for line in lines if line.startswith(source.run_id))
        assert "MOVED to postgresql://" in row and re.search("--journal '?postgresql://", row)
        here = next(line for line in lines if line.startswith(stay.run_id))
        assert "MOVED" not in here and "running" in here


def test_a_moved_line_is_inert(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The mark is the file's text: written here with the function migrate uses."""
    source = new_run(tmp_path / "runs")
    db = sqlite3.connect(source.path)
    with db:
        moved.mark(db, "postgresql://h/\x1b[2Jdb", "2026-12-02 21:00Z", "ops\x07@jump1")
    db.close()
    runs = str(tmp_path / "runs")
    for args in (["status", source.run_id], ["runs"]):
        assert main([*args, "--runs", runs]) == 0
        out = capsys.readouterr().out
        assert "MOVED to postgresql://h/" in out and "\x1b" not in out and "\x07" not in out


def test_the_files_conductor_stands_down_once_the_run_moved(
    postgres_url: str, tmp_path: Path
) -> None:
    """User pass (2026-12-02): the old file's conductor went on probing (and running checks)
    after the move, each result refused by the file. Driven by its loop on a fixed clock."""
    with Shop().running() as shop:
        journal = new_checks_run(tmp_path, probe_plan(shop.url))
        start(journal, "go-live")
        clock = FixedClock(at(2))
        conductor = Conductor(Journal(journal.path), clock, holder="A")
        conductor.tick()
        assert shop.hits == 1 and conductor.holding
        migrate(Journal(journal.path), postgres_url, at(3))
        for minutes in (4, 5, 6):  # every probe due again: none runs
            clock.set(at(minutes))
            assert conductor.tick() == []
        assert shop.hits == 1, "the file's conductor probed after the move"
        assert not conductor.holding and conductor.moved is not None
        assert conductor.moved.startswith("MOVED to postgresql://")
        assert lease_status(Journal(journal.path), time.time()).startswith("none")


def test_cutover_conduct_on_a_moved_file_stops_and_says_so_once(
    postgres_url: str, tmp_path: Path
) -> None:
    """Stop note (2026-12-03): it printed "conducting RUN as ... until it ends" first, as if
    it had begun, then the stop line: now the stop line alone."""
    source = migrated(tmp_path, postgres_url)
    said = cutover(tmp_path, "conduct", source.run_id, "--runs", str(tmp_path / "runs"))
    assert said.returncode == 1
    (line,) = said.stderr.splitlines()
    assert line.startswith(f"cutover conduct: {source.run_id}: stopped: MOVED to postgresql://")
    assert re.search("--journal '?postgresql://", line), said.stderr


def _damage_the_mark(path: Path) -> None:
    """Mark the file moved, then overwrite the mark's page: the file is damaged there only."""
    db = sqlite3.connect(path)
    with db:
        moved.mark(db, "postgresql://h/db", "2026-12-02 21:00Z", "ops")
    (root,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'moved_to'").fetchone()
    (size,) = db.execute("PRAGMA page_size").fetchone()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(path.read_bytes())
    data[(root - 1) * size : root * size] = b"\xff" * size
    path.write_bytes(bytes(data))


def test_runs_lists_a_file_whose_moved_mark_is_damaged_as_not_trusted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Review (2026-12-02): reading the mark raised 'database disk image is malformed' out of
    the listing, and `cutover runs` said that one line in place of every run."""
    runs = tmp_path / "runs"
    stay, damaged = new_run(runs), new_run(runs)
    stay.close()
    damaged.close()
    _damage_the_mark(damaged.path)
    assert main(["runs", "--runs", str(runs)]) == 0
    lines = capsys.readouterr().out.splitlines()
    row = next(line for line in lines if line.startswith(damaged.run_id))
    assert "NOT TRUSTED" in row, lines
    assert any(line.startswith(stay.run_id) and "running" in line for line in lines), lines

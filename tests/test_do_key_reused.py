"""`cutover do ... --key K` with a key its author already used: the same command retried is
answered with the row it recorded, exit 0; any other command (another action, another step,
other words) is refused in one line naming what the key was used for, nothing written
(review, 2026-12-03: a note under a used key answered with the earlier note, exit 0, as if
recorded). Real run files, the real CLI, the fast paths first as `cutover do` takes them."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

from cutover_tui.journal.store import Journal
from tests.test_do_fast_moves import new_run
from tests.test_do_note_kept import cutover as do_in_a_process

REFUSED = re.compile(
    r"key 'K' was used at (?:[-\d]+ )?\d\d:\d\d for (\S+)( \S+)? #(\d+); use a new key"
)


def cutover(tmp_path: Path, run_id: str, *argv: str) -> subprocess.CompletedProcess[str]:
    return do_in_a_process(tmp_path, run_id, *argv, refresh="0")


def rows(path: Path) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT seq, key, body FROM events ORDER BY seq").fetchall()
    finally:
        db.close()


@pytest.fixture
def run(tmp_path: Path) -> tuple[str, Path]:
    path = new_run(tmp_path / "runs", ())
    journal = Journal(path)
    run_id = journal.run_id
    journal.close()
    return run_id, path


def test_a_note_key_reused_for_other_words_or_a_start_is_refused(tmp_path, run) -> None:
    run_id, path = run
    first = cutover(tmp_path, run_id, "note", "--note", "DNS TTL lowered", "--key", "K")
    assert first.returncode == 0 and first.stdout.strip() == "#2 note-added by boss"
    assert cutover(tmp_path, run_id, "note", "--note", "a warm-up", "--key", "W").returncode == 0
    written = rows(path)
    for argv in (
        ["note", "--note", "DNS cache flushed"],  # the fast path's own check, then the full
        ["note", "a", "--note", "DNS TTL lowered"],
        ["start", "a"],
    ):
        done = cutover(tmp_path, run_id, *argv, "--key", "K")
        assert done.returncode == 1 and done.stdout == "", argv
        assert done.stderr.count("\n") == 1, done.stderr
        said = REFUSED.search(done.stderr)
        assert said and said.group(1, 3) == ("note-added", "2"), done.stderr
        assert rows(path) == written
    again = cutover(tmp_path, run_id, "note", "--note", "DNS TTL lowered", "--key", "K")
    assert again.returncode == 0 and again.stdout.strip() == "#2 note-added by boss"
    assert rows(path) == written


def test_a_move_key_reused_for_other_words_is_refused(tmp_path, run) -> None:
    run_id, path = run
    assert cutover(tmp_path, run_id, "start", "a").returncode == 0
    done = cutover(tmp_path, run_id, "fail", "a", "--reason", "disk full", "--key", "K")
    assert done.returncode == 0 and done.stdout.strip() == "#3 step-failed a by boss"
    written = rows(path)
    other = cutover(tmp_path, run_id, "fail", "a", "--reason", "network down", "--key", "K")
    assert other.returncode == 1 and other.stderr.count("\n") == 1, other.stderr
    said = REFUSED.search(other.stderr)
    assert said and said.group(1, 2, 3) == ("step-failed", " a", "3"), other.stderr
    same = cutover(tmp_path, run_id, "fail", "a", "--reason", "disk full", "--key", "K")
    assert same.returncode == 0 and same.stdout.strip() == "#3 step-failed a by boss"
    assert rows(path) == written

""" "Since you last looked" says nothing about a file that is not the run the war room opened
(cli/catch_up_later.py; issue 14, the hostile review's second finding).

Regression: `catch_up_later` kept only the path; its thread opened the path again later and
never checked the file, the run id, the chain or the head the trust guard saw. A forged copy
renamed over the run after the open (a row rewritten, a rollback forged on top) made the toast
say "ROLLING BACK now". Real run files; the forgery made with sqlite3 as a group member would.
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cutover_tui.cli.warroom_commands import war_room_parts
from cutover_tui.engine.events import NoteAdded, RollbackInvoked
from cutover_tui.journal.store import Journal
from tests.journal_support import copy_of, new_run
from tests.test_catch_up_later import looked_then_changed
from tests.test_journal_trust import attacker, forge


@pytest.fixture(autouse=True)
def _own_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUTOVER_RUNS", str(tmp_path))
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))


def opened(path: Path):
    """The war room's parts on `path` (the guard passes) with a catch-up to work out."""
    parts = war_room_parts(Journal(path), read_only=True)
    assert parts.catch_up_later is not None
    return parts


def forged_rollback(path: Path, into: Path) -> None:
    """A copy with the step's start rewritten (hash kept) and a rollback forged on top."""
    copy_of(path, into)
    db = attacker(into)
    db.execute("UPDATE events SET body = replace(body, '\"s1\"', '\"s9\"') WHERE type = ?",
               ("step-started",))  # fmt: skip
    now = datetime.now(UTC)
    forge(db, RollbackInvoked(actor="boss", at=now, reason="forged", key="x1", seq=0))
    db.close()


def test_a_forgery_renamed_over_the_run_after_the_open_is_not_said(tmp_path: Path) -> None:
    path, _ = looked_then_changed(tmp_path)
    parts = opened(path)
    forged_rollback(path, tmp_path / "forged.tmp")
    os.rename(tmp_path / "forged.tmp", path)
    assert parts.catch_up_later() == []


def test_a_row_rewritten_in_place_after_the_open_is_not_said(tmp_path: Path) -> None:
    path, _ = looked_then_changed(tmp_path)
    parts = opened(path)
    db = attacker(path)
    db.execute("UPDATE events SET body = replace(body, 'after the look', 'a lie') "
               "WHERE type = 'note-added'")  # fmt: skip
    db.close()
    assert parts.catch_up_later() == []


def test_an_unchanged_copy_at_the_path_is_another_file_and_not_said(tmp_path: Path) -> None:
    """The same rows in another file: what is appended to it is nobody's run."""
    path, _ = looked_then_changed(tmp_path)
    parts = opened(path)
    copy_of(path, tmp_path / "copy.tmp")
    os.rename(tmp_path / "copy.tmp", path)
    assert parts.catch_up_later() == []


def test_another_run_moved_to_the_path_is_not_said(tmp_path: Path) -> None:
    path, _ = looked_then_changed(tmp_path)
    parts = opened(path)
    other = new_run(tmp_path / "other")
    now = datetime.now(UTC)
    for n in range(4):  # past the head this login saw: the old thread said its news
        other.append(NoteAdded(actor="boss", at=now, text=f"other {n}", key=uuid.uuid4().hex))
    other.close()
    shutil.move(other.path, path)  # another run id, a log of its own
    assert parts.catch_up_later() == []


def test_an_event_appended_after_the_open_is_said_with_the_rest(tmp_path: Path) -> None:
    path, _ = looked_then_changed(tmp_path)
    parts = opened(path)
    journal = Journal(path)
    now = datetime.now(UTC)
    journal.append(NoteAdded(actor="boss", at=now, text="after the open", key=uuid.uuid4().hex))
    journal.close()
    lines = parts.catch_up_later()
    assert lines and lines[0].startswith("3 events since you last looked"), lines

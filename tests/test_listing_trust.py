"""The listing's guard without pydantic (journal/listing_trust.py) says what trust's own
seal and evidence checks say, on real run files altered as a group member could: the plan
or a setting changed under the seal, the triggers dropped, and the first event rewritten
with the chain recomputed (no seal, another type, a body that is not an event, digests of
another kind)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from cutover_tui.journal import trust
from cutover_tui.journal.listing import open_run_file
from cutover_tui.journal.listing_trust import listing_guard
from cutover_tui.journal.raw_chain import GENESIS, link
from tests.journal_support import new_run


def as_trust_says(path: Path) -> str | None:
    """The listing's guard as it was: trust's seal problems and evidence, pydantic parsing."""
    run = open_run_file(path)
    assert run is not None
    try:
        damage = [row[0] for row in run.db.execute("PRAGMA quick_check(3)")]
        if damage != ["ok"]:
            return f"SQLite's quick check fails: {'; '.join(damage)}"
        problems, _ = trust.seal_problems(run, trust.first_event(run))  # type: ignore[arg-type]
        problems += trust._evidence(run)  # type: ignore[arg-type]
        return "; ".join(problems) or None
    finally:
        run.close()


def as_listing_says(path: Path) -> str | None:
    run = open_run_file(path)
    assert run is not None
    try:
        return listing_guard(run)
    finally:
        run.close()


def unguarded(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    return db


def rewritten_start(path: Path, body: str) -> None:
    """The first event's body replaced, every hash after it recomputed: the chain holds."""
    db = unguarded(path)
    rows = db.execute("SELECT seq, body FROM events ORDER BY seq").fetchall()
    head = GENESIS
    for seq, old in rows:
        text = body if seq == 1 else old
        digest = link(head, text)
        db.execute(
            "UPDATE events SET body = ?, prev = ?, hash = ? WHERE seq = ?",
            (text, head, digest, seq),
        )
        head = digest
    db.execute("DELETE FROM high_water")
    db.close()


def first_body(path: Path) -> dict:
    db = sqlite3.connect(path)
    (body,) = db.execute("SELECT body FROM events WHERE seq = 1").fetchone()
    db.close()
    return json.loads(body)


ALTERATIONS = {
    "none": lambda p: None,
    "plan changed": lambda p: unguarded(p).execute(
        "UPDATE meta SET value = value || ' ' WHERE key = 'plan_text'"
    ),
    "setting changed": lambda p: unguarded(p).execute(
        "UPDATE meta SET value = 'someone' WHERE key = 'created_by'"
    ),
    "triggers dropped": lambda p: unguarded(p).close(),
    "no seal": lambda p: rewritten_start(
        p, json.dumps({**first_body(p), "plan_sha256": None}, separators=(",", ":"))
    ),
    "another type": lambda p: rewritten_start(
        p, json.dumps({**first_body(p), "type": "note-added"}, separators=(",", ":"))
    ),
    "not an event": lambda p: rewritten_start(p, '{"type":"run-started"'),
    "digests of another kind": lambda p: rewritten_start(
        p, json.dumps({**first_body(p), "plan_sha256": 7}, separators=(",", ":"))
    ),
}


@pytest.mark.parametrize("how", list(ALTERATIONS))
def test_the_listing_guard_says_what_trust_says(tmp_path: Path, how: str) -> None:
    journal = new_run(tmp_path / "runs", steps=3)
    journal.close()
    ALTERATIONS[how](journal.path)
    said = as_listing_says(journal.path)
    assert said == as_trust_says(journal.path)
    assert (said is None) == (how == "none")

"""The listing's guard (journal/listing.py) asked without pydantic or the engine: SQLite's
quick check, the seal of plan and meta read from the first event's JSON, and the guard's SQL
evidence (journal/evidence.py: triggers, high-water mark, this user's memory of heads).

The same questions `trust.seal_problems` and `trust._evidence` ask, so `cutover runs` judges a
run as before; importing trust (pydantic, the engine, the plan model) was most of a cold
listing's time besides the walk (issue 14). A first event that is not plainly a run-started
with string digests (a body that does not parse, another type, digests of another kind) is
judged by trust itself, exactly as before.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from .evidence import _has_table, high_water_problem, memory_problem, missing_triggers
from .seal import digest, meta_digest
from .seen import against
from .unreachable import JournalUnreachable

if TYPE_CHECKING:
    from .listing import RunFile
    from .seen import Seen


class _Ask:
    """No memory handed in: the guard reads it, as guard() does."""


ASK = _Ask()


def listing_guard(run: RunFile, known: Seen | _Ask | None = ASK) -> str | None:
    """guard() for a listed run, without folding its log: why it is not to be trusted.
    `known`: this user's memory of its head as the listing's record read it (None: none),
    so that it is read once a listing, not once here and once for the record."""
    try:
        damage = [row[0] for row in run.db.execute("PRAGMA quick_check(3)")]
        if damage != ["ok"]:
            return f"SQLite's quick check fails: {'; '.join(damage)}"
        problems = _seal_problems(run)
        gone = missing_triggers(run.db, run.schema_version)
        if gone:
            problems.append(
                f"its append-only triggers were removed ({', '.join(gone)}): edited by hand"
            )
        for problem in (
            high_water_problem(run.db),
            _memory_problem(run, known),
        ):
            if problem:
                problems.append(problem)
    except JournalUnreachable:
        raise  # an outage, said as one (cannot connect), never called damage
    except sqlite3.DatabaseError as exc:
        return f"the database is damaged: {exc}"
    return "; ".join(problems) or None


def _memory_problem(run: RunFile, known: Seen | _Ask | None) -> str | None:
    if isinstance(known, _Ask):
        return memory_problem(run.db, run.run_id, run.path)
    return against(run.db, known) if known else None


def _seal_problems(run: RunFile) -> list[str]:
    """trust.seal_problems' problems (its notes aside), from the first event's JSON."""
    row = run.db.execute("SELECT body FROM events ORDER BY seq LIMIT 1").fetchone()
    if row is None:
        return []
    start = _plain_start(row[0])
    if start is None:  # not plainly a run-started: as the guard reads it, parsed
        from .trust import first_event, seal_problems

        return seal_problems(run, first_event(run))[0]  # type: ignore[arg-type]
    if start.get("plan_sha256") is None:
        if run.schema_version >= 2 or _has_table(run.db, "high_water"):
            return ["the first event carries no seal, though the run was made with one"]
        return []  # made before the seal: a note, not a problem
    problems = []
    stored = digest(run.meta.get("plan_text", ""))
    if stored != start["plan_sha256"]:
        problems.append(
            "the stored plan is not the plan the run started with (the chain says "
            f"{start['plan_sha256'][:12]}…, the stored plan is {stored[:12]}…)"
        )
    if start.get("meta_sha256") != meta_digest(run.meta):
        problems.append("the run's settings (meta) changed since it started")
    return problems


def _plain_start(body: str) -> dict[str, Any] | None:
    try:
        start = json.loads(body)
    except ValueError:
        return None
    if not isinstance(start, dict) or start.get("type") != "run-started":
        return None
    digests = (start.get("plan_sha256"), start.get("meta_sha256"))
    if not all(d is None or isinstance(d, str) for d in digests):
        return None
    return start


__all__ = ["listing_guard"]

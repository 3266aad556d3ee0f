"""A run's `RunInfo` (what `cutover runs` lists) read from an open journal."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from .moved import moved_line
from .run_files import RunInfo

if TYPE_CHECKING:
    from .store import Journal


def run_info(journal: Journal) -> RunInfo:
    """The listing's line of a run: its meta and where its state stands (damaged: said)."""
    try:
        state = journal.state()
    except (sqlite3.DatabaseError, ValueError):
        return damaged_info(journal)
    if journal.broken:
        return damaged_info(journal)
    return RunInfo(
        run_id=journal.run_id,
        path=journal.path,
        plan_id=journal.meta["plan_id"],
        title=journal.meta["title"],
        mode=journal.meta["mode"],
        created_at=journal.meta["created_at"],
        created_by=journal.meta["created_by"],
        events=state.event_count,
        phase=state.phase,
        outcome=state.outcome,
        speed=float(journal.meta.get("speed", 1.0)),
        steps_done=sum(state.status[sid].status in ("done", "skipped") for sid in state.order),
        steps_total=len(state.order),
        moved=moved_line(journal.db),
    )


def damaged_info(journal: Journal) -> RunInfo:
    """A run whose chain does not hold or whose log cannot be read: its meta only."""
    return RunInfo(
        run_id=journal.run_id,
        path=journal.path,
        plan_id=journal.meta["plan_id"],
        title=journal.meta["title"],
        mode=journal.meta["mode"],
        created_at=journal.meta["created_at"],
        created_by=journal.meta["created_by"],
        events=0,
        phase="damaged",
        outcome="cutover verify says how",
        speed=float(journal.meta.get("speed", 1.0)),
        moved=moved_line(journal.db),
    )

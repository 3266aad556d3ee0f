"""Beginning a run: the RunStarted checked before any file is made, then the run's database.

One place for `cutover start` on shared files and for the locked-mode service, so both
refuse the same people for the same reasons.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine.events import RunStarted
from ..engine.state import Refused, check, initial_state
from .identity import actor_for, describe
from .store import FILE_MODE, Journal

if TYPE_CHECKING:
    from ..plan import LoadedPlan  # hints only: loading is imported when used


def begin_run(
    directory: Path | str,
    loaded: LoadedPlan,
    *,
    rehearsal: bool,
    login: str,
    file_mode: int = FILE_MODE,
    checks: bool = True,
) -> Journal:
    """A new run of `loaded` in `directory`, started by `login`. Refused (with who the login
    is to the plan) when it may not start it; nothing is made then. `file_mode` as in
    `Journal.create` (the locked-mode service's runs are 0640)."""
    plan = loaded.plan
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    # A rehearsal runs now, whatever the plan's dates: its window opens at this minute.
    shift = now - plan.window.start if rehearsal else timedelta(0)
    event = RunStarted(
        actor=actor_for(plan, login),
        at=now,
        plan_id=plan.plan.id,
        mode="rehearsal" if rehearsal else "live",
        checks=None if checks else False,  # engine/checks.py: False turns checks off
        key=uuid.uuid4().hex,
    )
    fresh = initial_state(plan)
    reason = check(fresh, event)
    if reason:
        raise Refused(f"{reason} ({describe(fresh, login, str(reason))})")
    if isinstance(directory, str):  # a PostgreSQL URL (journal.backend): a schema, no file
        from .postgres import PgJournal

        journal: Journal = PgJournal.create_run(
            directory, loaded, rehearsal=rehearsal, created_by=login, shift=shift
        )
    else:
        journal = Journal.create(
            directory,
            loaded,
            rehearsal=rehearsal,
            created_by=login,
            shift=shift,
            file_mode=file_mode,
        )
    journal.append(event)
    return journal

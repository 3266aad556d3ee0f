"""The log says when checks run again: a starter's conductor took the lease from one that runs
none, after that one had said so in the log (`checks_not_run`, clock/checking.py).

Without this note the log's last word on checks was "no check or probe runs in this
conductor" all night, though the checks ran from the hand-over on. Written once per
hand-over: the lease's write transaction tells exactly one process that it displaced a holder
(journal/lease.take_or_renew), and the note's key names that holder's tenure (its holder text
and when it acquired the lease), so a retry finds the stored note and a later hand-over,
another tenure, gets its own. At the start of a night, when the starter's conductor takes
over before the operator's said anything, nothing is written: nobody needs telling.
"""

from __future__ import annotations

import re
from datetime import datetime

from ..engine.checks import NOT_RUN_KEY, RUN_AGAIN_KEY, RUN_AGAIN_OPENING
from ..engine.events import CONDUCTOR, Event, NoteAdded
from ..journal.identity import os_login
from ..journal.lease import CHECKS_MARK, Claimed, holder_of
from ..journal.store import Journal


def checks_run_again(
    journal: Journal, claimed: Claimed, runs_checks: bool, now: datetime
) -> list[Event]:
    """The note that checks run again, when this conductor (which runs them) has just taken
    the lease from one that runs none and the log said that none run; else nothing."""
    if not (claimed.holding and runs_checks and claimed.displaced):
        return []
    text, acquired = claimed.displaced
    if text.endswith(CHECKS_MARK) or not said_not_run(journal):
        return []
    displaced = shown_holder(text)
    note = (
        f"{RUN_AGAIN_OPENING}{os_login()}'s conductor, of the login that started the run, took "
        f"the lease from {displaced}, which ran none"
    )
    key = f"{RUN_AGAIN_KEY}{displaced}@{acquired:.6f}"
    return [NoteAdded(actor=CONDUCTOR, at=now, text=note, key=key)]


# What a lease row's holder looks like (journal/lease.holder_id: host:pid; a bare name in
# tests). Anything else was written by hand: a member of the run's group may edit the row,
# and its words must not be put in a note the log signs "conductor".
_HOLDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}(:[0-9]{1,10})?", re.ASCII)
UNNAMED_HOLDER = "a conductor its lease row does not name"


def shown_holder(text: str) -> str:
    """The displaced holder as the note names it: a host:pid-shaped one, else no words."""
    holder = holder_of(text)
    return holder if _HOLDER.fullmatch(holder) else UNNAMED_HOLDER


def said_not_run(journal: Journal) -> bool:
    """The log's latest conductor note on checks says that none runs (asked once per
    hand-over): after a "run again" note, another hand-over needs a "not run" first."""
    row = journal.db.execute(
        "SELECT key FROM events WHERE actor = ? AND (key LIKE ? OR key LIKE ?) "
        "ORDER BY seq DESC LIMIT 1",
        (CONDUCTOR, f"{NOT_RUN_KEY}%", f"{RUN_AGAIN_KEY}%"),
    ).fetchone()
    return row is not None and str(row[0]).startswith(NOT_RUN_KEY)

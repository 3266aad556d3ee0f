"""`v` on an after-the-night item with a check, result "run its check": the war room runs the
item's check (clock/aftercare_checks.py) in a thread and records its outcome as the item's
result, under the conductor's rules: only when this process's OS login started the run, its
checks are on and its plan is the sealed one; otherwise one line says why not.

It runs here rather than in the conductor because most items are checked after the run ended,
when no conductor ticks; it runs in a thread because a check may take its whole timeout.
"""

from __future__ import annotations

from typing import Any

from ...clock.aftercare_checks import NotRun, run_item_check
from ...engine.aftercare import passed
from ...engine.state import Refused
from ...inert import inert_line
from ...journal.identity import os_login
from ...journal.run import JournalRun, run_clock
from ...journal.store import Journal
from ..roles import read_only_refusal

RUN_CHECK = "run its check"  # the v form's result choice


def run_item_check_now(app: Any, item: str) -> None:
    """Start the check of `item` in a worker thread; the outcome is told in a notice."""
    source = app.source
    if app.read_only:  # a follower, a browser tab: a check's outcome is recorded too
        refusal = source.moved or read_only_refusal(app.state, source.actor)
        app.notify(refusal, title="Refused", severity="error", timeout=10)
        return
    if not isinstance(source, JournalRun) or not isinstance(source.journal, Journal):
        app.notify(
            "an item's check runs on a run kept in a journal file: `cutover check RUN ITEM`",
            severity="warning",
        )
        return
    shared, login = source.journal, source.login or os_login()

    def work() -> None:
        journal = shared.reopen()  # this thread's own connection (sqlite3 objects stay put)
        try:
            event = run_item_check(journal, item, login, run_clock(journal).now)
        except (NotRun, Refused) as why:
            app.call_from_thread(app.notify, f"{item}: not run: {why}", severity="error")
            return
        except Exception as exc:  # a locked file, a full disk: said, never a silent thread
            said = inert_line(f"{type(exc).__name__}: {exc}", 200)
            app.call_from_thread(app.notify, f"{item}: not recorded: {said}", severity="error")
            return
        spec = journal.plan.aftercare.check_by_id()[item]  # type: ignore[union-attr]
        ok = passed(spec, event)
        said = inert_line(event.note.split("\n", 1)[0], 160)
        text = f"{item}: check {'passed' if ok else 'FAILED'}: {said}"
        app.call_from_thread(app.notify, text, severity="information" if ok else "error")
        app.call_from_thread(app.poll_journal)

    app.notify(f"{item}: running its check…", timeout=3)
    app.run_worker(work, thread=True, group="item-checks", exit_on_error=False)

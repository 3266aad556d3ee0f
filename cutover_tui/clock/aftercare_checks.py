"""Run a post-cutover validation item's check now, under the conductor's rules, and record
its outcome as the item's result (engine/aftercare_checks.py).

Most of these are done after the night, when no conductor ticks: whoever asks (`cutover
check RUN ITEM`, v in the war room) runs the check in their own process, and only when that
process's OS login is the one that started the run (clock/checking.py `not_the_starter`),
the run's checks are on, and its stored plan is the sealed one: the same rules as a
checkpoint's check, so nothing typed by anyone, and no one else's plan, is ever run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..engine.aftercare_checks import item_check, outcome_event
from ..engine.checks import may_run_checks
from ..engine.events import ValidationRecorded
from ..plan.probes import AnyCheck
from .checking import not_the_starter, unsealed_plan
from .probing import Outcome, run_check


class NotRun(Exception):
    """Why the item's check was not run: one line."""


def why_not(journal: object, item: str, login: str) -> str | None:
    """Why this process may not run item `item`'s check, or None."""
    state = journal.state()  # type: ignore[attr-defined]
    after = state.plan.aftercare
    if after is None or item not in after.check_by_id():
        return f"there is no validation item {item!r}"
    if item_check(state, item) is None:
        return f"{item!r} has no check in the plan; record it by hand (v, cutover do)"
    return may_run_checks(state) or not_the_starter(state, login) or unsealed_plan(journal)


def run_item_check(
    journal: object,
    item: str,
    login: str,
    now: Callable[[], datetime],
    runner: Callable[[AnyCheck], Outcome] = run_check,
) -> ValidationRecorded:
    """Run the check and append its outcome as the item's result; NotRun saying why not."""
    reason = why_not(journal, item, login)
    if reason:
        raise NotRun(reason)
    state = journal.state()  # type: ignore[attr-defined]
    outcome = runner(item_check(state, item))
    event = outcome_event(state, item, outcome.ok, outcome.value, outcome.evidence, now())
    journal.append(event, now=now)  # type: ignore[attr-defined]
    return event

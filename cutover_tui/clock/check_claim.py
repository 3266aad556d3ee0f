"""Whether this process's conductor runs the run's checks: judged once the run has started.

The judgment (the sealed plan, the starter's OS login: clock/checking.py) was made only while
holding the lease; it is now made before asking for it, because it decides the lease itself:
a conductor that runs checks takes a live lease from one that runs none (journal/lease.py), so
the starter's war room or `cutover conduct`, opened after an operator's, conducts the night.
A conductor that may not run them says so once in the log per tenure of the lease, when it
has held it a lease expiry (`SAY_AFTER_S`): a starter's conductor that is open takes it over
on its next heartbeat, so the note is not written every night at the start for nothing.
"""

from __future__ import annotations

from datetime import datetime

from ..engine.checks import may_run_checks
from ..engine.events import Event
from ..journal.identity import os_login
from ..journal.lease import LEASE_EXPIRY_S
from ..journal.store import Journal
from .checking import checks_not_run, has_checks, not_the_starter, unsealed_plan

SAY_AFTER_S = LEASE_EXPIRY_S  # of real seconds holding the lease, before saying no check runs


class CheckClaim:
    """One conductor's judgment of whether it may run checks, and its claim on the lease."""

    def __init__(self) -> None:
        self.refused: str | None = None  # why no check runs here
        self.judged = False
        self._said = False
        self._holding_since: float | None = None  # wall seconds: first asked while holding
        self._tenure: float | None = None  # when the lease held now was acquired
        self._has_checks: bool | None = None  # the plan's, asked once (a step added live has none)

    def allowed(self, journal: Journal) -> bool:
        """The plan this process parsed is the one the run sealed (judged once the run has
        started: the plan was read when the journal was opened), the chain holds, and this
        process's login started the run."""
        if journal.broken:
            self.refused = unsealed_plan(journal)
            return False
        if self.judged:  # once: a follower's heartbeat reads nothing more for it
            return self.refused is None
        state = journal.state()
        if state.phase != "not-started":
            self.refused = unsealed_plan(journal) or not_the_starter(state, os_login())
            self.judged = True
        return self.judged and self.refused is None

    def runs_checks(self, journal: Journal) -> bool:
        """This conductor would run checks now (so it may take the lease from one that runs
        none): allowed here, the run live with checks on, and the plan has some to run."""
        if not self.allowed(journal):
            return False
        state = journal.state()
        if self._has_checks is None:
            self._has_checks = has_checks(state)
        return (
            self._has_checks
            and state.phase in ("running", "rollback")
            and may_run_checks(state) is None
        )

    def refusal(
        self, journal: Journal, now: datetime, wall: float, tenure: float | None = None
    ) -> list[Event]:
        """The note that this conductor runs no checks, once per `tenure` of the lease (when
        it was acquired), asked by the lease holder at `wall` (real seconds): said once it
        has held the lease `SAY_AFTER_S`, so not when a starter's conductor takes it over
        (while one holds it, nobody needs telling)."""
        if tenure is not None and tenure != self._tenure:  # held again: said again
            self._tenure, self._said, self._holding_since = tenure, False, None
        if self._said or not self.judged or self.refused is None or journal.broken:
            return []
        if self._holding_since is None:
            self._holding_since = wall
        if wall - self._holding_since < SAY_AFTER_S:
            return []
        self._said = True
        return checks_not_run(journal.state(), self.refused, os_login(), now, self._tenure)

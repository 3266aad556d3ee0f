"""The pace prior a run's odds start from: what the plan's other rehearsals say. Apart from
warroom_commands.py so that `cutover status` reads it without importing the war room's
conductor, jinja2 and APScheduler (issue 14)."""

from __future__ import annotations

from ..journal.store import Journal
from ..locked.client import LockedJournal


def rehearsal_prior(journal: Journal | LockedJournal):
    """What this plan's other rehearsals say of its pace (None without any). Never from
    simulations nor from rehearsals the commander excluded: a demo played at 60x, or ticked
    off in seconds, would say the night runs at a tenth of its budgets."""
    from ..rehearse.prior_history import counted_summaries

    if isinstance(journal, LockedJournal):
        return None  # the service holds the files; the war room and `status` both go without
    # In brief, from this user's memo where a file is unchanged (rehearse/prior_history.py):
    # the prior reads only the step actuals of history(...).counted.
    others = counted_summaries(journal.path.parent, journal.plan.plan.id, without=journal.run_id)
    if not others:
        return None
    from ..rehearse.calibrate import prior_from  # numpy: only with rehearsals to learn from

    return prior_from(journal.plan, others)

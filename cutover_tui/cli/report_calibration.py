"""The review's calibration section, filled by `cutover report` (report/ may not import
rehearse/): the reliability table of the odds over the plan's rehearsals and simulated nights.

The odds each ended run would have stated at 25, 50 and 75 % of its planned night (its
recorded step times rewound to then, the prior from the plan's other runs) against whether it
finished inside its window: rehearse/reliability.py, the same table `cutover rehearsals`
prints. The run under review is one of them when it is a rehearsal; a live run is not (its
journal sits beside them, but it is not the plan's history of rehearsals).
"""

from __future__ import annotations

from ..journal.store import Journal


def calibration_rows(journal) -> list[tuple[str, str]] | None:
    """(stated odds, what happened) rows for the review; None where the runs are out of reach
    (locked mode: the service holds the other files), so the review says "not recorded"."""
    if not isinstance(journal, Journal):
        return None
    from ..rehearse.reliability import ended_nights, review_rows, runs_table

    plan = journal.plan
    nights = ended_nights(journal.path.parent, plan.plan.id)
    source = (
        f"over {nights.rehearsals} rehearsal(s) and {nights.simulated} simulated night(s) "
        "that ended, at 25, 50 and 75 % of each night"
    )
    table = runs_table(plan, nights.states)
    if not table.n:
        return [("the odds' record", f"no stated odds to compare yet: {source}")]
    return [("the odds' record", source), *review_rows(table)]


__all__ = ["calibration_rows"]

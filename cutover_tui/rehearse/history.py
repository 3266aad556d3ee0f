"""A plan's rehearsal history as it can be trusted: which rehearsals count, and which not.

Counted: rehearsals run by people. Left out unless asked for: simulations (`cutover
simulate`, whose steps play themselves, or were ticked off by hand in seconds on a fast
clock). Left out always: rehearsals the commander excluded with a reason (RehearsalExcluded,
kept in their journal). The comparison (`cutover rehearsals`), calibration and the war room's
pace prior all read the history through `history()`; the war room never counts simulations.

A simulation made before RunStarted carried `simulated` is told by its note ("simulated at
60x") or its fast clock (speed above 1).

Left out always too, and said: a rehearsal whose file says it moved to PostgreSQL (`cutover
migrate`, journal/moved.py). Its file stopped at the move, so it is not the whole rehearsal
(steps timed there, an exclusion recorded there); and the history reads run files, as the
war room's prior does from its odds worker, where a connection to a server per moved file
(and a memo that cannot tell when the run there changed) would not belong. Stop note
(2026-12-03): the stale file was counted as if it were the whole rehearsal.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.events import RehearsalExcluded, RunStarted
from ..engine.state import RunState
from ..engine.timings import tick_offs
from ..inert import inert_line
from ..journal.listing import run_paths
from ..journal.moved import moved_of
from ..journal.run_lookup import first_of, open_runs
from ..journal.store import RunInfo, Unreadable


@dataclass(frozen=True)
class Rehearsal:
    run_id: str
    state: RunState
    simulated: bool

    @property
    def excluded(self) -> RehearsalExcluded | None:
        return self.state.excluded

    @property
    def ticked_off(self) -> list[str]:
        """Its steps ticked off seconds apart, without timings (engine.timings)."""
        return tick_offs(self.state)


@dataclass(frozen=True)
class History:
    counted: list[Rehearsal] = field(default_factory=list)
    simulated: list[Rehearsal] = field(default_factory=list)  # left out (not asked for)
    excluded: list[Rehearsal] = field(default_factory=list)  # left out by the commander
    moved: list[str] = field(default_factory=list)  # left out: "RUN MOVED to ..." (inert)

    @property
    def runs(self) -> list[tuple[str, RunState]]:
        """The counted rehearsals as (run id, state), oldest first: what compare reads."""
        return [(r.run_id, r.state) for r in self.counted]

    @property
    def states(self) -> list[RunState]:
        return [r.state for r in self.counted]

    def left_out(self) -> list[str]:
        """One line per rehearsal left out, saying why (for `cutover rehearsals`)."""
        lines = []
        if self.simulated:
            ids = ", ".join(r.run_id for r in self.simulated)
            lines.append(
                f"left out: {len(self.simulated)} simulation(s) ({ids}); "
                "--include-simulated counts them"
            )
        for r in self.excluded:
            e = r.excluded
            assert e is not None
            lines.append(
                f"excluded: {r.run_id} by {r.state.name(e.actor)} at "
                f"{e.at.astimezone(r.state.plan.zone):%Y-%m-%d %H:%M %Z}: {e.reason}"
            )
        for moved in self.moved:
            lines.append(f"left out: {moved}; its file is not the whole rehearsal")
        return lines

    def ticked_off_line(self) -> str | None:
        """The line saying how many steps were ticked off without timings, or None."""
        per = [(i, len(r.ticked_off)) for i, r in enumerate(self.counted)]
        total = sum(n for _, n in per)
        if not total:
            return None
        where = ", ".join(f"R{i + 1}: {n}" for i, n in per if n)
        return (
            f"{total} step(s) ticked off without timings (started and completed seconds apart "
            f"without --at, or at one moment), not counted ({where})"
        )


def is_simulated(info: RunInfo, state: RunState, started: RunStarted | None) -> bool:
    """Marked so, or (a file made before the mark) a simulation's note or fast clock."""
    if state.simulated or info.speed != 1.0:
        return True
    return started is not None and (started.note or "").startswith("simulated at ")


def history(
    directory: Path, plan_id: str, *, include_simulated: bool = False, without: str | None = None
) -> History:
    """The rehearsals of `plan_id` in `directory`, oldest first, sorted into counted and left
    out; `without` names a run to leave out entirely (the one the war room is showing)."""
    found: list[tuple[RunInfo, Rehearsal]] = []
    moved: list[tuple[RunInfo, str]] = []
    # Only the files whose meta names this plan's rehearsals are opened and folded.
    for journal in open_runs(directory, run_paths(directory, plan_id, "rehearsal")):
        if isinstance(journal, Unreadable):
            continue
        try:
            info = journal.info()
            if info.plan_id != plan_id or info.mode != "rehearsal" or info.phase == "damaged":
                continue
            if info.run_id == without:
                continue
            try:
                where = moved_of(journal)
            except sqlite3.DatabaseError:
                continue  # a damaged mark: left out, as a damaged file is
            if where is not None:  # the file stopped at the move: see the module's doc
                moved.append((info, inert_line(f"{info.run_id} {where.line()}")))
                continue
            state = journal.state()
            started = first_of(journal, "run-started")  # alone, not the log parsed again
        finally:
            journal.close()
        found.append((info, Rehearsal(info.run_id, state, is_simulated(info, state, started))))
    out = History(moved=[line for _, line in sorted(moved, key=lambda pair: pair[0].made)])
    for _, rehearsal in sorted(found, key=lambda pair: pair[0].made):
        if rehearsal.excluded is not None:
            out.excluded.append(rehearsal)
        elif rehearsal.simulated and not include_simulated:
            out.simulated.append(rehearsal)
        else:
            out.counted.append(rehearsal)
    return out

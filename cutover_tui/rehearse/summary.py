"""A rehearsal in brief: what the pace prior reads of it, without its log.

The prior (`calibrate.prior_from`, through `cli/prior.py`) reads of each counted rehearsal
only its steps' actual durations (`compare.step_actual`: a tick-off or an unfinished step has
none). A `RehearsalSummary` holds exactly those, worked out once from the folded state, so
the prior made from summaries is the prior made from the states, figure for figure; with
the run's info (for order), and whether it was simulated or excluded (for which count).
It is what the per-user memo of rehearsals (rehearse/rehearsal_record.py) keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ..engine.state import RunState
from ..journal.listed_record import info_fields, run_info
from ..journal.store import RunInfo
from .compare import step_actual


@dataclass(frozen=True)
class RehearsalSummary:
    info: RunInfo
    simulated: bool
    excluded: bool
    actuals: dict[str, timedelta]  # step id -> actual duration, for the steps that have one

    @property
    def run_id(self) -> str:
        return self.info.run_id


def summarize(info: RunInfo, state: RunState, simulated: bool) -> RehearsalSummary:
    """The summary of a rehearsal folded to `state`."""
    actuals = {}
    for sid in state.status:
        actual = step_actual(state, sid)
        if actual is not None:
            actuals[sid] = actual
    return RehearsalSummary(info, simulated, state.excluded is not None, actuals)


def actual_of(run: RunState | RehearsalSummary, sid: str) -> timedelta | None:
    """A step's actual duration in a rehearsal, from its state or its summary alike."""
    if isinstance(run, RehearsalSummary):
        return run.actuals.get(sid)
    return step_actual(run, sid)


def to_json(summary: RehearsalSummary) -> dict[str, Any]:
    """The summary as JSON values: durations in whole microseconds (exact, as timedelta)."""
    return {
        "info": info_fields(summary.info),
        "simulated": summary.simulated,
        "excluded": summary.excluded,
        "actuals": {sid: _micros(a) for sid, a in summary.actuals.items()},
    }


def from_json(data: Any, path) -> RehearsalSummary | None:
    """The summary `to_json` wrote for the run file at `path`, or None when not of its shape."""
    if not isinstance(data, dict) or set(data) != {"info", "simulated", "excluded", "actuals"}:
        return None
    info = run_info(data["info"], path) if isinstance(data["info"], dict) else None
    actuals = data["actuals"]
    if (
        info is None
        or not isinstance(data["simulated"], bool)
        or not isinstance(data["excluded"], bool)
        or not isinstance(actuals, dict)
        or not all(type(us) is int for us in actuals.values())
    ):
        return None
    return RehearsalSummary(
        info,
        data["simulated"],
        data["excluded"],
        {sid: timedelta(microseconds=us) for sid, us in actuals.items()},
    )


def _micros(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


__all__ = ["RehearsalSummary", "actual_of", "from_json", "summarize", "to_json"]

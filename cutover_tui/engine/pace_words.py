"""The pace in words: the evidence line the war room shows ("the last 6 steps ran 48 % over
budget; ...") and the small helpers that write shares and ratios (engine/pace.py calls them).

Split out of engine/pace.py unchanged; pace.py re-exports every name here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from ..plan.durations import format_duration
from .timings import tick_offs, tick_offs_said

if TYPE_CHECKING:  # type hints only: pace.py imports this module
    from .pace import StepEvidence
    from .pace_prior import PacePrior
    from .state import RunState


def _ratio(evidence: Sequence[StepEvidence]) -> float | None:
    budget = sum(e.budget.total_seconds() for e in evidence)
    if not evidence or budget <= 0:
        return None
    return sum(e.actual.total_seconds() for e in evidence) / budget


def percent(fraction: float) -> str:
    """0.48 -> '48 %' (the war room's way of writing a share)."""
    return f"{round(fraction * 100)} %"


def over_budget(ratio: float) -> str:
    """'48 % over budget', '12 % under budget', 'on budget'."""
    percent = round((ratio - 1) * 100)
    if percent == 0:
        return "on budget"
    return f"{abs(percent)} % {'over' if percent > 0 else 'under'} budget"


def _describe(
    state: RunState,
    evidence: Sequence[StepEvidence],
    kept: Sequence[StepEvidence],
    recent: Sequence[StepEvidence],
    outliers: Sequence[str],
    per_phase: Mapping[str, float],
    phases: Sequence[str],
    theta: float,
    prior: PacePrior,
) -> str:
    parts: list[str] = []
    if kept:
        recent_ratio = _ratio(recent)
        assert recent_ratio is not None
        if len(kept) == len(recent):
            other = " other" if outliers else ""  # beside the outliers named after it
            what = (
                f"the only{other} step finished so far"
                if len(kept) == 1
                else f"the {len(kept)}{other} steps finished so far"
            )
            parts.append(f"{what} ran {over_budget(recent_ratio)}")
        else:
            overall = _ratio(kept)
            assert overall is not None
            parts.append(
                f"the last {len(recent)} steps ran {over_budget(recent_ratio)} "
                f"(all {len(kept)} so far: {over_budget(overall)})"
            )
    elif not evidence:
        parts.append(f"{_no_timing_yet(state)}: the pace is {_source(prior)}'s estimate")
    for sid in outliers:
        e = next(e for e in evidence if e.step == sid)
        parts.append(f"{sid!r} ran {e.ratio:.1f}x its budget, set aside as an outlier")
    if outliers and not kept:  # the factor shown is not these steps' (noticed, 2026-12-02)
        every = "the only step finished" if len(outliers) == 1 else "every step finished"
        parts.append(f"{every} so far was set aside: the pace leans on {_source(prior)}'s estimate")
    # A phase is named only when its own evidence moved it clearly away from the night.
    titles = state.plan.phase_by_id
    for p in phases:
        n = sum(1 for e in kept if e.phase == p)
        own = per_phase[p] / math.exp(theta)
        if n >= 3 and abs(math.log(own)) >= 0.1:
            title = titles[p].title if p in titles else p
            how = "slower" if own > 1 else "faster"
            parts.append(f"phase {title!r} runs {percent(abs(own - 1))} {how} than the rest")
    long_running = [e for e in evidence if e.finished_at is None and e.ratio > 1.0]
    for e in sorted(long_running, key=lambda e: -e.ratio)[:2]:
        parts.append(
            f"{e.step!r} has run {format_duration(_minutes(e.actual))} "
            f"of its {format_duration(e.budget)} budget"
        )
    return "; ".join(parts)


def _source(prior: PacePrior) -> str:
    """Whose estimate the pace is before the night's own evidence counts."""
    return "the rehearsal history" if prior.factor != 1.0 or prior.scales else "the plan"


def _no_timing_yet(state: RunState) -> str:
    """Why there is no evidence: nothing finished, or only tick-offs, which are no timings
    (engine/timings.py); "no step has finished yet" would be false beside a done step."""
    ticked = tick_offs(state)
    if not ticked:
        return "no step has finished yet"
    steps = "1 step was" if len(ticked) == 1 else f"{len(ticked)} steps were"
    return f"no step has been timed yet ({steps} ticked off: {tick_offs_said(state, ticked)})"


def _minutes(delta: timedelta) -> timedelta:
    return timedelta(minutes=max(1, round(delta.total_seconds() / 60)))

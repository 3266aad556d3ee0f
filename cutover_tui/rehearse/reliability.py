"""Calibration shown, not claimed: a reliability table of stated odds against what happened.

Each row of the table is a bin of stated P(finish inside the window) (0-10 %, ..., 90-100 %):
how many statements fell in it, their mean, how often the night did finish inside the window,
and the Wilson 95 % interval of that frequency. Odds are honest when every bin's mean stated
figure lies inside its interval; a bin whose figure lies outside says which way the odds lean
(too hopeful: it stated a better chance of the window than happened; or too gloomy).

Headless: `reliability(pairs)` takes (stated probability, made it) pairs, from rehearsals
(`cutover rehearsals`), simulated nights (`benchmarks/foresight.py`) or the review report, and
`table_lines` prints the result in the same words everywhere. `statements(plan, runs)` makes
the pairs of recorded runs: each ended run replayed to 25, 50 and 75 % of its planned night
(its recorded step times rewound to then, engine/alarm.rewind), the odds stated there as the
war room would have stated them (the prior from the plan's other runs), against whether it
finished inside its window. The review report calls `runs_table(plan, runs)`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..engine.state import RunState
    from ..plan.model import Plan

BINS = 10  # 0-10 %, 10-20 %, ... 90-100 %
MOMENTS = (0.25, 0.5, 0.75)  # of the planned night: where the stated odds are read
Z95 = 1.959964


@dataclass(frozen=True)
class Bin:
    low: float  # stated odds from (inclusive) ...
    high: float  # ... to (exclusive; the last bin includes 1.0)
    n: int  # statements in the bin
    stated: float  # their mean
    observed: float  # share of them whose night finished inside the window
    ci_low: float  # Wilson 95 % interval of `observed`
    ci_high: float

    @property
    def honest(self) -> bool:
        """The stated mean lies within the interval of what happened."""
        return self.ci_low <= self.stated <= self.ci_high

    @property
    def lean(self) -> str:
        if self.honest:
            return "ok"
        return "too hopeful" if self.stated > self.ci_high else "too gloomy"


@dataclass(frozen=True)
class Reliability:
    bins: tuple[Bin, ...]  # only bins with statements in them
    n: int
    brier: float  # mean squared error of the stated odds
    base_rate: float  # share of statements whose night made it
    brier_constant: float  # the same for a constant forecast at the base rate

    @property
    def honest(self) -> bool:
        return all(b.honest for b in self.bins)


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion: sound for small n and for 0 or n hits."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # At 0 or n hits the bound is exactly 0 or 1: rounding must not leave p outside it.
    low = 0.0 if successes == 0 else max(0.0, min(p, centre - half))
    high = 1.0 if successes == n else min(1.0, max(p, centre + half))
    return low, high


def reliability(pairs: Iterable[tuple[float, bool]], bins: int = BINS) -> Reliability:
    """The reliability table of (stated P(in window), the night made it) pairs."""
    data = [(min(max(float(p), 0.0), 1.0), bool(made)) for p, made in pairs]
    grouped: list[list[tuple[float, bool]]] = [[] for _ in range(bins)]
    for p, made in data:
        grouped[min(int(p * bins), bins - 1)].append((p, made))
    out = []
    for index, group in enumerate(grouped):
        if not group:
            continue
        hits = sum(1 for _, made in group if made)
        low, high = wilson(hits, len(group))
        out.append(
            Bin(
                low=index / bins,
                high=(index + 1) / bins,
                n=len(group),
                stated=sum(p for p, _ in group) / len(group),
                observed=hits / len(group),
                ci_low=low,
                ci_high=high,
            )
        )
    n = len(data)
    base = sum(1 for _, made in data if made) / n if n else 0.0
    brier = sum((p - made) ** 2 for p, made in data) / n if n else 0.0
    constant = sum((base - made) ** 2 for _, made in data) / n if n else 0.0
    return Reliability(tuple(out), n, brier, base, constant)


def table_lines(table: Reliability, indent: str = "  ") -> list[str]:
    """The table in words: one line per bin with statements, then the Brier scores."""
    if not table.n:
        return [f"{indent}no stated odds to compare with an outcome yet"]
    lines = [f"{indent}{'odds':<9} {'n':>5}  {'stated':>6}  {'happened':>8}  95 % interval"]
    for b in table.bins:
        odds = f"{b.low * 100:.0f}-{b.high * 100:.0f} %"
        interval = f"{b.ci_low:.0%} to {b.ci_high:.0%}"
        lines.append(
            f"{indent}{odds:<9} {b.n:5d}  {b.stated:6.0%}  {b.observed:8.0%}  "
            f"{interval:<13}  {b.lean}"
        )
    lines.append(
        f"{indent}Brier {table.brier:.3f} against {table.brier_constant:.3f} for a constant "
        f"{table.base_rate:.0%} (the base rate, known only afterwards); {table.n} statements"
    )
    return lines


def pairs_of(stated: Sequence[float], made: Sequence[bool]) -> list[tuple[float, bool]]:
    return list(zip(stated, made, strict=True))


def review_rows(table: Reliability) -> list[tuple[str, str]]:
    """The table as (stated odds, what happened) rows: the review's `calibration` hook
    (report/review.py) takes these, filled by its caller (report may not import rehearse)."""
    rows = [
        (
            f"stated {b.low * 100:.0f}-{b.high * 100:.0f} % ({b.n}, mean {b.stated:.0%})",
            f"happened {b.observed:.0%} (95 % {b.ci_low:.0%} to {b.ci_high:.0%}): {b.lean}",
        )
        for b in table.bins
    ]
    rows.append(
        (
            f"Brier over {table.n} statements",
            f"{table.brier:.3f} against {table.brier_constant:.3f} for a constant "
            f"{table.base_rate:.0%}",
        )
    )
    return rows


# -- recorded runs -----------------------------------------------------------------------------


def outcome(state: RunState) -> bool | None:
    """Did the run finish inside its window? None while it has not ended (no outcome yet).
    A rollback or an abort did not make it, whatever the time."""
    if state.phase != "ended" or state.ended_at is None:
        return None
    if state.outcome != "completed":
        return False
    finishes = [state.status[sid].finished_at for sid in state.order]
    last = max((f for f in finishes if f is not None), default=state.ended_at)
    return last <= state.plan.window.end


def stated_at(
    state: RunState, at: datetime, prior=None, seed: int = 1, iterations: int = 500
) -> float:
    """P(in window) as the war room would have stated it at `at`, from the run's own record."""
    from ..engine.alarm import rewind
    from ..engine.forecast import Forecaster
    from ..engine.pace import infer_pace

    past, _ = rewind(state, at)
    forecaster = Forecaster(iterations=iterations, seed=seed)
    pace = infer_pace(past, at, prior)
    scales = prior.scales if prior is not None and prior.scales else None
    return forecaster.forecast(past, at, scales=scales, slowness=pace.slowness).p_in_window


def statements(
    plan: Plan, runs: Sequence[RunState], moments: Sequence[float] = MOMENTS
) -> list[tuple[float, bool]]:
    """(stated P(in window), made it) at each moment of each ended run, each run's odds from
    the prior of the other runs (as `cutover run` would have had)."""
    from ..plan.graph import baseline
    from .calibrate import prior_from

    out = []
    for index, state in enumerate(runs):
        made = outcome(state)
        if made is None or state.started_at is None:
            continue
        others = [s for i, s in enumerate(runs) if i != index]
        prior = prior_from(plan, others) if others else None
        start = state.started_at
        planned = baseline(state.plan.step, start).end - start
        for q in moments:
            at = start + planned * q
            if state.ended_at is not None and at >= state.ended_at:
                continue  # it had ended by then: nothing was stated
            out.append((stated_at(state, at, prior, seed=index + 1), made))
    return out


def runs_table(plan: Plan, runs: Sequence[RunState]) -> Reliability:
    """The reliability table of a plan's recorded runs (rehearsals and simulations)."""
    return reliability(statements(plan, runs))


@dataclass(frozen=True)
class EndedNights:
    """A plan's ended rehearsals and simulated nights: what its odds are scored against."""

    states: list[RunState]
    simulated: int

    @property
    def rehearsals(self) -> int:
        return len(self.states) - self.simulated


def ended_nights(directory: Path, plan_id: str) -> EndedNights:
    """The ended runs among the plan's counted rehearsals, simulations included (the one
    reading that `cutover rehearsals` and `cutover report` both score the odds on)."""
    from .history import history

    every = history(directory, plan_id, include_simulated=True)
    ended = [r for r in every.counted if r.state.phase == "ended"]
    return EndedNights([r.state for r in ended], sum(1 for r in ended if r.simulated))


__all__ = [
    "Bin",
    "EndedNights",
    "Reliability",
    "ended_nights",
    "outcome",
    "pairs_of",
    "reliability",
    "review_rows",
    "runs_table",
    "stated_at",
    "statements",
    "table_lines",
    "wilson",
]

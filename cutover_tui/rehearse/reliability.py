"""Calibration shown, not claimed: a reliability table of stated odds against what happened.

Each row of the table is a bin of stated P(finish inside the window) (0-10 %, ..., 90-100 %):
how many statements fell in it, their mean, how often the night did finish inside the window,
and the Wilson 95 % interval of that frequency. Odds are honest when every bin's mean stated
figure lies inside its interval; a bin whose figure lies outside says which way the odds lean
(too sure of the window, or too gloomy).

Headless and pure: `reliability(pairs)` takes (stated probability, made it) pairs, from
rehearsals (`cutover rehearsals`), simulated nights (`benchmarks/foresight.py`) or the review
report, and `table_lines` prints the result in the same words everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

BINS = 10  # 0-10 %, 10-20 %, ... 90-100 %
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
        return "too sure" if self.stated > self.ci_high else "too gloomy"


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
    return max(0.0, centre - half), min(1.0, centre + half)


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
    lines = [f"{indent}stated odds   n   mean stated  happened  95 % interval   "]
    for b in table.bins:
        lines.append(
            f"{indent}{b.low:4.0%}-{b.high:<4.0%} {b.n:5d}   {b.stated:6.0%}      "
            f"{b.observed:6.0%}   {b.ci_low:4.0%} to {b.ci_high:4.0%}   {b.lean}"
        )
    lines.append(
        f"{indent}Brier {table.brier:.3f} against {table.brier_constant:.3f} for a constant "
        f"{table.base_rate:.0%} (the base rate, known only afterwards); {table.n} statements"
    )
    return lines


def pairs_of(stated: Sequence[float], made: Sequence[bool]) -> list[tuple[float, bool]]:
    return list(zip(stated, made, strict=True))


__all__ = ["Bin", "Reliability", "pairs_of", "reliability", "table_lines", "wilson"]

"""The done-when table of issue 21: every figure per (noise model, plan), each with PASS/FAIL.

One row per (noise model, plan) and one per noise model over all plans; the columns are the
issue's bullets:

- lead: median minutes before the deadline of the foresight's first LATE on breached nights,
  over the status-date method's (PASS at >= `LEAD_RATIO`);
- false: the share of nights that made the window on which the foresight said LATE at some
  point (PASS at <= `FALSE_RATE`);
- Brier 25/50/75: the stated P(in window) at that share of the planned night against a
  constant forecast at the base rate of the same nights (PASS when strictly below);
- bins: the reliability table of the statements at 25, 50 and 75 %: bins whose mean stated
  odds lie inside their Wilson 95 % interval, of all bins (PASS when all do).

A cell without the data to judge (no breached night, or none that made it; for the Brier,
nights that all ended the same way, when the constant is the answer itself) says "n/a" and
does not pass: the row's verdict needs every cell. Used by benchmarks/foresight.py and by
benchmarks/foresight_sweep.py (the recorded nights, re-judged without a re-run).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from cutover_tui.rehearse.reliability import reliability

LEAD_RATIO = 3.0
FALSE_RATE = 0.05
CHECKPOINTS = (0.25, 0.5, 0.75)

Night = Any  # benchmarks.foresight.Night: the figures of one replayed night
FirstLate = Callable[[Night, str], "float | None"]


def recorded_first_late(night: Night, method: str) -> float | None:
    return night.first_late[method]


def cell(ok: bool | None, text: str) -> str:
    mark = "n/a " if ok is None else ("PASS" if ok else "FAIL")
    return f"{text} {mark}"


def judge(
    nights: Sequence[Night], first_late: FirstLate = recorded_first_late
) -> tuple[list[str], bool]:
    """The cells of one row and whether every one passes."""
    breached = [n for n in nights if n.breached]
    kept = [n for n in nights if not n.breached]
    cells, oks = [], []

    def lead_of(n: Night, method: str) -> float:
        first = first_late(n, method)
        return n.deadline - (first if first is not None else n.finish)

    if breached:
        ours = statistics.median(lead_of(n, "foresight") for n in breached)
        theirs = statistics.median(lead_of(n, "status-date") for n in breached)
        ratio = ours / theirs if theirs > 0 else float("inf")
        ok: bool | None = ratio >= LEAD_RATIO
        cells.append(cell(ok, f"{ratio:5.2f}x"))
    else:
        ok = None
        cells.append(cell(ok, "   -  "))
    oks.append(ok)
    if kept:
        rate = sum(1 for n in kept if first_late(n, "foresight") is not None) / len(kept)
        ok = rate <= FALSE_RATE
        cells.append(cell(ok, f"{rate:5.1%}"))
    else:
        ok = None
        cells.append(cell(ok, "   -  "))
    oks.append(ok)
    base = len(kept) / len(nights) if nights else 0.0
    for q in CHECKPOINTS:
        have = [n for n in nights if q in n.checkpoints]
        if not have:
            cells.append(cell(None, "      -      "))
            oks.append(None)
            continue
        made = np.array([0.0 if n.breached else 1.0 for n in have])
        stated = np.array([n.checkpoints[q][0] for n in have])
        ours = float(np.mean((stated - made) ** 2))
        constant = float(np.mean((base - made) ** 2))
        # Every night with one outcome: the constant is the answer itself, nothing beats it.
        ok = None if constant == 0 else ours < constant
        cells.append(cell(ok, f"{ours:.3f} vs {constant:.3f}"))
        oks.append(ok)
    table = reliability(statements(nights))
    honest = sum(1 for b in table.bins if b.honest)
    ok = table.honest if table.bins else None
    cells.append(cell(ok, f"{honest:2d}/{len(table.bins):2d}"))
    oks.append(ok)
    return cells, all(o is True for o in oks)


def statements(nights: Sequence[Night]) -> list[tuple[float, bool]]:
    return [(n.checkpoints[q][0], not n.breached) for n in nights for q in n.checkpoints]


HEADER = (
    f"{'noise':9} {'plan':18} {'nights':>6} {'lead >=3x':>10} {'false <=5%':>11} "
    f"{'Brier 25% < const':>18} {'Brier 50% < const':>18} {'Brier 75% < const':>18} "
    f"{'bins honest':>12}  row"
)


def done_when_table(
    nights: Sequence[Night], plans: Sequence[str], first_late: FirstLate = recorded_first_late
) -> list[str]:
    """The table, rows per (noise model, plan) then per noise model over all plans."""
    lines = [HEADER]
    verdicts = []
    for noise in sorted({n.noise for n in nights}, key=["uniform", "lognormal"].index):
        mine = [n for n in nights if n.noise == noise]
        for plan in [*plans, "all plans"]:
            rows = mine if plan == "all plans" else [n for n in mine if n.plan == plan]
            if not rows:
                continue
            cells, ok = judge(rows, first_late)
            verdicts.append(ok)
            widths = (10, 11, 18, 18, 18, 12)
            body = " ".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True))
            lines.append(f"{noise:9} {plan:18} {len(rows):6d} {body}  {'PASS' if ok else 'FAIL'}")
    passed = sum(verdicts)
    lines.append(f"done when: {passed} of {len(verdicts)} rows pass every cell")
    return lines


__all__ = ["done_when_table", "judge", "statements"]

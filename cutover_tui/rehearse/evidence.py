"""How much evidence stands behind a calibration, and the cuts it may not make on little.

A step's evidence is the number of rehearsals that timed it (a step never timed takes its
phase's pace: then the rehearsals that timed anything). A budget cut by more than `MAX_CUT`
on fewer than `MIN_EVIDENCE` rehearsals is refused unless forced: one fast night (or a night
whose steps were ticked off in seconds) must not halve a plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..plan.durations import format_duration

if TYPE_CHECKING:
    from .calibrate import Calibration

MAX_CUT = 0.5  # a proposal below half its budget needs MIN_EVIDENCE rehearsals (or force)
MIN_EVIDENCE = 2


def refused_cuts(c: Calibration) -> list[str]:
    """One line per step whose budget would be cut by more than half on fewer than
    MIN_EVIDENCE rehearsals: what `cutover calibrate` refuses without --force."""
    out = []
    for p in c.proposals.values():
        n = c.evidence(p)
        if p.proposed < p.budget * (1 - MAX_CUT) and n < MIN_EVIDENCE:
            out.append(
                f"{p.step}: {format_duration(p.budget)} -> {format_duration(p.proposed)} "
                f"({p.proposed / p.budget - 1:+.0%}) on {n} rehearsal(s); a cut of more than "
                f"half needs {MIN_EVIDENCE} rehearsals (or --force)"
            )
    return out


def evidence_line(c: Calibration) -> str:
    """How much stands behind the proposals: steps by the rehearsals that timed them."""
    counts = [p.samples for p in c.proposals.values()]
    often = sum(n >= MIN_EVIDENCE for n in counts)
    once = sum(n == 1 for n in counts)
    never = sum(n == 0 for n in counts)
    return (
        f"evidence: {often} step(s) timed in {MIN_EVIDENCE}+ rehearsals, {once} in one, "
        f"{never} never (their phase's pace, over {c.timed} rehearsal(s))"
    )

"""What a simulated night says about the plan's checks: their outcomes are drawn (as the
durations are, `rehearse/simulate.py`), never run, so a simulation touches no shop, database
or host; the checkpoints' evidence and the pane's ⚙ mark say so too."""

from __future__ import annotations

from typing import Any

from ..plan.probes import commands


def drawn_checks(plan: Any) -> str:
    """ ", 3 checks' outcomes drawn, none run" for the simulation's first line ("" without)."""
    count = sum(1 for where, _ in commands(plan) if where.startswith("checkpoint "))
    probes = len(plan.probe)
    if not count and not probes:
        return ""
    parts = [f"{count} check{'s' if count != 1 else ''}' outcomes drawn"] if count else []
    if probes:
        parts.append(f"{probes} probe{'s' if probes != 1 else ''} not run")
    return "; " + ", ".join(parts) + ", nothing run against the real systems"

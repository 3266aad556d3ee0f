"""The plan's headline figures, and the one-screen summary `cutover validate` prints."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..inert import inert_line
from .aftercare import aftercare_line
from .checks import rollback_length
from .durations import format_duration
from .graph import baseline
from .load import LoadedPlan
from .model import Plan
from .risks import register_line


@dataclass(frozen=True)
class PlanFigures:
    critical_path: list[str]
    critical_length: timedelta
    baseline_end: datetime
    buffer_left: timedelta
    buffer_wanted: timedelta
    rollback_length: timedelta
    last_safe_rollback_start: datetime

    @classmethod
    def of(cls, plan: Plan) -> PlanFigures:
        window = plan.window
        base = baseline(plan.step, window.start)
        rollback = rollback_length(plan)
        return cls(
            critical_path=base.critical_path,
            critical_length=base.length(window.start),
            baseline_end=base.end,
            buffer_left=window.end - base.end,
            buffer_wanted=window.buffer_time,
            rollback_length=rollback,
            last_safe_rollback_start=window.end - rollback,
        )


def summarize(loaded: LoadedPlan) -> str:
    plan = loaded.plan
    fig = PlanFigures.of(plan)
    window = plan.window

    def at(moment: datetime) -> str:
        return moment.astimezone(plan.zone).strftime("%a %d %b %H:%M %Z")

    kinds = Counter(step.kind for step in plan.step)
    kind_text = ", ".join(
        f"{kinds[k]} {k}{'s' if kinds[k] != 1 and not k.endswith('s') else ''}"
        for k in ("checkpoint", "gate", "comms", "milestone")
        if kinds[k]
    )
    path = fig.critical_path
    shown_path = " → ".join(path if len(path) <= 6 else [*path[:3], "…", *path[-2:]])
    verdict = "meets" if fig.buffer_left >= fig.buffer_wanted else "MISSES"
    lines = [
        f"{loaded.path}: valid",
        # One line whatever the title holds: a line feed in it printed a line of its own
        # ("Bcc: ..." under the title, user pass 2026-12-02).
        f"  {inert_line(plan.plan.title)} ({plan.plan.id}), {plan.plan.launch} launch",
        f"  window     {at(window.start)} → {at(window.end)} ({format_duration(window.length)})",
        f"  steps      {len(plan.step)} in {len(plan.phase)} phases"
        + (f" ({kind_text})" if kind_text else "")
        + f"; {len(plan.readiness)} readiness items, {len(plan.trigger)} triggers",
        f"  critical   {format_duration(fig.critical_length)} over {len(path)} steps: {shown_path}",
        f"  buffer     {format_duration(fig.buffer_left)} left; {verdict} the "
        f"{window.buffer:.0%} rule ({format_duration(fig.buffer_wanted)})",
    ]
    if plan.rollback:
        lines.append(
            f"  rollback   {len(plan.rollback.step)} steps, "
            f"{format_duration(fig.rollback_length)} critical path, "
            f"RTO {format_duration(plan.rollback.rto)}; last safe rollback start "
            f"{at(fig.last_safe_rollback_start)}"
        )
    else:
        lines.append("  rollback   none planned: there is no way back once this starts")
    risks = register_line(plan)
    if risks:
        lines.append(risks)
    after = aftercare_line(plan)
    if after:
        lines.append(after)
    lines.extend(f"  warning: line {w.line}: {inert_line(w.message)}" for w in loaded.warnings)
    return "\n".join(lines)

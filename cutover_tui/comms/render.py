"""Render a message template with the run's facts at the moment it is sent.

The plan loader already refused unknown placeholders (plan.checks.TEMPLATE_FIELDS), so a
message to 400 branch managers never goes out with a blank in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from ..plan.durations import format_duration
from ..plan.model import Plan, Template


@dataclass(frozen=True)
class RunFacts:
    now: datetime
    projected_finish: datetime
    delta: timedelta
    percent_done: float
    buffer_left: timedelta
    rollback_by: datetime
    current_step: str = ""
    reason: str = ""
    step: str = ""


def render(template: Template, plan: Plan, facts: RunFacts) -> tuple[str, str]:
    """(subject, body) with every placeholder filled in, times in the plan's zone."""
    values = placeholder_values(plan, facts)
    return template.subject.format(**values), template.body.format(**values)


def placeholder_values(plan: Plan, facts: RunFacts) -> dict[str, object]:
    zone: ZoneInfo = plan.zone

    def local(moment: datetime) -> datetime:
        return moment.astimezone(zone)

    delta = format_duration(facts.delta, signed=True)
    return {
        "now": local(facts.now),
        "plan": SimpleNamespace(
            id=plan.plan.id,
            title=plan.plan.title,
            timezone=plan.plan.timezone,
            launch=plan.plan.launch,
        ),
        "window": SimpleNamespace(start=local(plan.window.start), end=local(plan.window.end)),
        "projected_finish": local(facts.projected_finish),
        "deadline": local(plan.window.end),
        "delta": "on time" if delta in ("+0m", "0m") else delta,
        "percent_done": f"{facts.percent_done:.0%}",
        "current_step": facts.current_step or "none",
        "reason": facts.reason or "not given",
        "buffer_left": format_duration(facts.buffer_left),
        "rollback_by": local(facts.rollback_by),
        "step": facts.step,
    }

"""The risk register (`[[risk]]`): what could go wrong, how likely, how bad, who watches it.

A risk names the steps it threatens and the rollback triggers it arms, so the war room can
show it beside them and `cutover validate` can count what is still open. This module holds
the model and its reference checks; model.py and checks.py each call it with one line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import nearest
from .findings import Finding

if TYPE_CHECKING:
    from .findings import Known
    from .model import Plan

Level = Literal["low", "medium", "high"]
RiskStatus = Literal["open", "mitigated", "accepted", "closed", "occurred"]
LEVELS: tuple[Level, ...] = ("low", "medium", "high")
RISK_STATUSES: tuple[RiskStatus, ...] = ("open", "mitigated", "accepted", "closed", "occurred")
# model.ID_PATTERN, written again because model.py imports this module.
_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


class Risk(BaseModel):
    """One row of the risk register."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    id: str = Field(pattern=_ID_PATTERN)
    risk: str
    likelihood: Level
    impact: Level
    owner: str  # a people key
    mitigation: str | None = None
    steps: list[str] = Field(default_factory=list)  # step or rollback step ids it threatens
    triggers: list[str] = Field(default_factory=list)  # trigger ids it arms
    status: RiskStatus = "open"

    @property
    def live(self) -> bool:
        """Still to be watched tonight: open, or it has happened."""
        return self.status in ("open", "occurred")


def risk_findings(plan: Plan, known: Known) -> Iterator[Finding]:
    """Duplicate ids, and owners, steps and triggers the plan does not have."""
    steps = known.steps | known.rollback_steps
    triggers = {t.id for t in plan.trigger}
    seen: dict[str, int] = {}
    for index, risk in enumerate(plan.risk):
        loc = ("risk", index)
        if risk.id in seen:
            yield Finding(
                (*loc, "id"), f"duplicate id {risk.id!r}, already used by risk[{seen[risk.id]}]"
            )
        seen.setdefault(risk.id, index)
        if risk.owner not in known.people:
            yield Finding(
                (*loc, "owner"),
                f"risk {risk.id!r} is owned by {risk.owner!r}, who is not in [people]",
                nearest(risk.owner, known.people),
            )
        for n, step in enumerate(risk.steps):
            if step not in steps:
                yield Finding((*loc, "steps", n), f"unknown step {step!r}", nearest(step, steps))
        for n, trigger in enumerate(risk.triggers):
            if trigger not in triggers:
                yield Finding(
                    (*loc, "triggers", n),
                    f"unknown trigger {trigger!r}",
                    nearest(trigger, triggers),
                )
        if risk.live and risk.impact == "high" and not risk.mitigation:
            yield Finding(
                (*loc, "mitigation"),
                f"risk {risk.id!r} is open with a high impact and no mitigation",
                severity="warning",
            )


def risks_by_trigger(plan: Plan) -> dict[str, list[Risk]]:
    """Trigger id -> the live risks that arm it, for showing a risk beside its trigger."""
    out: dict[str, list[Risk]] = {}
    for risk in plan.risk:
        if risk.live:
            for trigger in risk.triggers:
                out.setdefault(trigger, []).append(risk)
    return out


def register_line(plan: Plan) -> str | None:
    """The summary's line for the register: counts, the worst open one, what it arms."""
    if not plan.risk:
        return None
    live = [r for r in plan.risk if r.live]
    score = {"low": 1, "medium": 2, "high": 3}
    worst = max(live, key=lambda r: score[r.likelihood] * score[r.impact], default=None)
    armed = sorted({t for r in live for t in r.triggers})
    text = f"  risks      {len(plan.risk)} in the register, {len(live)} open"
    if worst is not None:
        text += f"; worst {worst.id} ({worst.likelihood} likelihood, {worst.impact} impact)"
    if armed:
        text += f"; arming triggers {', '.join(armed)}"
    return text

"""A plan moved in time: a rehearsal run today keeps the plan's shape, not its calendar."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .model import Plan


def shift_plan(plan: Plan, delta: timedelta) -> Plan:
    """The same plan with every clock time (window, fixed starts, trigger times) moved by
    `delta`; durations and everything else unchanged. Re-validated, so it is a whole Plan."""
    if not delta:
        return plan
    data = _shift(plan.model_dump(), delta)
    return Plan.model_validate(data, context={"zone": plan.zone})


def _shift(value: Any, delta: timedelta) -> Any:
    if isinstance(value, datetime):
        return value + delta
    if isinstance(value, dict):
        return {k: _shift(v, delta) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift(v, delta) for v in value]
    return value

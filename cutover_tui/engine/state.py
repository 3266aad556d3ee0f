"""The engine's front door: the run's data, the fold and the rules, under one name.

Every layer above the engine imports from here (`from ..engine.state import RunState, fold,
check`); the code lives in modules named for what they hold, re-exported below:

- `engine.runstate`: the run's data (RunState, StepState, PlannedStep, GateState);
- `engine.compact`: what a fold starts from (`initial_state`, the per-plan template) and the
  compact step states it makes (FRESH, RanStep): the fold's fast paths, with what they buy;
- `engine.fold`: `apply` one event, `fold` a whole journal;
- `engine.rules` and `engine.rules_steps`: `check`, may this person do this now, and if not,
  why (`permission`, the roles alone; `check_rules`, without the idempotency key).

The modules re-exported here import one another directly, never this one, so it imports them
all without a cycle; the engine's readers above them (schedule, forecast, verdict...) may use
either.
"""

from __future__ import annotations

from .compact import FRESH, RanStep, initial_state
from .events import ClockJumped
from .fold import apply, fold
from .rules import Refused, check, check_rules, permission, require
from .runstate import GateState, PlannedStep, RunPhase, RunState, StepKind, StepState, StepStatus

__all__ = [
    "FRESH",
    "ClockJumped",
    "GateState",
    "PlannedStep",
    "RanStep",
    "Refused",
    "RunPhase",
    "RunState",
    "StepKind",
    "StepState",
    "StepStatus",
    "apply",
    "check",
    "check_rules",
    "fold",
    "initial_state",
    "permission",
    "require",
]

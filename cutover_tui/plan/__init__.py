"""The plan file: models, loading with located errors, semantic checks, writing."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .durations import format_duration, parse_duration
    from .errors import PlanError, Problem
    from .load import LoadedPlan, load_plan, parse_plan
    from .model import Plan

__all__ = [
    "LoadedPlan",
    "Plan",
    "PlanError",
    "Problem",
    "format_duration",
    "load_plan",
    "parse_duration",
    "parse_plan",
]

# Imported when first asked for (PEP 562), not with the package: loading pulls in the TOML
# reader and the semantic checks, which `cutover do` on a cached plan never needs (issue 14).
# Durations and errors too: `cutover do`'s fast path reads plan/limits.py alone.
_LAZY = {"LoadedPlan": "load", "load_plan": "load", "parse_plan": "load", "Plan": "model"}
_LAZY |= {"format_duration": "durations", "parse_duration": "durations"}
_LAZY |= {"PlanError": "errors", "Problem": "errors"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

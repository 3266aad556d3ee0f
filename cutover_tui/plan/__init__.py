"""The plan file: models, loading with located errors, semantic checks, writing."""

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

"""A run's plan as its meta stores it: the sealed text loaded (and moved by the run's clock
shift) once per process, and across processes through this user's plan cache."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from ..plan import PlanError
from ..plan.model import Plan
from ..plan.shift import shift_plan
from . import plan_cache
from .run_files import JournalError


def stored_plan(meta: Mapping[str, str], path: Path) -> tuple[Plan, timedelta]:
    """A run's plan as its `meta` stores it, moved by its clock shift, and the shift
    (JournalError when the stored text no longer loads); a served run reads it alike."""
    text, shift_s = meta["plan_text"], str(meta.get("shift_s", 0))
    try:
        return _stored_plan(text, shift_s)
    except PlanError as exc:
        why = located(exc, text, path)
        raise JournalError(f"{path}: its stored plan no longer loads: {why}") from None


def located(exc: PlanError, text: str, path: Path) -> PlanError:
    """The problems of a stored plan named by its run file (parsed again: errors only)."""
    from ..plan import parse_plan

    try:
        parse_plan(text, name=f"{path}:plan")
    except PlanError as again:
        return again
    return exc


@functools.lru_cache(maxsize=4)
def _stored_plan(text: str, shift_s: str) -> tuple[Plan, timedelta]:
    # Kept per process: the war room opens a run three times (the trust guard's connection,
    # the conductor's, its delivery thread's), and a 20,000-step plan takes seconds to load.
    # The sealed text cannot change under a run, and nothing edits a loaded Plan. Keyed by
    # the text, not the run: the rehearsal search opens every run of one plan, and one Plan
    # object also means one compact template (engine/compact.py) for all their folds.
    # Across processes: the plan validated (and shifted) from this very text before, by this
    # user (journal/plan_cache.py), else parsed in full and kept for the next command.
    shift = timedelta(seconds=float(shift_s))
    plan = plan_cache.recall(text, shift_s)
    if plan is None:
        from ..plan import parse_plan  # late: a cached plan needs no TOML reader or checks

        plan = shift_plan(parse_plan(text, name="plan").plan, shift)  # PlanError: the caller's
        plan_cache.keep(text, plan, shift_s)
    return plan, shift

"""The calibrated plan: a calibration's proposals written into a copy of the plan.

A new TOML file beside the original (with tomli-w: the original, with its comments, is never
rewritten), its clock times back in the plan's own zone, and it must validate like any plan.
The proposals themselves are rehearse/calibrate.py's.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..plan.durations import format_duration
from ..plan.load import load_plan
from ..plan.model import Plan
from ..plan.write import dumps_plan, local_time
from .calibrate import Calibration, CalibrationError

if TYPE_CHECKING:
    from ..plan import LoadedPlan


def write_calibrated(loaded: LoadedPlan, c: Calibration, out: Path) -> Path:
    """The plan with the proposals written in, as a new TOML file that validates. Refuses to
    write over the plan itself."""
    if loaded.path is not None and Path(out).resolve() == Path(loaded.path).resolve():
        raise CalibrationError("the calibrated plan must not overwrite the original")
    data = loaded.plan.model_dump(mode="json", exclude_none=True, by_alias=True)
    steps = list(data.get("step", []))
    steps += list((data.get("rollback") or {}).get("step", []))
    for step in steps:
        p = c.proposals.get(step["id"])
        if p is None:
            continue
        step["duration"] = format_duration(p.proposed)
        step["estimate"] = {"low": format_duration(p.low), "high": format_duration(p.high)}
    # Clock times back in the plan's own zone, as local times, like the original file.
    text = dumps_plan(_localised(data, loaded.plan))
    header = (
        f"# Calibrated from {c.rehearsals} rehearsal(s) of {loaded.path} by `cutover calibrate`.\n"
        f"# Typical pace {c.mean_factor:.2f}x the original budgets. Review before use.\n"
    )
    out.write_text(header + text, encoding="utf-8")
    load_plan(out)  # it must validate; raises PlanError naming the problem if not
    return out


def _localised(data, plan: Plan):
    def walk(value):
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and "T" in value:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value
            if moment.tzinfo is not None:  # the repeated hour of a clock change keeps its offset
                return local_time(moment, plan.zone)
        return value

    return walk(data)

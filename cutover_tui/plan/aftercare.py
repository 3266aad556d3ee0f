"""After the night (`[aftercare]`): what is checked, handed over and closed once the run ends.

- `[[aftercare.check]]`: the post-cutover validation checklist in four areas (functionality,
  performance, security, data), each item with an owner; a measure also names its
  pre-release `baseline`, its `unit` and a `tolerance` ("20%" of the baseline, or a number in
  the unit), and may say which way is `better` (a latency lower than its baseline never fails).
- `[aftercare.handover]`: the team that takes the service, its receiving `owner` (who
  accepts), the known issues, the watch items and the hypercare period.
- `[[aftercare.access]]`: the temporary-access register: what was opened, for whom, by whom,
  and how long after go-live it must be closed.
- `[aftercare.runbook]`: who updates the runbook, and within how long (72 hours by default).

Every deadline counts from go-live: the moment the run ended (`engine/aftercare.py`). This
module holds the model and its reference checks; model.py and checks.py call it with a line.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    model_validator,
)

from .durations import format_duration, parse_duration, parse_percent
from .errors import nearest
from .findings import Finding
from .limits import MAX_WINDOW
from .probes import Check

if TYPE_CHECKING:
    from .findings import Known
    from .model import Plan

Area = Literal["functionality", "performance", "security", "data"]
AREAS: tuple[Area, ...] = ("functionality", "performance", "security", "data")
# model.ID_PATTERN, written again because model.py imports this module.
_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


def _duration(value: Any) -> timedelta:
    parsed = value if isinstance(value, timedelta) else parse_duration(value)
    if parsed <= timedelta(0):
        raise ValueError(f"duration {value!r} is zero; a deadline must be after go-live")
    if parsed > MAX_WINDOW:
        raise ValueError(f"duration {value!r} is longer than {MAX_WINDOW.days} days")
    return parsed


After = Annotated[
    timedelta,
    BeforeValidator(_duration),
    WithJsonSchema({"type": "string", "examples": ["24h", "72h", "14d"]}),
    PlainSerializer(format_duration, return_type=str),
]


def _tolerance(value: Any) -> float | str:
    """ "20%" stays a percentage (kept as text); a number is an amount in the item's unit."""
    if isinstance(value, bool):
        raise ValueError("a tolerance is a percentage like '20%' or a number in the unit")
    if isinstance(value, int | float):
        if not 0 <= value < float("inf"):
            raise ValueError(f"tolerance {value!r} must be zero or more")
        return float(value)
    if isinstance(value, str):
        parse_percent(value)  # raises a ValueError that says how to write one
        return value.strip()
    raise ValueError("a tolerance is a percentage like '20%' or a number in the unit")


Tolerance = Annotated[
    float | str,
    BeforeValidator(_tolerance),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string", "examples": ["20%"]}]}),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class ValidationCheck(_Strict):
    """One item of the post-cutover validation checklist."""

    id: str = Field(pattern=_ID_PATTERN)
    area: Area
    item: str
    owner: str  # a people key
    baseline: float | None = None  # the pre-release measure
    unit: str = ""
    tolerance: Tolerance | None = None
    better: Literal["lower", "higher"] | None = None
    within: After = timedelta(hours=24)
    # A check (plan/probes.py) run by `cutover check RUN ITEM` or the war room's v, as the OS
    # user who started the run: recorded as the item's ValidationRecorded by the conductor,
    # a measure with the value the check read (engine/aftercare_checks.py).
    check: Check | None = None

    @model_validator(mode="after")
    def _a_measure_has_a_baseline(self) -> ValidationCheck:
        if self.tolerance is not None and self.baseline is None:
            raise ValueError("a tolerance needs the baseline it is measured against")
        if self.better is not None and self.baseline is None:
            raise ValueError("`better` needs the baseline it compares with")
        return self

    @property
    def measured(self) -> bool:
        return self.baseline is not None

    def allowance(self) -> float:
        """How far from the baseline a measure may be, in the unit."""
        if self.baseline is None or self.tolerance is None:
            return 0.0
        if isinstance(self.tolerance, str):
            return abs(self.baseline) * parse_percent(self.tolerance)
        return self.tolerance

    def within_tolerance(self, value: float) -> bool:
        """Is a measured value acceptable against the baseline and tolerance?"""
        if self.baseline is None:
            return True
        low, high = self.baseline - self.allowance(), self.baseline + self.allowance()
        if self.better == "lower":
            return value <= high
        if self.better == "higher":
            return value >= low
        return low <= value <= high

    def target(self) -> str:
        """ "800 ms ±20%", "99.9 % (higher is better)": the bound in words."""
        if self.baseline is None:
            return "pass/fail"
        unit = f" {self.unit}" if self.unit else ""
        text = f"{self.baseline:g}{unit}"
        if self.tolerance is not None:
            tol = self.tolerance if isinstance(self.tolerance, str) else f"{self.tolerance:g}{unit}"
            text += f" ±{tol}"
        if self.better:
            text += f" ({self.better} is better)"
        return text


class Handover(_Strict):
    """Operational ownership handed to the team that runs the service from now on."""

    team: str
    owner: str  # a people key: the receiving owner, who accepts the handover
    hypercare: After = timedelta(days=14)
    hypercare_owner: str | None = None  # a people key; the receiving owner when not given
    known_issues: list[str] = Field(default_factory=list)
    watch: list[str] = Field(default_factory=list)
    within: After = timedelta(hours=24)  # accepted this long after go-live


class Access(_Strict):
    """One row of the temporary-access register: opened for the night, closed after it."""

    id: str = Field(pattern=_ID_PATTERN)
    what: str  # the account, privilege, backdoor or diagnostic tool
    holder: str  # for whom (free text: a vendor's engineer need not be in [people])
    opened_by: str  # a people key
    close_within: After = timedelta(hours=24)


class Runbook(_Strict):
    owner: str  # a people key
    within: After = timedelta(hours=72)


class Aftercare(_Strict):
    check: list[ValidationCheck] = Field(default_factory=list)
    handover: Handover | None = None
    access: list[Access] = Field(default_factory=list)
    runbook: Runbook | None = None

    def check_by_id(self) -> dict[str, ValidationCheck]:
        return {c.id: c for c in self.check}

    def access_by_id(self) -> dict[str, Access]:
        return {a.id: a for a in self.access}


def aftercare_findings(plan: Plan, known: Known) -> Iterator[Finding]:
    """Duplicate ids, and owners who are not in [people]."""
    after = plan.aftercare
    if after is None:
        return
    people = known.people
    for section, rows in (("check", after.check), ("access", after.access)):
        seen: dict[str, int] = {}
        for index, row in enumerate(rows):
            loc = ("aftercare", section, index)
            if row.id in seen:
                yield Finding(
                    (*loc, "id"),
                    f"duplicate id {row.id!r}, already used by aftercare.{section}[{seen[row.id]}]",
                )
            seen.setdefault(row.id, index)
    owners: list[tuple[tuple, str | None]] = [
        (("aftercare", "check", i, "owner"), c.owner) for i, c in enumerate(after.check)
    ]
    owners += [
        (("aftercare", "access", i, "opened_by"), a.opened_by) for i, a in enumerate(after.access)
    ]
    if after.handover:
        owners.append((("aftercare", "handover", "owner"), after.handover.owner))
        owners.append(
            (("aftercare", "handover", "hypercare_owner"), after.handover.hypercare_owner)
        )
    if after.runbook:
        owners.append((("aftercare", "runbook", "owner"), after.runbook.owner))
    for loc, person in owners:
        if person is not None and person not in people:
            yield Finding(loc, f"{person!r} is not in [people]", nearest(person, people))


def aftercare_line(plan: Plan) -> str | None:
    """The summary's line (`cutover validate`): what is tracked after the night."""
    after = plan.aftercare
    if after is None:
        return None
    areas = sorted({c.area for c in after.check}, key=AREAS.index)
    parts = [f"{len(after.check)} checks" + (f" ({', '.join(areas)})" if areas else "")]
    parts.append(f"{len(after.access)} temporary accesses to close")
    if after.handover:
        days = after.handover.hypercare.total_seconds() / 86400
        parts.append(f"handover to {after.handover.team}, {days:g} days of hypercare")
    if after.runbook:
        parts.append(f"runbook within {after.runbook.within.total_seconds() / 3600:g} hours")
    return "  after      " + "; ".join(parts)

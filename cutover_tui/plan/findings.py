"""What a plan check says (`Finding`), what it checks against (`Known`: the ids written in the
file) and the step lists it walks; plan/checks.py and the check modules beside it use them.

Split out of plan/checks.py unchanged; checks.py re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # names in hints only: this module imports nothing of the plan's, so the
    # check modules model.py imports (risks, severity, probes, aftercare) and raci.py can
    # import it at their top
    from .errors import Loc, Severity
    from .model import AnyStep, Plan


@dataclass(frozen=True)
class Finding:
    loc: Loc
    message: str
    hint: str | None = None
    severity: Severity = "error"


@dataclass
class Known:
    """Ids written in the file, including items that failed structural validation.

    Counting broken items as known stops one typo from cascading into a dozen
    "unknown reference" errors.
    """

    steps: set[str] = field(default_factory=set)
    rollback_steps: set[str] = field(default_factory=set)
    people: set[str] = field(default_factory=set)
    phases: set[str] = field(default_factory=set)
    readiness: set[str] = field(default_factory=set)
    audiences: set[str] = field(default_factory=set)
    templates: set[str] = field(default_factory=set)
    # For each list with items set aside ("step", "rollback.step", ...), the file index of each
    # item kept, so that messages can name items as the file numbers them.
    kept: dict[str, list[int]] = field(default_factory=dict)

    def file_index(self, section: str, index: int) -> int:
        kept = self.kept.get(section)
        return kept[index] if kept else index

    @classmethod
    def of(cls, plan: Plan, extra: Known | None = None) -> Known:
        known = cls(
            steps={s.id for s in plan.step},
            rollback_steps={s.id for s in plan.rollback_steps},
            people=set(plan.people),
            phases={p.id for p in plan.phase},
            readiness={r.id for r in plan.readiness},
            audiences={a.id for a in plan.audience},
            templates={t.id for t in plan.template},
        )
        if extra:
            for name in vars(known):
                getattr(known, name).update(getattr(extra, name))
        return known


def _step_lists(plan: Plan) -> Iterator[tuple[Loc, list[AnyStep]]]:
    yield ("step",), plan.step
    if plan.rollback:
        yield ("rollback", "step"), plan.rollback.step

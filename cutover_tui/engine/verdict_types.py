"""The verdict's vocabulary: its stages and tones, the words of a stage (STAGE_WORD), the pace
levels, `Rule` (one reason) and `Verdict` (the answer); engine/verdict.py makes one.

Split out of engine/verdict.py unchanged; verdict.py re-exports every name here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from .schedule import FiredTrigger, Level

Stage = Literal[
    "before-window",
    "on-track",
    "at-risk",
    "late",
    "roll-back",
    "no-go",
    "no-return",
    "rolling-back",
    "ended",
]
Tone = Literal["info", "ok", "warn", "bad"]
Basis = Literal["likely", "plan", "ended", "no-go", "roll-back"]

STAGE_WORD: dict[str, str] = {
    "before-window": "BEFORE WINDOW",
    "on-track": "ON TRACK",
    "at-risk": "AT RISK",
    "late": "LATE",
    "roll-back": "ROLL BACK",
    "no-go": "NO GO",
    "no-return": "PAST NO RETURN",
    "rolling-back": "ROLLING BACK",
    "ended": "ENDED",
}
LEVELS: tuple[Level, ...] = ("on-track", "at-risk", "late")
# Why no finish is claimed at a stage, after "none ": one wording for `cutover status` and the
# messages' figures and outlook (cli/status_command.py, comms/values.py).
WITHHELD_BECAUSE: dict[str, str] = {
    "no-go": "while the NO GO stands",
    "roll-back": "while the rollback call stands",
}
LIFE_RULES = frozenset(
    {"trigger", "rollback-point", "rto", "before-window", "ended", "no-go", "back-out"}
)


@dataclass(frozen=True)
class Rule:
    """One reason the verdict is what it is."""

    name: str  # odds, plan-of-record, buffer-rule, overrun, alert, hold, trigger, override, ...
    level: Level  # how bad what it says is for the window
    text: str  # in words, for `w` and `cutover status`


@dataclass(frozen=True)
class Verdict:
    now: datetime
    stage: Stage
    pace: Level  # the worst pace rule: the colour of the finish figures
    tone: Tone  # the badge's colour
    rules: tuple[Rule, ...]  # every rule that spoke, the deciding one first
    headline: datetime  # the finish a commander reads first
    # What the headline finish is; under a NO GO or a ROLL BACK call, the stage that withholds
    # it (WITHHELD_BECAUSE says it in words).
    basis: Basis
    plan_finish: datetime  # the plan of record: status-date projection
    baseline_finish: datetime
    delta: timedelta  # plan of record against the baseline, in whole minutes
    deadline: datetime
    likely: datetime | None  # P50 at tonight's pace
    p80: datetime | None  # never earlier than `likely`
    p_in_window: float | None
    calling: FiredTrigger | None  # the rollback trigger the commander must answer
    stopped_at: datetime | None  # ended runs: the clock stops here
    no_go: str | None = None  # the gate whose no-go stops the run (engine/verdict_nogo.py)

    @property
    def word(self) -> str:
        return STAGE_WORD[self.stage]

    @property
    def decided_by(self) -> Rule:
        return self.rules[0]

    @property
    def pace_rule(self) -> Rule:
        """The rule that sets the pace level (the worst pace rule, the odds first)."""
        return next(
            (r for r in self.rules if r.name not in LIFE_RULES and r.level == self.pace),
            self.rules[0],
        )

    @property
    def claims_finish(self) -> bool:
        """Is a forward finish (the odds, the plan of record, the buffer) the truth to show?
        Not under a NO GO (the plan cannot go on past the gate) nor under an unanswered ROLL
        BACK (the call stands: the odds are for carrying on past it, if it is overridden)."""
        return self.stage not in ("no-go", "roll-back")

    @property
    def countdown(self) -> bool:
        """Do countdowns (time left, rollback by) mean anything? Not once the run ended."""
        return self.stage != "ended"

    @property
    def clock(self) -> datetime:
        """The moment the figures are for: now, or the end of an ended run."""
        return self.stopped_at or self.now

    def as_dict(self) -> dict:
        def iso(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment else None

        def claimed(moment: datetime | None) -> str | None:  # see README, One verdict
            return iso(moment) if self.claims_finish else None

        return {
            "level": self.stage,
            "word": self.word,
            "pace": self.pace,
            "decided_by": self.decided_by.name,
            "rules": [{"rule": r.name, "level": r.level, "text": r.text} for r in self.rules],
            "finish": {
                "headline": claimed(self.headline),
                "basis": self.basis,
                # Why no finish is claimed ("none while the NO GO stands"), else null.
                "withheld": None if self.claims_finish else f"none {WITHHELD_BECAUSE[self.stage]}",
                "likely_p50": claimed(self.likely),
                "p80": claimed(self.p80),
                "plan_of_record": claimed(self.plan_finish),
                "baseline": iso(self.baseline_finish),
                "deadline": iso(self.deadline),
                "p_in_window": self.p_in_window if self.claims_finish else None,
            },
            "roll_back": self.calling.trigger or self.calling.step if self.calling else None,
            "stopped_at": iso(self.stopped_at),
            "no_go": self.no_go,
        }


def _minutes(delta: timedelta) -> timedelta:
    """Whole minutes: a delta ticking by the second says nothing and repaints every second."""
    return timedelta(minutes=round(delta / timedelta(minutes=1)))

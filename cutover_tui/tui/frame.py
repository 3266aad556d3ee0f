"""One moment of the war room: the folded state, its schedule at `now`, and who is looking.

Every pane renders from a Frame, so all panes of one tick agree, and a pane can be tested
with a plan literal, a list of events and a fixed time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..engine.forecast import Forecaster
from ..engine.foresight import Foresight, foresee
from ..engine.pace import PacePrior
from ..engine.schedule import Schedule, schedule
from ..engine.state import RunState
from ..plan.durations import format_duration

LEVELS = ("on-track", "at-risk", "late")
LEVEL_STYLE = {"on-track": "green", "at-risk": "yellow", "late": "red"}
LEVEL_MARK = {"on-track": "●", "at-risk": "▲", "late": "■"}


@dataclass(frozen=True)
class Frame:
    state: RunState
    sched: Schedule
    now: datetime
    actor: str
    foresight: Foresight | None = None  # the odds at tonight's pace; None when not asked for

    @classmethod
    def at(
        cls,
        state: RunState,
        now: datetime,
        actor: str,
        forecaster: Forecaster | None = None,
        prior: PacePrior | None = None,
    ) -> Frame:
        sight = None
        if forecaster is not None and state.phase in ("running", "rollback"):
            sight = foresee(state, now, forecaster, prior)
        return cls(state, schedule(state, now), now, actor, sight)

    @property
    def level(self) -> str:
        """The alarm level: the worse of the odds at tonight's pace and the plan-of-record
        projection, so the badge never says on track while the projection says otherwise."""
        if self.foresight is None:
            return self.sched.level
        return max(self.foresight.level, self.sched.level, key=LEVELS.index)

    @property
    def roles(self) -> set[str]:
        return self.state.roles_of(self.actor)

    @property
    def role_label(self) -> str:
        roles = self.roles
        for role in ("commander", "operator", "communicator", "resolver", "approver"):
            if role in roles:
                return role
        return "watcher"

    def clock(self, moment: datetime | None, seconds: bool = False) -> str:
        if moment is None:
            return "--:--"
        local = moment.astimezone(self.state.plan.zone)
        return local.strftime("%H:%M:%S" if seconds else "%H:%M")

    def budget(self, step_id: str) -> str:
        return format_duration(self.state.steps[step_id].duration)

    def person(self, key: str | None) -> str:
        if not key:
            return "?"
        person = self.state.plan.people.get(key)
        return person.name if person else key


def dur(delta: timedelta, signed: bool = False) -> str:
    return format_duration(delta, signed=signed)


def bar(fraction: float, width: int) -> str:
    """A progress bar in eighths of a cell: ███▍."""
    fraction = max(0.0, min(fraction, 1.0))
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[part] if part else ""
    return ("█" * full + partial).ljust(width)

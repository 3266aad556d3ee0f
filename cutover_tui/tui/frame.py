"""One moment of the war room: the folded state, its schedule at `now`, and who is looking.

Every pane renders from a Frame, so all panes of one tick agree, and a pane can be tested
with a plan literal, a list of events and a fixed time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from ..engine.schedule import Schedule
from ..engine.spoken_zone import told_in
from ..engine.state import RunState
from ..engine.times import stamp
from ..engine.verdict import Verdict, assess, judge
from ..plan.durations import format_duration
from ..plan.zones import hm

if TYPE_CHECKING:  # types only: the odds (numpy) are worked out elsewhere (issue 14)
    from ..engine.forecast import Forecaster
    from ..engine.foresight import Foresight
    from ..engine.pace import PacePrior

LEVEL_STYLE = {"on-track": "green", "at-risk": "yellow", "late": "red"}
LEVEL_MARK = {"on-track": "●", "at-risk": "▲", "late": "■"}
# Light text on a dark badge or dark on light: still legible when NO_COLOR turns it grey.
TONE_BADGE = {
    "info": "bold black on cyan",
    "ok": "bold black on green",
    "warn": "bold black on yellow",
    "bad": "bold white on red",
}
STAGE_MARK = {
    "before-window": "◷",
    "on-track": "●",
    "at-risk": "▲",
    "late": "■",
    "roll-back": "✖",
    "no-go": "✖",
    "no-return": "⚑",
    "rolling-back": "↺",
    "ended": "■",
}


@dataclass(frozen=True)
class Frame:
    state: RunState
    sched: Schedule
    now: datetime
    actor: str
    foresight: Foresight | None = None  # the odds at tonight's pace; None when not asked for
    verdict: Verdict = None  # type: ignore[assignment]  # made from the rest when not given
    tz: tzinfo | None = None  # the viewer's own zone (`--tz`); None: the plan's
    odds_pending: bool = False  # the odds are wanted and a worker is working out the first

    def __post_init__(self) -> None:
        if self.verdict is None:
            with told_in(self.tz):  # its rules tell time in the zone the frame shows
                verdict = judge(self.state, self.sched, self.foresight, self.now)
            object.__setattr__(self, "verdict", verdict)

    @classmethod
    def at(
        cls,
        state: RunState,
        now: datetime,
        actor: str,
        forecaster: Forecaster | None = None,
        prior: PacePrior | None = None,
        tz: tzinfo | None = None,
    ) -> Frame:
        with told_in(tz):
            sched, sight, verdict = assess(state, now, forecaster, prior)
        return cls(state, sched, now, actor, sight, verdict, tz)

    @property
    def level(self) -> str:
        """The pace level (on-track, at-risk, late) of the one verdict: the colour of the
        finish figures. The stage (ROLL BACK, ENDED...) is `verdict.stage`."""
        return self.verdict.pace

    @property
    def roles(self) -> set[str]:
        return self.state.roles_of(self.actor)

    @property
    def role_label(self) -> str:
        roles = self.roles
        for role in ("commander", "operator", "communicator", "resolver", "approver"):
            if role in roles:
                return role
        if "watcher" in roles:
            return "watcher"
        # No role at all: said as the refusals say it (RunState.roles_said), not "watcher"
        # (user pass: a commander who handed the role over, or a login the plan does not
        # name, was called a watcher here while `cutover do` said "no role tonight").
        # The refusals' noun phrase (RunState.roles_said), short of its ", so read-only".
        people = self.actor in self.state.plan.people
        return "no role tonight" if people else "not in the plan's people"

    def clock(self, moment: datetime | None, seconds: bool = False) -> str:
        return hm(moment, self.zone, seconds=seconds)

    def dated(self, moment: datetime) -> str:
        """`clock`, with the date when `moment` is not on the run's night (engine/times.stamp):
        an ETA a day on, which the suspend form takes dated, read as tonight's otherwise."""
        with told_in(self.tz):
            return stamp(self.state, moment)

    @property
    def zone(self):
        """The zone times are shown in: the viewer's (`--tz`) or the plan's."""
        return self.tz or self.state.plan.zone

    @property
    def plan_zone_if_other(self) -> tzinfo | None:
        """The plan's zone when the frame shows another (`--tz`): words the conductor stored
        on the plan's clock say so (report/narrate.py)."""
        plan = self.state.plan.zone
        return plan if self.tz is not None and str(self.tz) != str(plan) else None

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

"""What the war room must say at once, in every process, and say only once.

Each process works its alerts out from the shared state and its own clock, so a watcher's
screen turns red when a step runs over even if the conductor that records it has died. The
conductor's events about the same thing (BudgetExceeded, TriggerFired) share the key of the
locally computed alert, so whichever arrives first is shown and the other is not repeated.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Literal

from ..engine.events import Event
from ..engine.verdict_types import Verdict
from ..inert import inert_line
from ..report.narrate import narrate
from .frame import Frame
from .incident_news import incident_notices

Severity = Literal["information", "warning", "error"]


@dataclass(frozen=True)
class Notice:
    title: str
    text: str
    severity: Severity


class Alerts:
    """Remembers what was already said; the first frame (the history) is remembered, not said."""

    def __init__(self) -> None:
        self._said: set[Hashable] = set()
        self._primed = False

    def notices(self, frame: Frame, new: Iterable[Event]) -> list[Notice]:
        new = list(new)
        found = [*self._from_schedule(frame), *self._from_events(frame, new)]
        found += incident_notices(frame, new)  # tui/incident_news.py
        out: list[Notice] = []
        for key, notice in found:
            if key in self._said:
                continue
            self._said.add(key)
            if self._primed:
                out.append(notice)
        if frame.verdict.stage in ("on-track", "before-window"):
            # Back on track: a new slip is news again.
            for stage in ("at-risk", "late"):
                self._said.discard(("verdict", stage))
        self._primed = True
        return _together(out)

    def _from_schedule(self, frame: Frame) -> list[tuple[Hashable, Notice]]:
        sched, state = frame.sched, frame.state
        found: list[tuple[Hashable, Notice]] = []
        for f in sched.fired:
            rollback = f.action == "rollback"
            found.append(
                (
                    ("fired", f.trigger or "checkpoint", f.step),
                    Notice(
                        "ROLLBACK TRIGGER" if rollback else "Trigger fired",
                        f"{f.reason} → {f.action}",
                        "error" if rollback else "warning",
                    ),
                )
            )
        for sid in sched.running:
            if sched.steps[sid].overrun:
                st = state.status[sid]
                found.append(
                    (
                        ("overrun", sid, st.attempts),
                        Notice(
                            "Over budget",
                            f"{sid} ({frame.person(state.steps[sid].owner)}) has run past its "
                            f"{frame.budget(sid)} budget",
                            "warning",
                        ),
                    )
                )
        v = frame.verdict
        if v.stage in _SAID:
            # The verdict turned: say so once per stage reached, with the deciding rule.
            title, severity = _SAID[v.stage]
            found.append((("verdict", v.stage), Notice(title, v.decided_by.text, severity)))
        if _pace_said(v):
            # Under ROLL BACK or past no return the window is still news: the pace's own words.
            title, severity = _SAID[v.pace]
            found.append((("verdict", v.pace), Notice(title, v.pace_rule.text, severity)))
        return found

    def _from_events(self, frame: Frame, new: Iterable[Event]) -> list[tuple[Hashable, Notice]]:
        found: list[tuple[Hashable, Notice]] = []
        for event in new:
            key: Hashable
            if event.type == "trigger-fired":
                key = ("fired", event.trigger, event.step)
            elif event.type == "budget-exceeded":
                key = ("overrun", event.step, event.attempt)
            elif event.type in (
                "rollback-invoked",
                "checkpoint-failed",
                "window-alert",
            ) or event.type in ("clock-jumped", "run-ended"):
                key = ("event", event.seq, event.key)
            else:
                continue
            line = narrate(event, frame.dated, frame.plan_zone_if_other)  # on the room's clock
            rollback = (
                event.type == "rollback-invoked" or getattr(event, "action", "") == "rollback"
            )
            severity: Severity = (
                "error" if rollback or event.type == "checkpoint-failed" else "warning"
            )
            if event.type == "run-ended":
                severity = "information"
            title = (
                "ROLLBACK" if rollback else ("Run ended" if event.type == "run-ended" else "Alert")
            )
            found.append(
                (key, Notice(title, f"{line.text} ({frame.person(event.actor)})", severity))
            )
        return found


# The verdict stages that are news, with the toast's title and severity. ROLL BACK is said by
# the fired trigger's own notice; ended and rolling back by their events.
_SAID: dict[str, tuple[str, Severity]] = {
    "at-risk": ("Window at risk", "warning"),
    "late": ("Window breach likely", "error"),
    "no-return": ("Past the point of no return", "error"),
    "no-go": ("NO GO", "error"),
}


VERDICT_TITLES = frozenset(title for title, _ in _SAID.values())


def _pace_said(verdict: Verdict) -> bool:
    """Whether the pace is said on its own: a slip the stage (ROLL BACK, past no return)
    does not already say."""
    return verdict.pace in _SAID and verdict.stage not in ("at-risk", "late", "ended", "no-go")


def outdated(frame: Frame) -> frozenset[str]:
    """The verdict toasts' titles that no longer hold in `frame`: a \"Window at risk\" still
    up when the badge is back ON TRACK, or beside \"Window breach likely\", would be a second
    voice on the screen (the war room withdraws them)."""
    v = frame.verdict
    holding = {_SAID[v.stage][0]} if v.stage in _SAID else set()
    if _pace_said(v):
        holding.add(_SAID[v.pace][0])
    return VERDICT_TITLES - holding


def _together(notices: list[Notice]) -> list[Notice]:
    """Notices of one kind said in one frame, as one toast of a line each: a fast rehearsal
    can put three steps over budget in a tick, and three toasts would bury the screen."""
    grouped: dict[tuple[str, Severity], list[str]] = {}
    for notice in notices:
        grouped.setdefault((notice.title, notice.severity), []).append(notice.text)
    return [
        Notice(title, "\n".join(inert_line(t, 300) for t in texts), severity)
        for (title, severity), texts in grouped.items()
    ]

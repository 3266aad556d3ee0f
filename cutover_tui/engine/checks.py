"""Checks and probes in the run's state: what the conductor has been asked to run, each
health probe's state and recent samples, and the rules for the events that carry them.

Pure, like the rest of the engine: the conductor layer (clock/probing.py) runs the commands
and probes and records what they found as events; this module folds and checks them.

- A checkpoint with a `check` is passed or failed by the conductor (actor "conductor") with
  an ordinary CheckpointPassed / CheckpointFailed: failures arm the triggers, go to the
  review and open incidents exactly as a hand-recorded failure does. The conductor may record
  them only for a checkpoint that has a check, on a run whose checks are on and that was
  started by a commander.
- CheckRequested: a person (the commander or the step's owner) asks for a running
  checkpoint's check now; it names the step, never what to run.
- ProbeSampled: a probe's state, recorded compactly (state changes, then every
  `record_every`); `probe_failing` is the `condition = "probe-failing"` trigger.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..plan.durations import format_duration
from ..plan.probes import describe
from .events import (
    CONDUCTOR,
    CheckpointFailed,
    CheckpointPassed,
    CheckRequested,
    NoteAdded,
    ProbeSampled,
)
from .outbox import NOT_QUEUED_KEY, NOT_QUEUED_OPENING

if TYPE_CHECKING:
    from ..plan.model import Trigger
    from .runstate import RunState

HISTORY = 120  # samples kept per probe for the sparkline (at 5-minute records: 10 hours)


@dataclass
class ProbeState:
    ok: bool
    since: datetime  # when it turned the colour it is now
    last: ProbeSampled
    history: deque[ProbeSampled] = field(default_factory=lambda: deque(maxlen=HISTORY))


@dataclass
class ChecksState:
    enabled: bool = True  # False: the run was started with --no-checks
    requests: dict[str, int] = field(default_factory=dict)  # step -> attempt asked for
    probes: dict[str, ProbeState] = field(default_factory=dict)


def checks_of(state: RunState) -> ChecksState:
    """The run's ChecksState (RunState.checks)."""
    return state.checks


def check_of(state: RunState, sid: str):  # -> AnyCheck | None
    """The plan's check on step `sid` (a step added live has none)."""
    step = state.plan.step_by_id.get(sid)
    return getattr(step, "check", None)


def may_run_checks(state: RunState) -> str | None:
    """Why no check may run on this run, or None: checks run only on a run started by a
    commander (any live run is; a rehearsal's starter commands it), with checks on, and not
    on a simulated night (`cutover simulate` draws outcomes instead)."""
    if not checks_of(state).enabled:
        return "this run was started with --no-checks"
    if state.started_by is None or not state.is_commander(state.started_by):
        return "this run was not started by a commander"
    if state.simulated:
        return "a simulated night draws check outcomes instead of running checks"
    return None


# -- fold -----------------------------------------------------------------------------------


def apply_started(state: RunState, checks_on: bool | None) -> None:
    checks_of(state).enabled = checks_on is not False


def apply_request(state: RunState, e: CheckRequested) -> None:
    checks_of(state).requests[e.step] = e.attempt


def apply_sample(state: RunState, e: ProbeSampled) -> None:
    probes = checks_of(state).probes
    now = probes.get(e.probe)
    if now is None or now.ok != e.ok:
        since = e.at
        history = now.history if now is not None else deque(maxlen=HISTORY)
    else:
        since, history = now.since, now.history
    history.append(e)
    probes[e.probe] = ProbeState(e.ok, since, e, history)


def request_due(state: RunState, sid: str) -> bool:
    """Someone asked for this checkpoint's check in its current attempt."""
    st = state.status.get(sid)
    return st is not None and checks_of(state).requests.get(sid) == st.attempts


# -- rules ----------------------------------------------------------------------------------


# The two notes the conductor writes itself: that it runs no check (clock/checking.py), and
# that checks run again since a starter's conductor took the lease from such a one
# (clock/check_handover.py). Only those, so the log never vouches for other words signed
# "conductor".
NOT_RUN_KEY = "checks-not-run:"
NOT_RUN_OPENING = "no check or probe runs in this conductor: "
RUN_AGAIN_KEY = "checks-run-again:"
RUN_AGAIN_OPENING = "checks and probes run again, in this conductor: "
_CONDUCTOR_NOTES = (
    (NOT_RUN_KEY, NOT_RUN_OPENING),
    (RUN_AGAIN_KEY, RUN_AGAIN_OPENING),
    (NOT_QUEUED_KEY, NOT_QUEUED_OPENING),  # a message it owes, refused (engine/outbox.py)
)


def conductor_note_permission(event: NoteAdded) -> str | None:
    """None for the conductor's own notes on whether checks run; the refusal for any other."""
    plain = event.kind == "info" and event.step is None and event.remark is None
    known = any(
        event.key.startswith(key) and event.text.startswith(opening)
        for key, opening in _CONDUCTOR_NOTES
    )
    if plain and known:
        return None
    return "the conductor records no note but that it runs no check, or that checks run again"


def conductor_permission(state: RunState, event: CheckpointPassed | CheckpointFailed) -> str | None:
    """The conductor records a checkpoint's result only as its check's outcome."""
    if check_of(state, event.step) is None:
        return f"the conductor does not record {event.type} for a checkpoint without a check"
    return may_run_checks(state)


def check_request(state: RunState, event: CheckRequested) -> str | None:
    sid = event.step
    st = state.status.get(sid)
    if st is None:
        return f"there is no step {sid!r}"
    if check_of(state, sid) is None:
        return f"{sid!r} has no check in the plan; pass or fail it by hand (p, f)"
    problem = may_run_checks(state)
    if problem:
        return problem
    if st.status != "running":
        return f"{sid!r} is not running; start it first (its check then runs by itself)"
    if event.attempt != st.attempts:
        return f"{sid!r} is on attempt {st.attempts}, not {event.attempt}"
    return None


def check_sample(state: RunState, event: ProbeSampled) -> str | None:
    if not any(p.id == event.probe for p in state.plan.probe):
        return f"there is no probe {event.probe!r}"
    return may_run_checks(state)


# -- the probe-failing trigger -------------------------------------------------------------


def probe_failing(state: RunState, trigger: Trigger, until: datetime | None):  # -> Hit | str
    """Whether the trigger's probe has been red for longer than its limit by `until`, counted
    from when its step started (the trigger watches the probe from then on)."""
    from .triggers import Hit  # late: triggers imports this module

    st = state.status.get(trigger.step)
    if st is None or st.started_at is None:
        return f"{trigger.step!r} has not started, so probe {trigger.probe!r} is not watched yet"
    probe = checks_of(state).probes.get(trigger.probe or "")
    if probe is None or probe.ok:
        return f"probe {trigger.probe!r} is not failing"
    limit = trigger.limit or timedelta(0)
    red_from = max(probe.since, st.started_at)
    red_for = (until - red_from) if until is not None else None
    if red_for is not None and red_for <= limit:
        return f"probe {trigger.probe!r} has been red {format_duration(red_for)}, limit {format_duration(limit)}"
    return Hit(
        red_from + limit,
        f"probe {trigger.probe!r} red since {state.when(probe.since)}"
        f" (over its {format_duration(limit)} limit): {probe.last.detail}",
    )


def probe_fires_at(state: RunState, trigger: Trigger) -> datetime | None:
    """When a probe-failing trigger fires if its probe stays red (None while it is green)."""
    st = state.status.get(trigger.step)
    probe = checks_of(state).probes.get(trigger.probe or "")
    if st is None or st.started_at is None or probe is None or probe.ok:
        return None
    return max(probe.since, st.started_at) + (trigger.limit or timedelta(0))


def is_conductor_result(event: object) -> bool:
    return isinstance(event, CheckpointPassed | CheckpointFailed) and event.actor == CONDUCTOR


def overrides_a_check(state: RunState, event: CheckpointPassed | CheckpointFailed) -> bool:
    """A person passing a checkpoint its check failed: the override, with the reason as the
    evidence (the failure stays in the log, and the triggers it armed stay fired)."""
    st = state.status.get(event.step)
    return (
        isinstance(event, CheckpointPassed)
        and event.actor != CONDUCTOR
        and st is not None
        and st.status == "failed"
        and st.finished_by == CONDUCTOR
    )


def simulated_evidence(state: RunState, sid: str, passed: bool) -> str:
    """A simulated night's checkpoint result: a check's outcome is drawn (as durations are),
    never run, and the evidence says so."""
    outcome = "simulated" if passed else "simulated failure"
    check = check_of(state, sid)
    if check is None:
        return outcome
    return f"{outcome}: check outcome drawn, not run ({describe(check)})"

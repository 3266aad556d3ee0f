"""What a fold starts from and the compact step states it makes: the engine's fast paths.

- `initial_state(plan)`: every fold of one Plan object copies one template (its PlannedSteps,
  its step order), built once and cached by id(plan) until the plan is collected
  (weakref.finalize), instead of rebuilding 5,000 PlannedSteps per fold;
- `FRESH`: the state of every step nothing has happened to, one read-only object shared by all
  (a 5,000-step fold makes no StepState for its pending steps);
- `RanStep`: a step started and completed with nothing between, as most of a night's are,
  two references to its events instead of a full StepState.

What they buy, measured with benchmarks/fast_paths.py (5,000 steps, 5,017 events, a loaded
2-core machine, December 2026): `fold` 8 ms against 34-43 ms for `apply` on each event; a
cached template 0.1 ms against 46-60 ms rebuilt, and since the template carries the graph
cache (`RunState.derived`), fold + schedule 14-16 ms against 270-320 ms cold. `fold` serves
a journal's first read (journal.store: a war room opening a run from its journal folds every
event) and a locked client's (locked.client); benchmarks/tui.py's war
room reads a MemoryRun event by event, so its first paint does not show it. All kept: 35 ms
more per fold of 5,000 events, 250 ms more for each new state of a plan after its first (a
refold, foresight's `fold(plan, [])`), and the engine tests pin
the compact kinds (a step done in one go is not a plain StepState; FRESH is shared).
The schedule reads FRESH and RanStep by identity and class to skip them quickly. Every
other module sees plain StepStates: equality and repr are field by field, and `copied`
gives a plain StepState to change.
"""

from __future__ import annotations

import weakref
from dataclasses import MISSING, dataclass, fields
from datetime import timedelta
from operator import attrgetter
from typing import Any

from ..plan.model import Checkpoint, Gate, Plan
from .events import StepCompleted, StepStarted
from .runstate import (
    GateState,
    PlannedStep,
    RunState,
    StepState,
    StepStatus,
    mono_reading,
    mono_span,
)
from .timings import recorded_live


@dataclass
class _Template:
    """What every fold of one plan starts from, built once per Plan object."""

    steps: dict[str, PlannedStep]
    status: dict[str, StepState]  # every step, plan and rollback, FRESH
    order: list[str]
    rollback_order: list[str]
    gates: list[str]
    derived: dict[str, Any]


_TEMPLATES: dict[int, _Template] = {}


def _template(plan: Plan) -> _Template:
    template = _TEMPLATES.get(id(plan))
    if template is None:
        template = _build_template(plan)
        _TEMPLATES[id(plan)] = template
        weakref.finalize(plan, _TEMPLATES.pop, id(plan), None)
    return template


class _SameAsStepState:
    """Equality and repr field by field with any StepState, for the compact kinds below."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StepState):
            return all(getattr(self, f) == getattr(other, f) for f in _STEP_FIELDS)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return StepState.__repr__(self).replace(type(self).__qualname__, "StepState", 1)  # type: ignore[arg-type]


class _Untouched(_SameAsStepState, StepState):
    """The state of a step nothing has happened to yet: one read-only object, shared by every
    such step of every RunState (a 5,000-step fold need not make 5,000 of them). The engine
    never edits a StepState it did not make for the event at hand; it replaces it."""

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a fresh step state is shared: replace it, do not set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a fresh step state is shared: replace it, do not delete {name!r}")


class RanStep(_SameAsStepState, StepState):
    """A step started and completed with nothing between, as `fold` makes most of a night's:
    done, one attempt, its times read from the two events when asked. Making one costs two
    references instead of a full StepState's fields, most of what a 20,000-step fold costs.
    Read-only like every StepState the engine hands out; `apply` replaces it with a full
    copy to change it."""

    __slots__ = ("begun", "ended")
    begun: StepStarted
    ended: StepCompleted
    status: StepStatus = "done"  # type: ignore[misc]
    attempts: int = 1  # type: ignore[misc]

    # Read straight from the events (attrgetter: no Python frame per read).
    started_at = property(attrgetter("begun.at"))  # type: ignore[assignment]
    started_by = property(attrgetter("begun.actor"))  # type: ignore[assignment]
    finished_at = property(attrgetter("ended.at"))  # type: ignore[assignment]
    finished_by = property(attrgetter("ended.actor"))  # type: ignore[assignment]

    @property  # type: ignore[misc]
    def started_mono(self) -> tuple[str, float] | None:
        return mono_reading(self.begun)

    @property  # type: ignore[misc]
    def ran_mono(self) -> timedelta | None:
        return mono_span(self.started_mono, self.ended)

    @property  # type: ignore[misc]
    def start_live(self) -> bool:
        return recorded_live(self.begun)

    @property  # type: ignore[misc]
    def finish_live(self) -> bool:
        return recorded_live(self.ended)

    def unpacked(self) -> StepState:
        """The same state as a plain StepState, to be changed."""
        st = object.__new__(StepState)
        st.__dict__.update({name: getattr(self, name) for name in _RAN_FIELDS})
        return st


_RAN_FIELDS = (
    "status",
    "attempts",
    "started_at",
    "started_by",
    "finished_at",
    "finished_by",
    "started_mono",
    "ran_mono",
    "start_live",
    "finish_live",
)

FRESH: StepState = object.__new__(_Untouched)  # the state of every step nothing happened to

_STEP_FIELDS = tuple(f.name for f in fields(StepState))
# A dataclass keeps plain defaults on the class: an instance made without __init__ (the shared
# fresh state, and each new one fold makes) reads them from there until a field is set.
if not all(f.default is not MISSING and f.default_factory is MISSING for f in fields(StepState)):
    raise TypeError("every StepState field needs a plain default")


def initial_state(plan: Plan) -> RunState:
    template = _template(plan)
    return RunState(
        plan=plan,
        steps=dict(template.steps),
        status=template.status.copy(),
        order=list(template.order),
        rollback_order=list(template.rollback_order),
        gates={sid: GateState() for sid in template.gates},
        derived=template.derived,
    )


def _build_template(plan: Plan) -> _Template:
    steps: dict[str, PlannedStep] = {}
    for source, rollback in ((plan.step, False), (plan.rollback_steps, True)):
        for s in source:
            steps[s.id] = PlannedStep(
                id=s.id,
                title=s.title,
                owner=s.owner,
                duration=s.duration,
                after=list(s.after),
                kind=s.kind,
                phase=s.phase,
                not_before=s.not_before,
                rollback=rollback,
                on_fail=s.on_fail if isinstance(s, Checkpoint) else "hold",
                approvers=list(s.approvers) if isinstance(s, Gate) else [],
                criteria=list(s.criteria) if isinstance(s, Gate) else [],
                low=s.estimate.low if s.estimate else None,
                high=s.estimate.high if s.estimate else None,
            )
    return _Template(
        steps=steps,
        status=dict.fromkeys(steps, FRESH),
        order=[s.id for s in plan.step],
        rollback_order=[s.id for s in plan.rollback_steps],
        gates=[s.id for s in plan.step if isinstance(s, Gate)],
        derived={},
    )


def copied(st: StepState) -> StepState:
    """A plain StepState equal to `st`, to be changed (fields left at their class defaults
    stay so)."""
    if type(st) is RanStep:
        return st.unpacked()
    copy = object.__new__(StepState)
    copy.__dict__.update(st.__dict__)
    return copy

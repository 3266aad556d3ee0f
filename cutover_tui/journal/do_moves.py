"""The engine's answers for `cutover do`'s step actions, kept with this user's facts of a run
(journal/do_facts.py) so the fast path (cli/do_fast_moves.py) appends a start, a completion,
a gate's decision... with plain data only (issue 14).

For each action of MOVES and each step (or readiness item), the engine is asked the very
question the full path asks: `event_for` builds the event from probe words, and `check_rules`
judges it, stamped at the moment the facts are taken. What is kept, per action:

- `type` and `template`: the event's fields in the order `dump_event` writes them, each
  either a constant (the actor, the type, a gate's decision and approver) or a slot the
  command fills (the target, the times, the monotonic reading, the boot, the key, the words),
  found by dumping a probe whose slots hold marker values;
- `targets`: the targets the rules accept now, each with the run's index row after the event
  (phase, outcome, steps closed, steps in all), found by folding the probe into a trial copy
  of the state with the engine's own `apply` and counting with `runindex.steps_closed`.

The fast path trusts these only at the head they were taken at (a move changes the state:
after one, the facts are stale until this module runs again, cli/facts_refresh.py), at a
moment no earlier than they were taken (every time rule of these actions, a fixed start,
"not before the run started", "not before it started", only ever turns a refusal into an
acceptance as time goes on), and with words that are not blank and within the size limits
(engine/texts.py): the only questions the rules ask of these actions' words.
"""

from __future__ import annotations

import copy
import json
from collections import ChainMap
from collections.abc import Iterator, MutableSet
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .runindex import closed_before, moved_by_one, steps_closed

if TYPE_CHECKING:
    from ..engine.events import Event
    from ..engine.runstate import RunState

# The actions an operator types all night; the rest (amendments, comms, rollback, incidents,
# anything with a time typed) always take the full path.
MOVES = (
    "start",
    "complete",
    "fail",
    "skip",
    "suspend",
    "resume",
    "pass",
    "fail-check",
    "go",
    "no-go",
    "conditional-go",
    "met",
    "waived",
)
ON_ITEMS = frozenset({"met", "waived"})  # their target is a readiness item, not a step
# The marker each slot holds in the probe; a dumped value equal to one is that slot.
WORD_MARKS = {"reason": "<reason>", "evidence": "<evidence>", "note": "<note>"}
RISK_MARK = "<risk>"
TARGET_MARK = "<target>"
KEY_MARK = "<key>"
BOOT_MARK = "<boot>"
MONO_MARK = 0.5


def take_moves(state: RunState, actor: str, now: datetime) -> dict[str, Any]:
    """Per action of MOVES: its event type and, per shape of its words (which of them are
    given), the field template and the targets the engine accepts from `actor` at `now`,
    each with the index row after it."""
    _ = state.keys  # gathered now: a trial copy must not copy ungathered events
    asked = {"steps": frontier(state), "items": list(state.plan.readiness_by_id)[:MAX_ASKED]}
    closed = steps_closed(state)  # the index row's count at the head (with_moves checks it)
    out: dict[str, Any] = {}
    for action in MOVES:
        probe = _probe(action, TARGET_MARK, actor, now, WORDS)
        used = [slot for _, slot, *_ in template(probe) if slot in WORDS]
        shapes = {}
        for given in _subsets(used):
            try:
                shaped = _probe(action, TARGET_MARK, actor, now, given)
            except ValueError:  # a word the action needs is missing: the full path says so
                continue
            fields = template(shaped)
            shapes[",".join(given)] = {
                "template": fields,
                "targets": _accepted(state, action, shaped, fields, asked, closed),
            }
        out[action] = {"type": probe.type, "shapes": shapes}
    return out


WORDS = ("evidence", "note", "reason", "risks")  # sorted: a shape's key is its words joined


def _subsets(words: list[str]) -> list[tuple[str, ...]]:
    """Every subset of `words`, each in WORDS order (a few: an action takes two at most)."""
    out: list[tuple[str, ...]] = [()]
    for word in sorted(words):
        out += [(*subset, word) for subset in out]
    return out


def _probe(action: str, target: str, actor: str, now: datetime, given: tuple[str, ...]) -> Event:
    """The event `cutover do` builds for `action` with the `given` words as markers (the
    others not given), stamped as it stamps it; ValueError as `event_for` raises it."""
    from ..engine.actions import Words, event_for

    marks = {word: mark for word, mark in WORD_MARKS.items() if word in given}
    words = Words(**marks, risks=(RISK_MARK,) if "risks" in given else ())
    event = event_for(action, target, words, actor=actor, at=now, key=KEY_MARK)
    return event.model_copy(update={"recorded_at": now, "mono": MONO_MARK, "boot": BOOT_MARK})


def template(probe: Event) -> list[list]:
    """The probe's dumped fields in order: [name, slot] for a slot, [name, None, value] for
    a constant."""
    from ..engine.events import dump_event

    fields = json.loads(dump_event(probe))
    marks = {
        TARGET_MARK: "target",
        KEY_MARK: "key",
        BOOT_MARK: "boot",
        fields["at"]: "at",
        **{mark: word for word, mark in WORD_MARKS.items()},
    }
    out: list[list] = []
    for name, value in fields.items():
        if name == "mono" and value == MONO_MARK:
            out.append([name, "mono"])
        elif value == [RISK_MARK]:
            out.append([name, "risks"])
        elif isinstance(value, str) and value in marks:
            out.append([name, marks[value]])
        else:
            out.append([name, None, value])
    return out


def frontier(state: RunState) -> list[str]:
    """The steps worth asking about, at most MAX_ASKED of them in the plan's order: those
    under way or failed, and those pending whose predecessors are all closed. Not a rule:
    the engine still judges each one asked; a step not asked (a skip far ahead, say) is
    simply the full path's. It keeps the asking proportionate on a 20,000-step plan."""
    out = []
    for sid, status in state.status.items():
        if status.closed or (status.status == "pending" and state.open_preds(sid)):
            continue
        out.append(sid)
        if len(out) == MAX_ASKED:
            break
    return out


MAX_ASKED = 400  # targets asked about per action: every step of a 320-step plan


def _accepted(
    state: RunState,
    action: str,
    base: Event,
    fields: list[list],
    asked: dict[str, list[str]],
    closed: int,
) -> dict[str, list]:
    """The targets `check_rules` accepts for `action` as probed by `base` (its `fields`,
    `template(base)`), among those `asked`, each with the run's index row after it."""
    from ..engine.rules import check_rules

    targets = asked["items"] if action in ON_ITEMS else asked["steps"]
    field = next(name for name, slot, *_ in fields if slot == "target")
    out = {}
    for target in targets:
        # event_for puts the target in that one field (tests/test_do_fast_moves.py checks)
        event = base.model_copy(update={field: target})
        if check_rules(state, event) is None:
            out[target] = index_after(state, event, closed)
    return out


def index_after(state: RunState, event: Event, closed: int) -> list:
    """The run's phase, outcome, steps closed and steps in all once `event` is folded, on a
    trial copy (the state itself is left as it was), counted as `runindex.record` counts
    them from the row before (`closed` steps)."""
    from ..engine.fold import apply

    before = closed_before(state, event)
    trial = apply(_trial_copy(state), event)
    done = steps_closed(trial) if before is None else moved_by_one(closed, trial, event, before)
    return [trial.phase, trial.outcome, done, len(trial.order)]


def with_moves(facts: Any, state: RunState, now: datetime) -> Any:
    """`facts` (journal/do_facts.py, taken of `state` at its head) with the engine's answers
    for the moves at `now`; unchanged when the index row does not say what the state says
    (the fast path would write a row the full path would not)."""
    closed = [state.phase, state.outcome, steps_closed(state), len(state.order)]
    if facts.index_row[3:] != closed:
        return facts
    return facts._replace(moves=take_moves(state, facts.actor, now), moves_at=now.isoformat())


def _trial_copy(state: RunState) -> RunState:
    """A copy `apply` may change without touching `state`: the plan and the derived graph
    shared, every dict and set a layer over the state's (a write lands in the layer), every
    list a new one holding the same items (the fold replaces the PlannedStep or StepState it
    changes, never edits one: engine/fold.py `apply`, and events are frozen), the gates
    (a decision changes its GateState in place) and every other object deep-copied, the
    frozen events in them shared. A deep copy of it all costs 4 ms a target at 320 steps;
    this, a fraction, at 20,000 steps as at 320."""
    trial = copy.copy(state)
    for name, value in vars(state).items():
        if name in SHARED:
            continue
        if type(value) is dict and name not in DEEP:
            setattr(trial, name, ChainMap({}, value))
        elif type(value) is set:
            setattr(trial, name, LayeredSet(value))
        elif type(value) is list:
            setattr(trial, name, list(value))
        elif not isinstance(value, ATOMIC):
            setattr(trial, name, copy.deepcopy(value, _events_in(value)))
    return trial


def _events_in(value: object) -> dict[int, object]:
    """A deepcopy memo that shares the frozen events a gate's decisions hold."""
    if not isinstance(value, dict):
        return {}
    memo: dict[int, object] = {}
    for gate in value.values():
        for decided in getattr(gate, "decisions", {}).values():
            memo[id(decided)] = decided
    return memo


class LayeredSet(MutableSet):
    """A set over another: what is added lands here, the other is left as it was."""

    def __init__(self, under: set) -> None:
        self.under, self.added = under, set()

    def __contains__(self, item: object) -> bool:
        return item in self.added or item in self.under

    def __iter__(self) -> Iterator:
        yield from self.under
        yield from (item for item in self.added if item not in self.under)

    def __len__(self) -> int:
        return len(self.under) + len(self.added - self.under)

    def add(self, item: object) -> None:
        self.added.add(item)

    def discard(self, item: object) -> None:
        if item in self.under:
            raise TypeError("a trial does not remove what the state holds")
        self.added.discard(item)


SHARED = frozenset({"plan", "derived", "_ungathered"})  # read-only here (gathered first)
DEEP = frozenset({"gates"})  # a GateState is changed in place by a decision
ATOMIC = (str, int, float, bool, type(None), datetime)

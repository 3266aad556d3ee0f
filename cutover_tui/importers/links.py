"""Predecessors as sheets write them, resolved to step ids.

A reference is, in this order: a value of the ID column (MS Project's "3" means task ID 3),
a sheet row number when the sheet has no ID column (what Excel shows at the left), a step id,
or a task name (one row's: a name rows share is refused with their rows). MS Project link types are honoured where the plan can say the same thing:

- FS (finish-to-start, the default): `after`.
- FS with a lag ("3FS+10m"): a wait step of that length between the two, so the timing holds.
- SS with no lag ("3SS", start together): the step waits for what row 3 waits for.
- FF, SF, SS with a lag, a lead ("3FS-10m") and a lag in per cent: refused, each with the
  finish-to-start link it could become as the suggestion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from ..plan.durations import format_duration
from ..plan.graph import CycleError, topological_order
from ..plan.ring import show_ring
from .problems import Problems
from .rows import Draft
from .suggest import Suggestions
from .values import Link


@dataclass
class WaitStep:
    """A lag made into a step: it waits `lag` after `after`, and `before` waits for it."""

    id: str
    title: str
    lag: timedelta
    after: str
    before: Draft
    after_row: int


def resolve_links(
    drafts: Sequence[Draft], has_id_column: bool, problems: Problems, taken: set[str]
) -> tuple[dict[str, list[str]], list[WaitStep]]:
    """Each draft's `after` as step ids, and the wait steps that carry lags."""
    index = References(drafts, has_id_column)
    after: dict[str, list[str]] = {d.id: [] for d in drafts}
    starts_with: dict[str, list[str]] = {}
    waits: list[WaitStep] = []
    for draft in drafts:
        column = draft.columns.get("after")
        for written in draft.links:
            # An id that reads like an MS Project link ("3ss") is the id: look it up whole first.
            named = index.rows_named(written.text) if written.text != written.ref else []
            link = Link(written.text, text=written.text) if named else written
            named = named or index.rows_named(link.ref)
            if len(named) > 1:
                problems.add(index.shared_name(link.text, named), draft.row, column)
                draft.failed = True
                continue
            target = named[0] if named else None
            if target is None:
                problems.add(
                    f"unknown predecessor {link.text!r}: {index.describe()}",
                    draft.row,
                    column,
                    index.nearest(link.ref),
                )
                draft.failed = True
                continue
            if target is draft:
                problems.add(f"{link.text!r} is this row itself", draft.row, column)
                draft.failed = True
                continue
            refused = _refusal(link)
            if refused:
                problems.add(refused, draft.row, column, f"{link.ref}FS")
                draft.failed = True
            elif link.type == "SS":
                starts_with.setdefault(draft.id, []).append(target.id)
            elif link.lag > timedelta(0):
                wait = _wait_step(draft, target, link.lag, taken)
                waits.append(wait)
                after[draft.id].append(wait.id)
            else:
                after[draft.id].append(target.id)
    for step, partners in starts_with.items():
        for partner in partners:
            after[step].extend(p for p in after[partner] if p not in after[step])
    return {k: list(dict.fromkeys(v)) for k, v in after.items()}, waits


def _refusal(link: Link) -> str | None:
    text = link.text
    if link.type in ("FF", "SF"):
        name = "finish-to-finish" if link.type == "FF" else "start-to-finish"
        return (
            f"{text!r}: a {name} link cannot be honoured (a step here starts when the steps "
            "before it finish); write it finish-to-start"
        )
    if link.type == "SS" and link.lag:
        return f"{text!r}: a start-to-start link with a lag cannot be honoured"
    if link.lag < timedelta(0):
        return (
            f"{text!r}: a lead (a negative lag) cannot be honoured: a step starts only when "
            "the steps before it finish"
        )
    return None


def _wait_step(draft: Draft, target: Draft, lag: timedelta, taken: set[str]) -> WaitStep:
    base = f"wait-{format_duration(lag)}-before-{draft.id}"[:60]
    wait_id, n = base, 2
    while wait_id in taken:
        wait_id, n = f"{base}-{n}", n + 1
    taken.add(wait_id)
    title = f"Wait {format_duration(lag)} after '{target.title}' (lag from the sheet)"
    return WaitStep(wait_id, title, lag, target.id, draft, target.row)


class References:
    """What a reference in a sheet's cell may name: its rows (by ID cell, row number, step id or
    task name) and, for gate criteria and comms steps, what the workbook's other sheets hold."""

    def __init__(self, drafts: Sequence[Draft] = (), has_id_column: bool = False) -> None:
        self.suggestions = Suggestions()  # one budget for the whole import
        self.add_rows(drafts, has_id_column)
        self.extra: set[str] = set()  # other ids a gate's criteria may name (readiness items)
        self.has_readiness = False  # whether the workbook has a Readiness sheet
        self.added: dict[str, str] = {}  # readiness items made from criteria -> their owner
        self.audiences: set[str] = set()  # the workbook's Audiences and Templates sheets' ids
        self.templates: set[str] = set()

    def add_rows(self, drafts: Sequence[Draft], has_id_column: bool) -> None:
        """The rows references resolve to from now on (one sheet's: a rollback's are its own)."""
        self.has_id_column = has_id_column
        # A link binds to the first row with an ID: a later row with the same ID is refused as
        # a duplicate, and a cycle through it would be a phantom.
        self.by_id_cell: dict[str, Draft] = {}
        for draft in drafts:
            if draft.id_text:
                self.by_id_cell.setdefault(draft.id_text.lower(), draft)
        self.by_row = {str(d.row): d for d in drafts}
        self.by_step = {d.id: d for d in drafts if d.id}
        self.by_title: dict[str, list[Draft]] = {}
        for draft in drafts:
            if draft.title:
                self.by_title.setdefault(draft.title.strip().lower(), []).append(draft)
        self.suggestions.forget()

    def rows_named(self, ref: str) -> list[Draft]:
        """The rows `ref` names: one, none, or every row with that task name when several
        share it (runbooks repeat "Smoke test"; which one was meant is not guessed)."""
        key = ref.strip().lower()
        if self.has_id_column and key in self.by_id_cell:
            return [self.by_id_cell[key]]
        if not self.has_id_column and key in self.by_row:
            return [self.by_row[key]]
        titled = self.by_title.get(key, [])
        if len(titled) > 1:  # even when it is also the id made from that name (the first's)
            return titled
        found = self.by_step.get(key) or (titled[0] if titled else None)
        return [found] if found else []

    def shared_name(self, text: str, rows: Sequence[Draft]) -> str:
        """Why `text` is refused: the task name of all these rows, and how to name one."""
        if self.has_id_column:  # a row number names nothing here: a row with no ID cell is
            # named by its step id ("write the ID" of a row that has none could not be done)
            each = [
                f"{d.row} (ID {d.id_text!r})" if d.id_text else f"{d.row} (step {d.id!r})"
                for d in rows
            ]
            named = all(d.id_text for d in rows)
            how = f"write the ID{'' if named else ' or step id'} of the one meant"
        else:
            each = [str(d.row) for d in rows]
            how = "write the row number of the one meant"
        listed = ", ".join(each[:-1]) + f" and {each[-1]}"
        return f"{text!r} is the task name of rows {listed}: {how}"

    def describe(self) -> str:
        if self.has_id_column:
            return "no step has that ID"
        return (
            "no row of that number holds a step (numbers are sheet rows), and no step has that id"
        )

    def nearest(self, ref: str) -> str | None:
        if ref.isdigit():
            return None  # a nearby number is a guess, not a suggestion
        return self.suggestions.nearest(
            ref.lower(), "row", lambda: [*self.by_id_cell, *self.by_step]
        )

    def nearest_criterion(self, text: str) -> str | None:
        """The step id or readiness item a misspelt gate criterion most likely meant."""
        return self.suggestions.nearest(text, "criterion", lambda: [*self.by_step, *self.extra])


def find_cycle(drafts: Sequence[Draft], after: dict[str, list[str]], problems: Problems) -> bool:
    """Report one dependency cycle by its rows; True if there was one."""
    try:
        topological_order(after)
    except CycleError as cycle:
        rows = {d.id: d for d in drafts}
        ring = cycle.cycle  # in dependency order: each finishes before the next starts
        at = min(range(len(ring)), key=lambda i: rows[ring[i]].row if ring[i] in rows else 1 << 30)
        ring = ring[at:] + ring[:at]
        shown = show_ring([str(rows[s].row) if s in rows else s for s in ring], " → ")
        first = rows.get(ring[0])
        if first is not None:
            first.failed = True
        problems.add(
            f"dependency cycle through rows {shown} (each must finish before the next starts); "
            "break one link",
            first.row if first else None,
            first.columns.get("after") if first else None,
        )
        return True
    return False

"""A Draft written as the plan's `[[step]]` data (the keys of docs/plan-format.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..plan.checks import BUILTIN_TEMPLATES
from ..plan.ids import id_problem
from .links import References
from .people import People
from .problems import Problems
from .rows import Draft
from .values import exact_duration

_COMMS_NOTE = (
    "a comms step needs a message template and audiences the workbook holds (its Templates "
    "and Audiences sheets): imported as a task; make it a comms step in the plan"
)


def step_data(
    draft: Draft,
    people: People,
    phases: dict[str, str],
    references: References,
    problems: Problems,
    after: list[str],
) -> dict[str, Any]:
    columns = draft.columns
    owner_column = columns.get("owner")
    owners = draft.owners or ["unassigned"]
    owner_keys = people.keys_for(owners, draft.row, owner_column)
    step: dict[str, Any] = {"id": draft.id}
    kind = draft.kind
    if kind == "comms" and not _comms_known(draft, references):
        problems.warn(_COMMS_NOTE, draft.row, columns.get("kind"))
        kind = "task"
    if kind != "task":
        step["kind"] = kind
    step["title"] = draft.title
    if draft.phase:
        step["phase"] = draft.phase
    step["owner"] = owner_keys[0]
    consulted = people.keys_for(draft.consulted, draft.row, columns.get("consulted"))
    if len(owner_keys) > 1:
        problems.warn(
            f"{len(owner_keys)} owners: {owner_keys[0]} owns the step (responsible), "
            f"{', '.join(owner_keys[1:])} consulted",
            draft.row,
            owner_column,
        )
        consulted = list(dict.fromkeys([*owner_keys[1:], *consulted]))
    step["duration"] = exact_duration(draft.duration or timedelta(0))
    if after:
        step["after"] = after
    if draft.stream:
        step["stream"] = draft.stream
    if draft.start is not None:
        step["not_before"] = draft.start.written  # with its offset, when it has one
    notes = list(draft.notes)
    if draft.status:
        notes.append(f"Status: {draft.status}")
    if notes:
        step["instructions"] = "\n".join(notes)
    if draft.low is not None or draft.high is not None:
        step["estimate"] = {
            "low": exact_duration(draft.low or draft.duration or timedelta(0)),
            "high": exact_duration(draft.high or draft.duration or timedelta(0)),
        }
    if draft.accountable:
        step["accountable"] = people.key_for(
            draft.accountable[0], draft.row, columns.get("accountable")
        )
    if consulted:
        step["consulted"] = consulted
    if draft.informed:
        step["informed"] = people.keys_for(draft.informed, draft.row, columns.get("informed"))
    _kind_fields(draft, kind, step, people, references, problems)
    if kind == "comms":
        step["template"] = draft.template
        step["to"] = draft.audiences
        if draft.auto:
            step["auto"] = True
    return step


def _comms_known(draft: Draft, references: References) -> bool:
    """Whether the workbook holds the comms step's template and every audience it names."""
    templates = references.templates | set(BUILTIN_TEMPLATES)
    return (
        draft.template in templates
        and bool(draft.audiences)
        and all(a in references.audiences for a in draft.audiences)
    )


def _kind_fields(
    draft: Draft,
    kind: str,
    step: dict[str, Any],
    people: People,
    references: References,
    problems: Problems,
) -> None:
    columns = draft.columns
    if kind == "checkpoint":
        if draft.verify is None:
            problems.warn(
                "a checkpoint with no verification: its task name is the check to make",
                draft.row,
                columns.get("verify") or columns.get("kind"),
            )
        step["verify"] = draft.verify or draft.title
        if draft.on_fail:
            step["on_fail"] = draft.on_fail
    elif kind == "gate":
        criteria = []
        for text in draft.criteria:
            named = references.rows_named(text)
            found = named[0] if len(named) == 1 else None
            if len(named) > 1:
                problems.add(
                    references.shared_name(text, named), draft.row, columns.get("criteria")
                )
            elif found is not None:
                criteria.append(found.id)
            elif text in references.extra:
                criteria.append(text)
            elif not references.has_readiness and id_problem(text) is None:
                # A CSV holds no readiness list: the criterion becomes an item to complete.
                if text not in references.added:
                    references.added[text] = step["owner"]
                    problems.warn(
                        f"criterion {text!r} is not a step of the sheet: added as a readiness "
                        "item to be completed (stream, owner, what it checks)",
                        draft.row,
                        columns.get("criteria"),
                    )
                criteria.append(text)
            else:
                problems.add(
                    f"unknown criterion {text!r}: criteria name steps of the sheet or items of "
                    "its Readiness sheet",
                    draft.row,
                    columns.get("criteria"),
                    references.nearest_criterion(text),
                )
        if criteria:
            step["criteria"] = criteria
        if draft.approvers:
            step["approvers"] = people.keys_for(
                draft.approvers, draft.row, columns.get("approvers")
            )
    elif draft.verify:
        step["instructions"] = "\n".join(
            filter(None, [step.get("instructions"), f"Verification: {draft.verify}"])
        )

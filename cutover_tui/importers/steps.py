"""A laid-out sheet's drafts turned into `[[step]]` data: ids, predecessors (a cycle named by
its rows), phases, durations, the rows' fields and the wait steps that carry lags. The runbook
sheet and a workbook's Rollback sheet both go through here; their ids share one namespace."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from ..plan.ids import id_problem
from .links import References, WaitStep, find_cycle, resolve_links
from .people import People
from .problems import Problems
from .rows import Draft
from .timing import settle_durations
from .values import exact_duration, slug
from .wire import step_data


def build_steps(
    drafts: list[Draft],
    has_ids: bool,
    people: People,
    phases: dict[str, str],
    references: References,
    problems: Problems,
    taken: set[str],
    zone: ZoneInfo,
) -> list[dict[str, Any]]:
    """The steps of `drafts`, in sheet order; `taken` (ids already used) grows with theirs;
    durations from Start and End worked on the plan's clock, `zone`."""
    duplicates = assign_ids(drafts, problems, taken)
    after, waits = resolve_links(drafts, has_ids, problems, taken)
    # A cycle's first row is set aside (and named) so that every other problem is still found;
    # a row refused for a duplicate ID is in no cycle (it is not a step, only its ID's problem).
    graph = {k: ([] if k in duplicates else v) for k, v in after.items()}
    find_cycle(drafts, {**graph, **{w.id: [w.after] for w in waits}}, problems)
    phase_ids(drafts, phases)
    settle_durations(drafts, problems, zone)
    references.add_rows(drafts, has_ids)
    failed = {d.id for d in drafts if d.failed}
    steps = [
        step_data(
            d, people, phases, references, problems, [a for a in after[d.id] if a not in failed]
        )
        for d in drafts
        if not d.failed
    ]
    return with_waits(steps, waits, problems)


def assign_ids(drafts: list[Draft], problems: Problems, taken: set[str]) -> set[str]:
    """Each draft's step id: its ID cell when that is a plan id, else one made from it or from
    the task name, unique among `taken`. The step ids of rows refused for a duplicate ID."""
    seen: set[str] = set()
    duplicates: set[str] = set()
    for draft in drafts:
        column = draft.columns.get("id")
        wanted = (draft.id_text or "").strip().lower()
        duplicate = False
        if wanted and wanted in seen:
            problems.add(f"ID {draft.id_text!r} is used by an earlier row too", draft.row, column)
            draft.failed = duplicate = True
        elif wanted and wanted in taken:
            problems.add(
                f"ID {draft.id_text!r} is a step of the runbook sheet too: plan and rollback "
                "steps share one set of ids",
                draft.row,
                column,
            )
            draft.failed = True
        seen.add(wanted)
        valid = id_problem(wanted) is None
        if wanted and not valid:
            problems.warn(
                f"ID {draft.id_text!r} is not a plan id (lowercase letters, digits, '-'): "
                f"the step is {slug(wanted) or 'row-' + str(draft.row)!r}",
                draft.row,
                column,
            )
        base = (wanted if valid else slug(wanted)) or slug(draft.title)
        base = base or f"row-{draft.row}"
        step_id, n = base, 2
        while step_id in taken:
            step_id, n = f"{base}-{n}", n + 1
        draft.id = step_id
        taken.add(step_id)
        if duplicate:
            duplicates.add(step_id)
    return duplicates


def listed_phases(listed: list[dict[str, Any]]) -> dict[str, str]:
    """Phase id -> title from a Phases sheet."""
    out: dict[str, str] = {}
    for item in listed:
        pid = str(item.get("id", ""))
        if pid:
            out[pid] = str(item.get("title", pid))
    return out


def phase_ids(drafts: list[Draft], phases: dict[str, str]) -> None:
    """Each draft's phase text (an id or a title) becomes a phase id; new ones join `phases`."""
    by_text: dict[str, str] = {}
    for pid, title in phases.items():
        by_text[pid.lower()] = by_text[title.lower()] = pid
    for draft in drafts:
        if draft.phase is None:
            continue
        text = draft.phase.strip()
        pid = by_text.get(text.lower()) or slug(text) or "phase"
        phases.setdefault(pid, text)
        by_text[text.lower()] = pid
        draft.phase = pid


def with_waits(
    steps: list[dict[str, Any]], waits: list[WaitStep], problems: Problems
) -> list[dict[str, Any]]:
    """Wait steps placed just before the step that waits for them."""
    by_before: dict[str, list[WaitStep]] = {}
    for wait in waits:
        by_before.setdefault(wait.before.id, []).append(wait)
        problems.warn(
            f"the lag of {exact_duration(wait.lag)} after row {wait.after_row} becomes a wait step "
            f"{wait.id!r} (the plan has no lags)",
            wait.before.row,
            wait.before.columns.get("after"),
        )
    out = []
    for step in steps:
        for wait in by_before.get(step["id"], []):
            item = {
                "id": wait.id,
                "kind": "milestone",
                "title": wait.title,
                "owner": step["owner"],
                "duration": exact_duration(wait.lag),
                "after": [wait.after],
            }
            if "phase" in step:
                item["phase"] = step["phase"]
            out.append(item)
        out.append(step)
    return out

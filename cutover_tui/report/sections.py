"""Sentences and groupings both renderers share (Markdown and HTML say the same things).

Plain text out: the renderers escape it.
"""

from __future__ import annotations

from ..engine.aftercare_status import AfterRow, in_days
from ..plan.aftercare import AREAS
from ..plan.durations import format_duration
from .review import Review

_GROUP_TITLES = {
    **{area: f"Validation: {area}" for area in AREAS},
    "access": "Temporary access closed",
    "handover": "Handover",
    "runbook": "Runbook update (72-hour rule)",
}


def rollback_lines(r: Review) -> list[str]:
    rb = r.rollback
    if rb is None:
        return []
    lines = [f"invoked at {r.when(rb.invoked_at)} by {rb.invoked_by}: {rb.reason}"]
    if rb.trigger_at is not None:
        lines.append(
            f"called for at {r.when(rb.trigger_at)}"
            + (f" by trigger {rb.trigger}" if rb.trigger else "")
            + f"; trigger to rollback: {format_duration(rb.trigger_to_rollback)}"  # type: ignore[arg-type]
        )
    if rb.took is not None:
        lines.append(
            f"service restored at {r.when(rb.restored_at)}, {format_duration(rb.took)} after"
        )
    else:
        lines.append("the rollback runbook did not finish")
    if rb.rto is not None:
        met = {True: "met", False: "MISSED", None: "not known"}[rb.rto_met]
        lines.append(f"RTO {format_duration(rb.rto)}: {met}")
    return lines


def stage_lines(r: Review) -> list[str]:
    """When each stage of the verdict began, as the replayed samples saw it."""
    lines = [f"{stage} from {r.when(at)}" for stage, at in r.odds.began]
    return lines or ["no samples: the run did not start"]


def aftercare_groups(r: Review) -> list[tuple[str, list[AfterRow]]]:
    """The rows under their headings: the four validation areas, access, handover, runbook."""
    groups: dict[str, list[AfterRow]] = {}
    for row in r.aftercare:
        groups.setdefault(_GROUP_TITLES.get(row.area, row.area), []).append(row)
    return list(groups.items())


def handover_facts(r: Review) -> list[tuple[str, str]]:
    after = r.plan.aftercare
    h = after.handover if after else None
    if h is None:
        return []
    name = r.state.name
    facts = [
        ("to", f"{h.team}, received by {name(h.owner)}"),
        (
            "hypercare",
            f"{in_days(h.hypercare)} from go-live, owned by {name(h.hypercare_owner or h.owner)}",
        ),
    ]
    facts += [("known issue", issue) for issue in h.known_issues]
    facts += [("watch", item) for item in h.watch]
    return facts

"""What a run takes once the work is over, and the rehearsal history's own decisions.

- After the end, the run is a record: only review remarks (a note of kind "review"), the
  commander's exclusion of a rehearsal and what is done after the night (engine/aftercare.py:
  validation, access closed, handover accepted, runbook updated) may still be added; anything
  else is refused with the moment the run ended and what it still takes (incidents' updates
  and resolutions too: engine/incident_rules.after_end).
- A rehearsal can be excluded from the history (RehearsalExcluded, commander only, with a
  reason), during it or after it; it stays in the journal and says who and when.

The checks here are called from `engine.state` (`_legality`), which holds the permissions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .aftercare import is_aftercare
from .events import NoteAdded, ReadinessMarked, RehearsalExcluded
from .texts import says_nothing

if TYPE_CHECKING:
    from .events import Event
    from .state import RunState


def allowed_after_end(event: Event) -> bool:
    """A review remark, a rehearsal's exclusion, or what is done after the night (validation,
    access closed, handover, runbook: engine/aftercare.py): what an ended run takes."""
    return (
        (isinstance(event, NoteAdded) and event.kind == "review")
        or isinstance(event, RehearsalExcluded)
        or is_aftercare(event)
    )


def ended_refusal(state: RunState) -> str:
    """Says all an ended run takes: it said "only review remarks", yet an incident's update
    or resolution and the after-the-night items are taken too (user pass, 2026-12-02)."""
    return (
        f"the run ended ({state.outcome}) at {state.when(state.ended_at)}; it takes only review "
        "remarks (cutover do RUN note --kind review --note ...), what is done after the night "
        "(cutover do RUN validated|close-access|accept-handover|runbook-updated ...), the open "
        "incidents' updates and resolution, and a rehearsal's exclusion"
    )


def check_exclusion(state: RunState, event: RehearsalExcluded) -> str | None:
    if state.mode != "rehearsal":
        return "only a rehearsal can be excluded from the rehearsal history; this is a live run"
    if says_nothing(event.reason):
        return "excluding a rehearsal needs a reason (--reason), kept in the journal"
    earlier = state.excluded
    if earlier is not None:
        return (
            f"this rehearsal was already excluded by {state.name(earlier.actor)} at "
            f"{state.when(earlier.at)}: {earlier.reason}"
        )
    return None


def check_waiver(event: ReadinessMarked) -> str | None:
    """A waiver says why: the review reads it, and so do tonight's approvers."""
    if event.status == "waived" and says_nothing(event.note):
        return f"waiving {event.item!r} needs a note saying why (--note)"
    return None


def excluded(state: RunState, event: RehearsalExcluded) -> None:
    state.excluded = event

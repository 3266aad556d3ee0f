"""The after-the-night actions and their words -> events, for `cutover do` and the war room.

`engine/actions.event_for` hands these actions here: `validated ITEM [--value N]`,
`validation-failed ITEM --note`, `close-access ACCESS`, `accept-handover`, `runbook-updated
--note`. Whether the person may, and whether a measure is within tolerance, is for
engine/aftercare.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .events import AccessClosed, Event, HandoverAccepted, RunbookUpdated, ValidationRecorded

AFTER_ACTIONS = {
    "validated": "record a validation item after go-live (ITEM; --value N for a measure)",
    "validation-failed": "record a pass/fail validation item as failed (ITEM, --note)",
    "close-access": "record a temporary access closed (ACCESS; --note)",
    "accept-handover": "accept the handover (the receiving owner; --note)",
    "runbook-updated": "record the runbook update (--note: what changed, where)",
}
WITHOUT_TARGET = frozenset({"accept-handover", "runbook-updated"})


def after_event(action: str, target: str | None, words: Any, need: Callable, base: dict) -> Event:
    """The event an after-the-night `action` asks for; ValueError when a word is missing."""
    if action == "validated":
        value = words.value
        return ValidationRecorded(
            check=need(target, "an ITEM"),
            value=value,
            passed=None if value is not None else True,
            note=words.note,
            **base,
        )
    if action == "validation-failed":
        return ValidationRecorded(
            check=need(target, "an ITEM"), passed=False, note=need(words.note, "--note"), **base
        )
    if action == "close-access":
        return AccessClosed(access=need(target, "an ACCESS"), note=words.note, **base)
    if action == "accept-handover":
        return HandoverAccepted(note=words.note, **base)
    if action == "runbook-updated":
        return RunbookUpdated(note=need(words.note, "--note"), **base)
    raise ValueError(f"unknown action {action!r}")

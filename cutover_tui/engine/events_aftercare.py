"""The events after the night: validation recorded, access closed, handover accepted, runbook
updated (engine/aftercare.py checks and folds them).

Split out of engine/events.py unchanged; events.py re-exports every name here, and imports
this module where these classes stood, so the union and EVENT_TYPES keep their order.
"""

from __future__ import annotations

from typing import Literal

from .events_base import EventBase

# -- after the night (engine/aftercare.py checks and folds these; also after the run ends) ---


class ValidationRecorded(EventBase):
    """A post-cutover validation item checked: a measure with its value (passed when within
    the plan's tolerance, worked out by the fold), or a pass/fail item with `passed`."""

    type: Literal["validation-recorded"] = "validation-recorded"
    check: str
    value: float | None = None
    passed: bool | None = None
    note: str = ""


class AccessClosed(EventBase):
    type: Literal["access-closed"] = "access-closed"
    access: str
    note: str = ""


class HandoverAccepted(EventBase):
    """The receiving owner takes the service: hypercare runs from go-live."""

    type: Literal["handover-accepted"] = "handover-accepted"
    note: str = ""


class RunbookUpdated(EventBase):
    type: Literal["runbook-updated"] = "runbook-updated"
    note: str  # what changed and where it lives

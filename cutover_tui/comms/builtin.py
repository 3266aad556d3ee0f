"""The message templates every plan has: status update, incident alert, rollback announcement,
go-live confirmation. A plan's `[[template]]` of the same id replaces one.

Written in the plan's own template syntax (`{field:spec}`, docs/plan-format.md), so a plan
author can copy one into the plan and edit it. Plain text, no links: they are read on phones
in car parks at 3 a.m.
"""

from __future__ import annotations

from ..plan.checks import BUILTIN_TEMPLATES
from ..plan.model import Template

_TEXTS = {
    "status-update": (
        "{plan.title}: {level} at {now:%H:%M}",
        "Status at {now:%H:%M}: {level} ({reason}).\n"
        "{percent_done} of the work is done. Now running: {current_step}.\n"
        # {outlook} and {rollback}: one clause each, true at every stage (no finish claimed
        # under NO GO or ROLL BACK, no rollback offered after the end); the figures' own
        # fields are for a plan's own templates.
        "The run is {level}; {outlook}; {rollback}.\n"
        "Commander: {commander}.",
    ),
    "incident": (
        "{plan.title}: incident at {raised_at:%H:%M}",
        "Incident at {raised_at:%H:%M}: {reason}.\n"
        "Concerned: {step}. Trigger: {trigger}.\n"
        # {outlook}, not the odds' own fields: true before the first odds and after the end.
        "The run is {level}; {outlook}; {rollback}.\n"
        "Commander: {commander}.",
    ),
    "rollback-announcement": (
        "{plan.title}: rolling back",
        "At {now:%H:%M} the commander, {commander}, invoked the rollback: {reason}.\n"
        "The previous service is being restored; the rollback is planned to finish by "
        "{deadline:%H:%M}. We will confirm when it is back.",
    ),
    "go-live": (
        "{plan.title}: live",
        "The cutover is complete and live from {now:%H:%M}, {delta} against plan.\n"
        "Rollback remains possible until {rollback_by:%H:%M}. Commander: {commander}.",
    ),
    # To a step's informed (and, on a failure, its accountable): comms/raci.py.
    "step-update": (
        # {news}: "step: reason", or the reason alone when the message names no step.
        "{plan.title}: {news}",
        "{news}.\n"
        "The run is {level}, {percent_done} of the work done; {outlook}.\n"
        "Commander: {commander}.",
    ),
}

BUILTIN: dict[str, Template] = {
    key: Template(id=key, subject=subject, body=body) for key, (subject, body) in _TEXTS.items()
}
assert tuple(BUILTIN) == BUILTIN_TEMPLATES, "plan.checks.BUILTIN_TEMPLATES names these"

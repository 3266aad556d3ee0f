"""`cutover new`: a small commented plan that validates, to edit into a real one.

The data is written by tomli-w, section by section, so that each section can carry a comment
explaining its keys (tomli-w itself writes no comments).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from .write import dumps_plan


def _next_friday(today: date) -> date:
    return today + timedelta(days=(4 - today.weekday()) % 7 or 7)


def starter_sections(plan_id: str, today: date) -> list[tuple[str, dict[str, Any]]]:
    friday = _next_friday(today)
    start = datetime.combine(friday, time(22, 0))
    end = start + timedelta(hours=8)

    def step(id: str, title: str, owner: str, duration: str, after: list[str], **extra: Any):
        return {
            "id": id,
            "title": title,
            "owner": owner,
            "duration": duration,
            "after": after,
        } | extra

    return [
        (
            "Format version and the plan itself. Times without an offset are read in `timezone`.",
            {
                "format": 1,
                "plan": {
                    "id": plan_id,
                    "title": "My cutover",
                    "timezone": "Europe/London",
                    "launch": "hard",
                },
            },
        ),
        (
            "The maintenance window. `end` is the hard deadline; `buffer` is how much of the\n"
            "window a rehearsed plan must leave free; `warning` warns before a projected breach.",
            {"window": {"start": start, "end": end, "buffer": "25%", "warning": "30m"}},
        ),
        (
            "People: `user` is the OS login on the jump host. Roles: commander, communicator,\n"
            "resolver, operator, approver, watcher. Anyone not listed follows read-only.",
            {
                "people": {
                    "lead": {"name": "Cutover Lead", "roles": ["commander"]},
                    "ops": {"name": "Operations", "roles": ["operator"]},
                    "sponsor": {"name": "Business Sponsor", "roles": ["approver"]},
                }
            },
        ),
        (
            "Phases group steps on the timeline.",
            {"phase": [{"id": "prepare", "title": "Prepare"}, {"id": "switch", "title": "Switch"}]},
        ),
        (
            "Steps: kind is task (default), checkpoint, gate, comms or milestone.\n"
            "`duration` is the time budget; `after` lists steps that must finish first.",
            {
                "step": [
                    step(
                        "freeze",
                        "Freeze changes on the old system",
                        "ops",
                        "15m",
                        [],
                        phase="prepare",
                    ),
                    step(
                        "backup",
                        "Back up the old system",
                        "ops",
                        "45m",
                        ["freeze"],
                        phase="prepare",
                        estimate={"low": "30m", "high": "1h10m"},
                    ),
                    step(
                        "backup-verified",
                        "Backup verified",
                        "lead",
                        "10m",
                        ["backup"],
                        phase="prepare",
                        kind="checkpoint",
                        verify="Backup size and checksum match",
                        on_fail="hold",
                    ),
                    step(
                        "go-no-go",
                        "Go / no-go",
                        "lead",
                        "10m",
                        ["backup-verified"],
                        kind="gate",
                        criteria=["backup-verified", "team-ready"],
                        approvers=["lead", "sponsor"],
                    ),
                    step(
                        "switch-over",
                        "Switch traffic to the new system",
                        "ops",
                        "1h",
                        ["go-no-go"],
                        phase="switch",
                    ),
                    step(
                        "smoke-tests",
                        "Smoke tests pass",
                        "lead",
                        "30m",
                        ["switch-over"],
                        phase="switch",
                        kind="checkpoint",
                        verify="Log in, search, save a record",
                        on_fail="rollback",
                    ),
                    step(
                        "announce",
                        "Announce go-live",
                        "lead",
                        "5m",
                        ["smoke-tests"],
                        kind="comms",
                        template="go-live",
                        to=["everyone"],
                    ),
                ]
            },
        ),
        (
            "Readiness items (the go-live checklist), in four streams: technical,\n"
            "organisational, process, governance. Gate criteria may name them.",
            {
                "readiness": [
                    {
                        "id": "team-ready",
                        "stream": "organisational",
                        "item": "Support team briefed and on call",
                        "owner": "lead",
                    },
                ]
            },
        ),
        (
            "Rollback: its steps' critical path must fit in `rto`. The last safe rollback start\n"
            "is window.end minus that critical path.",
            {
                "rollback": {
                    "owner": "lead",
                    "rto": "1h",
                    "step": [
                        step(
                            "switch-back", "Switch traffic back to the old system", "ops", "30m", []
                        ),
                        step("verify-old", "Old system verified", "lead", "15m", ["switch-back"]),
                    ],
                }
            },
        ),
        (
            "Triggers: running-over (with `limit`), failed, not-done-by (with `at`).",
            {
                "trigger": [
                    {
                        "id": "smoke-failed",
                        "step": "smoke-tests",
                        "condition": "failed",
                        "action": "rollback",
                    },
                ]
            },
        ),
        (
            "Audiences and message templates. Placeholders: {plan.title}, {now:%H:%M},\n"
            "{projected_finish:%H:%M}, {delta}, {percent_done}, {current_step}, {reason}.",
            {
                "audience": [
                    {
                        "id": "everyone",
                        "name": "Everyone affected",
                        "email": ["everyone@example.com"],
                    }
                ],
                "template": [
                    {
                        "id": "go-live",
                        "subject": "{plan.title}: live at {now:%H:%M}",
                        "body": "We went live at {now:%H:%M}, {delta} against plan.",
                    },
                ],
            },
        ),
    ]


def starter_plan(plan_id: str, today: date) -> str:
    chunks = []
    for comment, data in starter_sections(plan_id, today):
        note = "\n".join(f"# {line}" if line else "#" for line in comment.splitlines())
        chunks.append(f"{note}\n{dumps_plan(data)}")
    return "\n".join(chunks)

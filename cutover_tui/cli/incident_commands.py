"""`cutover incidents RUN [--json]`: the run's incidents, their SLAs and response figures; and
what `cutover do` says about an incident command (its number, owner and SLA).

The text and the JSON read engine/incident_view.py, as the war room's incidents screen does.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta, tzinfo

from ..engine.events import Event
from ..engine.incident_view import as_json, rows
from ..engine.incidents import holders, level_of
from ..engine.spoken_zone import plan_clock_label
from ..engine.state import RunState
from ..inert import inert_line
from ..journal.run import run_clock
from ..plan.durations import format_duration
from .options import add_runs_option, open_run, said_in_one_line


def register(subparsers: argparse._SubParsersAction) -> None:
    cmd = subparsers.add_parser(
        "incidents",
        help="a run's incidents: severity, owner, SLA left, escalations, response figures",
    )
    cmd.add_argument("run", metavar="RUN")
    cmd.add_argument("--json", action="store_true", help="as JSON, with the response figures")
    add_runs_option(cmd)
    cmd.set_defaults(func=cmd_incidents)


@said_in_one_line
def cmd_incidents(args: argparse.Namespace) -> int:
    journal = open_run(args)
    if journal is None:
        return 1
    state = journal.state()
    now = run_clock(journal, None).now()
    if state.ended_at is not None:  # an ended run's clock stopped (a simulation's runs on)
        now = min(now, state.ended_at)
    if args.json:
        print(json.dumps(as_json(state, now), indent=2))
        return 0
    for line in incident_lines(state, now, resolved=True):
        print(line)
    return 0


def incident_lines(
    state: RunState, now: datetime, *, resolved: bool, plan_zone: tzinfo | None = None
) -> list[str]:
    """One line per incident, the bridge first: `cutover incidents` and `cutover status`.
    `plan_zone`, given when the reader's clock is another (`status --tz`), labels a title in
    the conductor's words on the plan's clock, as the war room does."""
    out = [f"  bridge: {bridge_line(state)}"]
    found = rows(state, now, resolved=resolved)
    if not found:
        return [*out, "  no incidents" if resolved else "  no open incidents"]
    for r in found:
        owner = state.name(r.owner) if r.owner else "nobody"
        if r.status == "resolved":
            tail = f"resolved after {format_duration(r.age)}"
        elif r.left is None:
            tail = f"waiting for {r.waiting}, nobody left to escalate to"
        elif r.left < timedelta(0):
            tail = f"{r.waiting} OVERDUE by {format_duration(-r.left)}"
        else:
            tail = f"{r.waiting} due in {format_duration(r.left)}"
        chain = " → ".join(r.chain)
        escalated = f"; escalated to {', '.join(r.escalated_to)}" if r.escalated_to else ""
        title = inert_line(r.title, 60)
        title += plan_clock_label(r.raised_at, plan_zone) if r.title_stored else ""
        out.append(
            f"  {r.label:7} {r.severity.upper():5} {r.status:12} {title}"
            f" · {inert_line(owner)} · {tail} · chain {inert_line(chain)}{escalated}"
        )
    return out


def bridge_line(state: RunState) -> str:
    parts = []
    for role in ("commander", "communicator", "resolver"):
        names = ", ".join(state.name(p) for p in holders(state, role)) or "nobody"
        parts.append(f"{role} {inert_line(names)}")
    return "; ".join(parts)


def default_giver(args: argparse.Namespace, journal) -> str | None:
    """`handover ROLE` without --from: the role's only holder tonight, if there is one."""
    giver = getattr(args, "giver", None)
    if args.action != "handover" or giver:
        return giver
    found = holders(journal.state(), args.target or "")
    return found[0] if len(found) == 1 else None


def said_about_incident(journal, stored: Event) -> None:
    """After `cutover do RUN raise|assign`: the number, the owner and the SLA."""
    if stored.type not in ("incident-raised", "incident-assigned"):
        return
    state = journal.state()
    number = getattr(stored, "incident", None)
    if number is None:  # raised: the fold numbered it
        number = next(n for n, i in state.incidents.incidents.items() if i.raised.key == stored.key)
    incident = state.incidents.incidents[number]
    level = level_of(state, incident.severity)
    owner = state.name(incident.owner) if incident.owner else "nobody"
    print(
        f"{incident.label} {incident.severity.upper()} owned by {inert_line(owner)}: "
        f"acknowledge within {format_duration(level.respond)}"
    )

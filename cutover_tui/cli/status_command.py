"""`cutover status RUN`: where a run stands and where it is heading, in the war room's words.

It shows the same verdict as the war room's badge and `w` (engine.verdict), computed with the
same forecaster (seeded by the run id) and the same rehearsal prior, so a shell and every
screen on the run say the same thing at the same moment.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..engine.aftercare_status import summary as aftercare_summary
from ..engine.events import RunStarted
from ..engine.incident_view import as_json as incidents_json
from ..engine.schedule import Schedule
from ..engine.spoken_zone import told_in
from ..engine.state import RunState, apply, check, initial_state
from ..engine.triggers import FiredTrigger, override_of
from ..engine.verdict import Verdict, assess, forecaster_for
from ..engine.verdict_types import WITHHELD_BECAUSE
from ..inert import inert_line
from ..journal.moved import moved_of
from ..journal.seal import unsealed
from ..journal.store import Journal
from ..plan.durations import format_duration
from ..plan.zones import hm
from .incident_commands import incident_lines
from .trust_commands import head_json, head_text

if TYPE_CHECKING:  # a type only: the war room imports this module for `viewer_zone` (issue 14)
    from ..engine.foresight import Foresight


# Why no finish is claimed, after "none " (engine/verdict_types.py, as the messages say it),
# and under ROLL BACK what answers the call.
WITHHELD = {
    **WITHHELD_BECAUSE,
    "roll-back": f"{WITHHELD_BECAUSE['roll-back']} (roll back, or override it to carry on)",
}


def viewer_zone(text: str | None) -> tzinfo | None:
    """The zone named by `--tz` (an IANA name such as Asia/Kolkata), or None for the plan's."""
    if not text:
        return None
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"--tz {text!r} is not a time zone; use a name like Europe/London"
        ) from exc


def state_as_of(journal: Journal, at: datetime) -> RunState:
    """The run as it stood at `at`: every event that had happened by then (its `at`, so a
    late tick-off counts from when it happened), in log order. A later moment is the whole
    log, projected forward. An event that no longer fits without a later one is left out,
    judged as it was asked for: the RunStarted without the journal's seal (its copy of the
    plan is longer than any text an event may carry: judged with it, the start was left out
    and every event after it, and a running run showed as not started)."""
    events = journal.events()
    if all(e.at <= at for e in events):
        return journal.state()
    state = initial_state(journal.plan)
    for event in events:
        asked = unsealed(event) if isinstance(event, RunStarted) else event
        if event.at <= at and check(state, asked) is None:
            apply(state, event)
    return state


def assess_run(
    journal: Journal, state: RunState, at: datetime
) -> tuple[Schedule, Foresight | None, Verdict]:
    """What the war room would show for this run at `at`: same forecaster, same prior."""
    from .prior import rehearsal_prior

    return assess(state, at, forecaster_for(journal.run_id), rehearsal_prior(journal))


def status_report(journal: Journal, at: datetime, state: RunState | None = None) -> dict:
    state = state or state_as_of(journal, at)
    sched, _, verdict = assess_run(journal, state, at)
    withheld = not verdict.claims_finish  # a NO GO, or a ROLL BACK call unanswered
    return {
        "run": journal.run_id,
        "plan": journal.plan.plan.id,
        "mode": state.mode,
        "phase": state.phase,
        "as_of": at.isoformat(),
        "head": head_json(journal),  # the journal's last event: `cutover verify --expect`
        # A file whose run moved (cutover migrate): where it went; what follows is the file's.
        "moved": _moved_json(journal),
        "level": verdict.stage,
        "verdict": verdict.as_dict(),
        # Under a NO GO (the rest of the plan cannot run) or an unanswered ROLL BACK no finish
        # is claimed: null, as the war room shows none (user pass, 2026-12-02).
        "projected_finish": None if withheld else sched.projected_finish.isoformat(),
        "baseline_finish": sched.baseline_finish.isoformat(),
        "delta_s": None if withheld else sched.delta.total_seconds(),
        "deadline": sched.deadline.isoformat(),
        "buffer_left_s": None if withheld else sched.buffer_left.total_seconds(),
        "percent_done": sched.percent_done,
        # No countdown for an ended run: its clock stopped.
        "last_safe_rollback_start": sched.last_safe_rollback_start.isoformat(),
        "rollback_time_left_s": sched.rollback_time_left.total_seconds()
        if verdict.countdown
        else None,
        "fired": [
            {
                "trigger": f.trigger,
                "step": f.step,
                "action": f.action,
                "at": f.fired_at.isoformat(),
                "reason": f.reason,
                "overridden": _override_json(state, f),
            }
            for f in sched.fired
        ],
        "steps": [_step(sched, sid) for sid in state.active_ids()],
        "aftercare": _aftercare_json(journal, state, at),  # None without [aftercare]
        "incidents": incidents_json(state, at),  # engine/incident_view.py
    }


def _moved_json(journal: Journal) -> dict[str, str] | None:
    where = moved_of(journal)  # a run file's; None through the service
    return None if where is None else where.as_json()


def _override_json(state: RunState, fired: FiredTrigger) -> dict | None:
    """Who overrode this fired rollback trigger, when and why; None if nobody has (the same
    answer the verdict reads: an override recorded since it fired)."""
    o = override_of(state, fired)
    if o is None:
        return None
    return {"by": o.actor, "name": state.name(o.actor), "at": o.at.isoformat(), "reason": o.reason}


def aftercare_now(journal: Journal, state: RunState, at: datetime) -> tuple[str, bool] | None:
    """After the night (engine/aftercare.py): an ended run is shown as it ended, but what
    came after the end is judged with every event and the run's clock now."""
    if state.phase != "ended":
        return aftercare_summary(state, at)
    from ..journal.run import run_clock

    return aftercare_summary(journal.state(), max(at, run_clock(journal, None).now()))


def _aftercare_json(journal: Journal, state: RunState, at: datetime) -> dict | None:
    said = aftercare_now(journal, state, at)
    return None if said is None else {"summary": said[0], "red": said[1]}


def _step(sched: Schedule, sid: str) -> dict:
    t = sched.steps[sid]
    return {
        "id": sid,
        "status": t.status,
        "start": t.start.isoformat(),
        "finish": t.finish.isoformat(),
        "baseline_finish": t.baseline_finish.isoformat(),
        "slack_s": t.slack.total_seconds() if t.slack is not None else None,
        "critical": t.critical,
        "overrun": t.overrun,
    }


def print_status(journal: Journal, at: datetime, args: argparse.Namespace) -> int:
    # Asked for now, the whole log as the war room folds it: an event dated a little ahead
    # of this host's clock (another host's, within the skew engine/times.py allows) is in
    # the war room's state, so it is in this one.
    state = state_as_of(journal, at) if getattr(args, "at", None) else journal.state()
    if args.json:
        print(json.dumps(status_report(journal, at, state), indent=2, default=str))
        return 0
    try:
        zone = viewer_zone(getattr(args, "tz", None)) or journal.plan.zone
    except ValueError as exc:
        print(f"cutover status: {exc}", file=sys.stderr)
        return 2
    with told_in(zone):  # the rules' sentences in the zone of every other time shown
        sched, _, v = assess_run(journal, state, at)

    def t(moment: datetime | None) -> str:
        return hm(moment, zone)

    plan_zone = journal.plan.zone
    other_zone = plan_zone if str(zone) != str(plan_zone) else None  # labels stored words
    named = f"{at.astimezone(zone):%a %H:%M %Z}"
    if zone is not plan_zone:
        named += f" (plan's zone {at.astimezone(plan_zone):%H:%M %Z})"
    print(f"{journal.run_id}: {inert_line(journal.plan.plan.title)} ({state.mode}, {state.phase})")
    where = moved_of(journal)
    if where is not None:  # first: what follows is this file's, stale since the move
        print(f"  {inert_line(where.line())}")
    word = v.word + (f" · {inert_line(v.calling.trigger or v.calling.step)}" if v.calling else "")
    if v.no_go is not None:  # the gate that stopped the run names itself, as in the badge
        word = f"{v.word} · {inert_line(v.no_go)}"
    print(f"  as of {named}: {word}")
    for rule in v.rules:
        print(f"    {rule.level:8} {rule.name}: {inert_line(rule.text)}")
    if v.stage == "ended":
        print(f"  ended at {t(v.stopped_at)}; {sched.percent_done:.0%} done")
    else:
        likely = (
            f"likely {t(v.likely)} (P50 at tonight's pace), P80 {t(v.p80)}, "
            f"{v.p_in_window:.0%} in window; "
            if v.likely is not None and v.p_in_window is not None
            else ""
        )
        record = (
            f"plan of record {t(sched.projected_finish)} "
            f"({format_duration(v.delta, signed=True)} against the baseline "
            f"{t(sched.baseline_finish)}); deadline {t(sched.deadline)}, buffer left "
            f"{format_duration(sched.buffer_left)}"
        )
        if not v.claims_finish:  # no odds, no plan of record: as the war room's status line
            likely, record = f"none {WITHHELD[v.stage]}; ", f"deadline {t(sched.deadline)}"
        print(f"  finish: {likely}{record}, {sched.percent_done:.0%} done")
        if state.phase == "running" and state.rollback_order:
            left = sched.rollback_time_left  # negative once passed: said as the war room does
            when = (
                f"in {format_duration(left)}"
                if left >= timedelta(0)
                else f"passed {format_duration(-left)} ago: NO RETURN"
            )
            print(f"  last safe rollback start {t(sched.last_safe_rollback_start)} ({when})")
    for fired in sched.fired:
        name = inert_line(fired.trigger or fired.step)
        o = override_of(state, fired)
        if o is not None:  # answered: who carried on past it, when and why
            print(
                f"  FIRED {name} at {t(fired.fired_at)}, overridden by "
                f"{inert_line(state.name(o.actor))} at {t(o.at)}: {inert_line(o.reason)}"
            )
            continue
        print(f"  FIRED {name} at {t(fired.fired_at)}: {inert_line(fired.reason)} → {fired.action}")
    after = aftercare_now(journal, state, at)
    if after is not None:  # red (and marked) when an item, an access above all, is overdue
        print(f"  {'■ ' if after[1] else ''}{after[0]}")
    if state.incidents.open():  # and the bridge: cli/incident_commands.py
        for line in incident_lines(state, at, resolved=False, plan_zone=other_zone):
            print(line)
    print(f"  {'step':34} {'state':10} {'start':>5} {'finish':>6} {'slack':>7}")
    for sid in state.active_ids():
        st = sched.steps[sid]
        slack = format_duration(st.slack) if st.slack is not None and v.countdown else ""
        flag = " critical" if st.critical and v.countdown else ""
        flag += " OVERRUN" if st.overrun else ""
        name = inert_line(sid)[:34]
        print(f"  {name:34} {st.status:10} {t(st.start):>5} {t(st.finish):>6} {slack:>7}{flag}")
    head = head_text(journal.head)  # published through the night: `verify --expect` checks it
    print(f"  journal head {head} (later: cutover verify RUN --expect {head})")
    return 0


__all__ = ["assess_run", "print_status", "state_as_of", "status_report", "viewer_zone"]

"""`cutover simulate PLAN`: a rehearsal that plays itself on a fast clock, in the war room or
headless (`--headless` prints each event as it lands)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import uuid
from datetime import UTC, datetime

from ..clock.conductor import Conductor
from ..clocks import AcceleratedClock, speed_problem
from ..engine.events import RunEnded, RunStarted
from ..journal.identity import actor_for, os_login
from ..journal.run import JournalRun
from ..journal.store import Journal, JournalError, runs_dir
from ..rehearse.simulate import SimulatedNight
from ..rehearse.simulate_drive import drive
from ..rehearse.simulated_checks import drawn_checks
from .options import add_runs_option, load_or_say


def register(subparsers: argparse._SubParsersAction) -> None:
    sim = subparsers.add_parser(
        "simulate", help="a rehearsal that plays itself on a fast clock, in the war room"
    )
    sim.add_argument("plan", metavar="PLAN")
    sim.add_argument("--speed", type=float, default=60.0, help="clock speed (default 60x)")
    sim.add_argument("--seed", type=int, default=None, help="the night's random draws")
    sim.add_argument("--headless", action="store_true", help="print events, no war room")
    add_runs_option(sim)
    sim.set_defaults(func=cmd_simulate)


def cmd_simulate(args: argparse.Namespace) -> int:
    loaded = load_or_say(args.plan)
    if loaded is None:
        return 1
    if speed_problem(args.speed):  # NaN too; 1e-300 overflowed the simulated dates
        print(f"cutover simulate: {speed_problem(args.speed)}", file=sys.stderr)
        return 2
    login = os_login()
    try:
        journal = Journal.create(
            runs_dir(args.runs), loaded, rehearsal=True, created_by=login, speed=args.speed
        )
    except (JournalError, OSError) as exc:
        print(f"cutover simulate: cannot record the rehearsal: {exc}", file=sys.stderr)
        return 1
    plan = journal.plan
    commander = actor_for(plan, login)
    real_start = datetime.now(UTC)
    # Simulated time runs from the window's start; every process derives the same clock
    # from this event's `at` and `recorded_at` and the run's speed.
    journal.append(
        RunStarted(
            actor=commander,
            at=plan.window.start,
            plan_id=plan.plan.id,
            mode="rehearsal",
            key=uuid.uuid4().hex,
            note=f"simulated at {args.speed:g}x",
            simulated=True,  # never in the rehearsal history unless asked for
        ),
        now=lambda: real_start,
    )
    clock = AcceleratedClock(plan.window.start, args.speed, real_start=real_start)
    seed = args.seed if args.seed is not None else int(real_start.timestamp())
    night = SimulatedNight(plan, seed=seed)
    print(
        f"{journal.run_id}: simulated rehearsal at {args.speed:g}x, seed {seed}, "
        f"night slowness {night.slowness:.2f}" + drawn_checks(plan),
        file=sys.stderr,
    )
    if args.headless:
        try:
            with contextlib.suppress(KeyboardInterrupt):
                asyncio.run(_headless(journal, night, commander, clock))
        finally:  # also when the output went away (`| head`): the run must not linger
            _close_if_stopped(journal, commander, clock)
        return 0
    try:
        _in_the_war_room(journal, night, commander, clock)
    finally:
        _close_if_stopped(journal, commander, clock)
    return 0


def _in_the_war_room(
    journal: Journal, night: SimulatedNight, commander: str, clock: AcceleratedClock
) -> None:
    """The commander's war room on the simulated night, the night played in the background."""
    from ..tui.app import WarRoomApp  # the headless night never loads textual
    from .warroom_commands import rehearsal_prior

    source = JournalRun(journal, commander, now=clock.now, monotonic=clock.monotonic)
    player = Journal(journal.path)
    WarRoomApp(
        source,
        clock,
        conductor=Conductor(Journal(journal.path), clock),
        background=lambda: drive(player, night, commander, clock),
        prior=rehearsal_prior(journal),
    ).run()


def _close_if_stopped(journal: Journal, commander: str, clock) -> None:
    """A simulation left before its end is recorded as aborted: nobody plays it any more."""
    state = journal.state()
    if state.phase in ("running", "rollback"):
        journal.append(
            RunEnded(
                actor=commander,
                at=clock.now(),
                outcome="aborted",
                reason="the simulation was stopped before the end",
                key=uuid.uuid4().hex,
            )
        )
        print(f"{journal.run_id}: stopped before the end, recorded as aborted", file=sys.stderr)


def _late(event, zone) -> str:
    """ " (recorded 23:36)": on a fast clock the conductor's notice of an overrun at 23:34 can
    land after the 23:36 completion that followed it."""
    from ..report.narrate import recorded_late

    recorded = recorded_late(event)
    return f" (recorded {recorded.astimezone(zone):%H:%M})" if recorded else ""


def _say(event, zone, *, late: bool) -> None:
    """One event as a line of the headless night: `23:34 ▶ … · dba`."""
    from ..report.narrate import narrate

    line = narrate(event, lambda moment: f"{moment.astimezone(zone):%H:%M}")  # an ETA too
    recorded = _late(event, zone) if late else ""
    print(f"{event.at.astimezone(zone):%H:%M} {line.icon} {line.text}{recorded} · {event.actor}")


async def _headless(journal: Journal, night: SimulatedNight, commander: str, clock) -> None:
    conductor = Conductor(Journal(journal.path), clock)
    await conductor.start()
    watcher = Journal(journal.path)
    seen = 0
    player = asyncio.ensure_future(drive(journal, night, commander, clock, tick=0.05))
    zone = journal.plan.zone
    try:
        while True:
            for event in watcher.events_after(seen):
                seen = event.seq
                _say(event, zone, late=True)
            if player.done():
                player.result()
                for event in watcher.events_after(seen):
                    _say(event, zone, late=False)
                break
            await asyncio.sleep(0.05)
    finally:
        conductor.stop()
    state = watcher.state()
    print(f"{journal.run_id}: {state.outcome} at {state.ended_at.astimezone(zone):%a %H:%M}")

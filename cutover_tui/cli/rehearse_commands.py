"""`cutover simulate | rehearsals | calibrate`: dry runs, what they taught, a better plan."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

from ..clock.conductor import Conductor
from ..clocks import AcceleratedClock, speed_problem
from ..engine.events import RunEnded, RunStarted
from ..journal.identity import actor_for, os_login
from ..journal.run import JournalRun
from ..journal.store import Journal, JournalError, runs_dir
from ..rehearse.history import history
from ..rehearse.simulate import SimulatedNight, drive
from .inert_output import write_trusted
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

    reh = subparsers.add_parser("rehearsals", help="every rehearsal of a plan, side by side")
    reh.add_argument("plan", metavar="PLAN")
    add_simulated_option(reh)
    add_runs_option(reh)
    reh.set_defaults(func=cmd_rehearsals)

    cal = subparsers.add_parser(
        "calibrate", help="propose durations and estimates from the rehearsals"
    )
    cal.add_argument("plan", metavar="PLAN")
    cal.add_argument("--out", help="where to write the calibrated plan (default: beside it)")
    cal.add_argument(
        "--force",
        action="store_true",
        help="cut budgets by more than half even on fewer than two rehearsals",
    )
    add_simulated_option(cal)
    add_runs_option(cal)
    cal.set_defaults(func=cmd_calibrate)


def add_simulated_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--include-simulated",
        action="store_true",
        help="count simulations (cutover simulate) as rehearsals too",
    )


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
        f"night slowness {night.slowness:.2f}",
        file=sys.stderr,
    )
    if args.headless:
        try:
            with contextlib.suppress(KeyboardInterrupt):
                asyncio.run(_headless(journal, night, commander, clock))
        finally:  # also when the output went away (`| head`): the run must not linger
            _close_if_stopped(journal, commander, clock)
        return 0
    from ..tui.app import WarRoomApp

    source = JournalRun(journal, commander, now=clock.now, monotonic=clock.monotonic)
    player = Journal(journal.path)
    from .warroom_commands import rehearsal_prior

    try:
        WarRoomApp(
            source,
            clock,
            conductor=Conductor(Journal(journal.path), clock),
            background=lambda: drive(player, night, commander, clock),
            prior=rehearsal_prior(journal),
        ).run()
    finally:
        _close_if_stopped(journal, commander, clock)
    return 0


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


async def _headless(journal: Journal, night: SimulatedNight, commander: str, clock) -> None:
    from ..report.narrate import narrate

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
                line = narrate(event)
                print(
                    f"{event.at.astimezone(zone):%H:%M} {line.icon} {line.text}{_late(event, zone)} · {event.actor}"
                )
            if player.done():
                player.result()
                for event in watcher.events_after(seen):
                    line = narrate(event)
                    print(
                        f"{event.at.astimezone(zone):%H:%M} {line.icon} {line.text} · {event.actor}"
                    )
                break
            await asyncio.sleep(0.05)
    finally:
        conductor.stop()
    state = watcher.state()
    print(f"{journal.run_id}: {state.outcome} at {state.ended_at.astimezone(zone):%a %H:%M}")


def cmd_rehearsals(args: argparse.Namespace) -> int:
    from ..rehearse.compare import compare, plan_vs_actual_chart, render

    loaded = load_or_say(args.plan)
    if loaded is None:
        return 1
    past = history(
        runs_dir(args.runs), loaded.plan.plan.id, include_simulated=args.include_simulated
    )
    runs = past.runs
    if not runs:
        print(
            f"no rehearsals of {loaded.plan.plan.id!r} in {runs_dir(args.runs)}/ "
            "(cutover start PLAN --rehearsal, or cutover simulate PLAN)"
        )
        for line in past.left_out():
            print(line)
        return 0
    for line in past.left_out():
        print(line)
    ticked = past.ticked_off_line()
    if ticked:
        print(ticked)
    comparison = compare(loaded.plan, runs)
    if sys.stdout.isatty():  # the chart's colours pass; the rest goes through inert
        print(render(comparison, chart=False) + "\n")
        write_trusted(plan_vs_actual_chart(comparison, color=True))
    else:
        print(render(comparison))
    print()
    print(forecast_with_history(loaded.plan, [state for _, state in runs]))
    return 0


def forecast_with_history(plan, states) -> str:
    """The plan's odds before the night, from its estimates and then from the rehearsals."""
    from ..engine.forecast import Forecaster, Slowness
    from ..engine.state import initial_state
    from ..rehearse.calibrate import prior_from

    state = initial_state(plan)
    forecaster = Forecaster(iterations=2000, seed=1)

    def line(label: str, odds) -> str:
        hm = lambda m: m.astimezone(plan.zone).strftime("%a %H:%M")  # noqa: E731
        return (
            f"  {label:26} P50 {hm(odds.p50)}, P80 {hm(odds.p80)}; {odds.p_in_window:.0%} "
            f"inside the window, {odds.p_in_buffer:.0%} before the buffer line"
        )

    lines = ["forecast (2,000 simulated nights)"]
    lines.append(line("from the estimates", forecaster.forecast(state, plan.window.start)))
    prior = prior_from(plan, states)
    if prior is not None:
        slowness = Slowness.shared(prior.factor, prior.spread, prior.step_noise)
        odds = forecaster.forecast(state, plan.window.start, scales=prior.scales, slowness=slowness)
        lines.append(line("from the rehearsals", odds))
    return "\n".join(lines)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from ..plan.errors import PlanError
    from ..rehearse.calibrate import CalibrationError, calibrate, render_changes, write_calibrated
    from ..rehearse.evidence import refused_cuts

    loaded = load_or_say(args.plan)
    if loaded is None:
        return 1
    past = history(
        runs_dir(args.runs), loaded.plan.plan.id, include_simulated=args.include_simulated
    )
    runs = past.runs
    if not runs:
        left = "; ".join(past.left_out())
        print(
            f"cutover calibrate: no rehearsals of {loaded.plan.plan.id!r} to learn from"
            + (f" ({left})" if left else ""),
            file=sys.stderr,
        )
        return 1
    source = Path(loaded.path)
    out = Path(args.out) if args.out else source.with_name(f"{source.stem}.calibrated.toml")
    if out.resolve() == source.resolve():
        print("cutover calibrate: --out must not be the plan itself", file=sys.stderr)
        return 2
    try:
        result = calibrate(loaded.plan, [state for _, state in runs])
    except CalibrationError as exc:
        print(f"cutover calibrate: {exc}", file=sys.stderr)
        return 1
    for line in past.left_out():
        print(line)
    ticked = past.ticked_off_line()
    if ticked:
        print(ticked)
    print(render_changes(loaded.plan, result))
    refused = refused_cuts(result)
    if refused and not args.force:
        sys.stdout.flush()  # the table first, then why nothing was written
        for line in refused:
            print(f"cutover calibrate: refused: {line}", file=sys.stderr)
        print(f"cutover calibrate: nothing written to {out}", file=sys.stderr)
        return 1
    for line in refused:  # only with --force
        print(f"forced: {line}")
    try:
        write_calibrated(loaded, result, out)
    except OSError as exc:
        print(f"cutover calibrate: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except PlanError as exc:  # a bug, not the user's: say what failed rather than a traceback
        print(f"cutover calibrate: the calibrated plan {out} does not validate:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"wrote {out} (the original is unchanged); check it with: cutover validate {out}")
    return 0

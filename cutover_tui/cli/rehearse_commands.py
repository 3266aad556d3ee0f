"""`cutover rehearsals | calibrate`: what the dry runs taught, and a better plan from them.
(`cutover simulate`, a dry run that plays itself, is in `simulate_commands.py`.)"""

from __future__ import annotations

import argparse
import builtins
import sys
from pathlib import Path

from ..journal.store import runs_dir
from ..rehearse.history import history
from .inert_output import say_line, write_trusted
from .options import add_runs_option, load_or_say


def register(subparsers: argparse._SubParsersAction) -> None:
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


def cmd_rehearsals(args: argparse.Namespace) -> int:
    from ..rehearse.compare import compare, fit, plan_vs_actual_chart, render

    def print(text: str = "") -> None:  # within 80 columns, ids and paths whole
        builtins.print(fit(text))

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
    if sys.stdout.isatty() and comparison.timed:  # the chart's colours pass; the rest inert
        print(render(comparison, chart=False) + "\n")
        write_trusted(plan_vs_actual_chart(comparison, color=True))
    else:
        print(render(comparison))
    print()
    print(forecast_with_history(loaded.plan, [state for _, state in runs]))
    print()
    print(reliability_of_runs(loaded.plan, runs_dir(args.runs)))
    return 0


def reliability_of_runs(plan, directory: Path) -> str:
    """The reliability table over the plan's rehearsals and simulated nights (excluded ones
    aside): the odds stated at 25, 50 and 75 % of each night against what happened."""
    from ..rehearse.reliability import ended_nights, runs_table, table_lines

    nights = ended_nights(directory, plan.plan.id)
    table = runs_table(plan, nights.states)
    head = (
        f"calibration: the odds stated at 25, 50 and 75 % of the night against what happened, "
        f"over {nights.rehearsals} rehearsal(s) and {nights.simulated} simulated night(s) "
        "that ended"
    )
    return "\n".join([head, *table_lines(table)])


def forecast_with_history(plan, states) -> str:
    """The plan's odds before the night, from its estimates and then from the rehearsals,
    reckoned as the war room does at 0 % done (its pace prior and drift), so the figures
    here are the ones a rehearsal opens with."""
    from ..engine.forecast import Forecaster
    from ..engine.foresight import before_the_night
    from ..rehearse.calibrate import prior_from

    forecaster = Forecaster(iterations=2000, seed=1)

    def line(label: str, odds) -> str:
        hm = lambda m: m.astimezone(plan.zone).strftime("%a %H:%M")  # noqa: E731
        return (
            f"  {label:26} P50 {hm(odds.p50)}, P80 {hm(odds.p80)}; {odds.p_in_window:.0%} "
            f"inside the window, {odds.p_in_buffer:.0%} before the buffer line"
        )

    lines = ["forecast before the night, as the war room reckons it (2,000 simulated nights)"]
    lines.append(line("from the estimates", before_the_night(plan, forecaster)))
    prior = prior_from(plan, states)
    if prior is not None:
        lines.append(line("from the rehearsals", before_the_night(plan, forecaster, prior)))
    return "\n".join(lines)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from ..plan.errors import PlanError
    from ..rehearse.calibrate import CalibrationError, calibrate, render_changes
    from ..rehearse.calibrated_plan import write_calibrated
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
    _say_warnings(out)
    return 0


def _say_warnings(out: Path) -> None:
    """What `cutover validate` would warn of the calibrated plan (a critical path the
    rehearsals lengthened past the buffer rule, say): the point of calibrating, said here
    rather than first as AT RISK in the war room of its next rehearsal."""
    from ..plan import load_plan

    for problem in load_plan(out).warnings:
        say_line(f"cutover calibrate: {problem}", sys.stderr)

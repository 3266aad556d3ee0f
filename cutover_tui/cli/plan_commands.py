"""`cutover validate`, `cutover schema`, `cutover new`: working with plan files."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from ..plan import PlanError, load_plan
from ..plan.gc_pause import gc_paused
from ..plan.probes import check_lines
from ..plan.starter import starter_plan
from ..plan.summary import summarize


def register(subparsers: argparse._SubParsersAction) -> None:
    validate = subparsers.add_parser("validate", help="check plan files and summarise them")
    validate.add_argument("plans", nargs="+", metavar="PLAN")
    validate.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    validate.set_defaults(func=cmd_validate)

    schema = subparsers.add_parser("schema", help="print the JSON Schema of the plan format")
    schema.set_defaults(func=cmd_schema)

    new = subparsers.add_parser("new", help="write a commented starter plan")
    new.add_argument("path", metavar="PATH", help="where to write it (must not exist)")
    new.add_argument("--id", default=None, help="plan id (default: from the file name)")
    new.set_defaults(func=cmd_new)


def cmd_validate(args: argparse.Namespace) -> int:
    # The collector paused for the whole command, not around each part: on leaving each
    # pause its first collection walked everything made meanwhile and still alive (the models,
    # the graphs, the forecast's arrays), 0.4 s on 50,000 steps for nothing to free. Here the
    # pause ends once the plans are gone, freed by reference counting as they always are.
    with gc_paused():
        return _validate_plans(args)


def _validate_plans(args: argparse.Namespace) -> int:
    failed = False
    for index, path in enumerate(args.plans):
        if index and not args.quiet:
            print()
        try:
            loaded = load_plan(path)
        except PlanError as exc:
            failed = True
            errors = [p for p in exc.problems if p.severity == "error"]
            print(f"{path}: {len(errors)} error(s)", file=sys.stderr)
            for problem in exc.problems:
                print(f"  {problem}", file=sys.stderr)
            continue
        if not args.quiet:
            print(summarize(loaded))
            print(forecast_line(loaded.plan))
            for line in check_lines(loaded.plan):  # every command the conductor runs
                print(line)
        elif loaded.warnings:
            for problem in loaded.warnings:
                print(f"  {problem}")
    return 1 if failed else 0


# Nights simulated for the summary line: 2,000, or fewer on a plan so large that 2,000 would
# take seconds (steps x nights within VALIDATE_CELLS), never fewer than VALIDATE_MIN_NIGHTS.
# The forecast's memory is bounded whatever the count (engine.forecast_blocks); this bounds time.
# The line says how many nights it drew. Beyond 20,000 steps the count falls below the war
# room's 500 (50,000 steps: 200 nights, a second less of `validate`, issue 12).
VALIDATE_NIGHTS = 2000
VALIDATE_MIN_NIGHTS = 200
VALIDATE_CELLS = 10_000_000  # 20,000 steps: 500 nights, half of validate's time was the odds


def validate_nights(steps: int) -> int:
    """How many nights `cutover validate` simulates for a plan of `steps` steps."""
    return max(VALIDATE_MIN_NIGHTS, min(VALIDATE_NIGHTS, VALIDATE_CELLS // max(steps, 1)))


# Up to this many steps x nights the line is the war room's own odds before the night
# (engine.foresight.before_the_night: its pace prior and the drift a night may take), as
# `cutover rehearsals` says them "from the estimates" and a run opens with them: 2,000 nights
# to 1,250 steps, 500 (the war room's own count) at 5,000 steps, about 0.7 s. Above, the
# estimates alone (engine.forecast_plan), said so: the war room's model would pass validate's
# time budget (user pass, 2026-12-02: validate said "100% inside the window" of the online
# store, which its war room opened at 73 %).
WAR_ROOM_CELLS = 2_500_000


def forecast_line(plan) -> str:
    """The odds of the plan as written: as the war room reckons them before the night, or on
    a plan too large for that within validate's budget its three-point estimates alone."""
    from ..engine.verdict import FORECAST_ITERATIONS

    steps = len(plan.step)
    nights = min(VALIDATE_NIGHTS, WAR_ROOM_CELLS // max(steps, 1))
    if nights >= FORECAST_ITERATIONS:
        from ..engine.forecast import Forecaster
        from ..engine.foresight import before_the_night

        odds = before_the_night(plan, Forecaster(iterations=nights, seed=1))
        basis = (  # the default prior: a war room with rehearsals opens with theirs
            f"{nights:,} simulated nights, as the war room reckons them before the night from"
            " the estimates; rehearsals move them: cutover rehearsals"
        )
    else:
        from ..engine.forecast_plan import plan_odds
        from ..engine.state import initial_state

        nights = validate_nights(steps)
        odds = plan_odds(initial_state(plan), nights, seed=1)
        basis = (
            f"{nights:,} simulated nights from the estimates alone; the war room's odds also "
            "allow for a slow night"
        )

    def hm(moment) -> str:
        return moment.astimezone(plan.zone).strftime("%a %H:%M")

    return (
        f"  forecast   P50 {hm(odds.p50)}, P80 {hm(odds.p80)}; {odds.p_in_window:.0%} inside "
        f"the window, {odds.p_in_buffer:.0%} before the buffer line ({basis})"
    )


def cmd_schema(args: argparse.Namespace) -> int:
    from ..plan.model import Plan

    print(json.dumps(Plan.model_json_schema(), indent=2))
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    target = Path(args.path)
    if target.exists():
        print(f"{target}: already exists; choose another name", file=sys.stderr)
        return 1
    plan_id = args.id or _slug(target.stem)
    target.write_text(starter_plan(plan_id, today=date.today()), encoding="utf-8")
    print(f"wrote {target}; check it with: cutover validate {target}")
    return 0


def _slug(text: str) -> str:
    cleaned = "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")
    return "-".join(part for part in cleaned.split("-") if part) or "my-cutover"

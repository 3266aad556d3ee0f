"""The odds' LATE alarm on runs left open past their window: the walk before and after
engine/alarm_after.py, in the same process.

    .venv/bin/python benchmarks/alarm_after.py [--rounds 3]

`alarm.settle` walks the alarm grid back from now while the odds stay under the clearing line.
It forecast every grid point; on a run days past its window's end (a rehearsal left open, a
run past its window, a test plan dated last week) that was thousands of forecasts per
`cutover status`, `cutover do ... send`, conductor tick or war-room refresh. Points after the
end now need none of their own. For each run below, `engine.foresight.foresee` (what all of
them call), with the run's production forecaster (`verdict.forecaster_for`), fresh each round
as in a CLI process, once with the old settle (tests/test_alarm_after.old_settle, the oracle
of the sameness test) and once with the new: the forecasts made (Forecaster.simulate calls,
the one at now included) and the median time, old over new. The verdicts are checked equal.
No timing here is a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cutover_tui.engine import foresight  # noqa: E402
from cutover_tui.engine.events import RunStarted, StepCompleted, StepStarted  # noqa: E402
from cutover_tui.engine.forecast import Forecaster  # noqa: E402
from cutover_tui.engine.state import fold  # noqa: E402
from cutover_tui.engine.verdict import forecaster_for  # noqa: E402
from cutover_tui.plan import parse_plan  # noqa: E402
from tests.test_alarm_after import old_settle  # noqa: E402
from tests.test_foresight import SLOW_START, T0, plan_text  # noqa: E402

HOUR = timedelta(hours=1)


def run(begin: timedelta, done: int, ratio: float, after_last: timedelta):
    """A 10-hour window (6-minute grid) of 10 steps, the run started `begin` after it opened,
    `done` steps finished at `ratio` times their budgets, the next one running; now is
    `after_last` after the last event."""
    plan = parse_plan(plan_text(10, SLOW_START)).plan
    at = T0 + begin
    events = [RunStarted(actor="lead", at=at, plan_id=plan.plan.id)]
    for step in plan.step[:done]:
        events.append(StepStarted(actor="lead", at=at, step=step.id))
        at += step.duration * ratio
        events.append(StepCompleted(actor="lead", at=at, step=step.id))
    events.append(StepStarted(actor="lead", at=at, step=plan.step[done].id))
    return fold(plan, events), at + after_last


RUNS = {
    "inside its window, slow (unchanged)": (timedelta(0), 5, 1.7, 0 * HOUR),
    "left open 3 days past its window": (timedelta(0), 5, 1.7, 72 * HOUR),
    "started 2 days after its window": (58 * HOUR, 3, 1.5, 24 * HOUR),
    "test plan dated a week back": (timedelta(0), 2, 1.0, 7 * 24 * HOUR),
}


class Counted(Forecaster):
    """The production forecaster, counting its forecasts."""

    made = 0

    def simulate(self, *args, **kwargs):
        Counted.made += 1
        return super().simulate(*args, **kwargs)


def once(state, now, settle) -> tuple[float, int, object]:
    made = forecaster_for("bench")
    forecaster = Counted(made.iterations, made.seed)
    foresight.settle = settle
    Counted.made = 0
    start = time.perf_counter()
    sight = foresight.foresee(state, now, forecaster)
    return time.perf_counter() - start, Counted.made, (sight.level, sight.reason, sight.alarm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    new_settle = foresight.settle
    print(f"{'run':38} {'forecasts old':>13} {'new':>5} {'time old':>9} {'new':>8} {'ratio':>7}")
    for name, spec in RUNS.items():
        times: dict[str, list[float]] = {"old": [], "new": []}
        counts, answers = {}, {}
        for _ in range(args.rounds):
            for label, settle in (("old", old_settle), ("new", new_settle)):
                state, now = run(*spec)  # a fresh state: no cache carried between the two
                spent, counts[label], answers[label] = once(state, now, settle)
                times[label].append(spent)
        foresight.settle = new_settle
        assert answers["old"] == answers["new"], name
        old, new = statistics.median(times["old"]), statistics.median(times["new"])
        print(
            f"{name:38} {counts['old']:>13} {counts['new']:>5} {old:>8.3f}s {new:>7.3f}s "
            f"{old / new:>6.1f}x"
        )


if __name__ == "__main__":
    main()

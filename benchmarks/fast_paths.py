"""What the fold's fast paths (cutover_tui/engine/compact.py) buy, on the night of
benchmarks/engine.py (a generated plan, half its steps done):

    python benchmarks/fast_paths.py [--steps 5000] [--runs 9]

- fold as written (RanStep for a step started then completed, starts held back until the
  next event) against a plain fold (`apply` on each event in turn, as the war room does
  when it opens a run from its source);
- initial_state from the template cached by id(plan) against one rebuilt each time;
- fold then schedule with the template cached (the graph cache in `derived` comes with it)
  against a cold one (template and graph rebuilt), as after a refold of the journal.

Medians of `--runs`, in ms. No timing here is a test.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from engine import half_done, median_time  # noqa: E402
from make_large_plan import make_large_plan  # noqa: E402

from cutover_tui.engine import compact  # noqa: E402
from cutover_tui.engine.schedule import schedule  # noqa: E402
from cutover_tui.engine.state import apply, fold, initial_state  # noqa: E402
from cutover_tui.plan import parse_plan  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    plan = parse_plan(make_large_plan(args.steps)).plan
    events, now = half_done(plan)

    def plain_fold():
        state = initial_state(plan)
        for event in events:
            apply(state, event)
        return state

    def uncached_initial():
        compact._TEMPLATES.pop(id(plan), None)
        return initial_state(plan)

    def cold_recompute():
        compact._TEMPLATES.pop(id(plan), None)
        schedule(fold(plan, events), now)

    assert fold(plan, events).status == plain_fold().status
    rows = [
        ("fold (RanStep, held-back starts)", lambda: fold(plan, events)),
        ("plain fold (apply on each event)", plain_fold),
        ("initial_state, template cached", lambda: initial_state(plan)),
        ("initial_state, template rebuilt", uncached_initial),
        ("fold + schedule, template and graph cached", lambda: schedule(fold(plan, events), now)),
        ("fold + schedule, both rebuilt (cold)", cold_recompute),
    ]
    print(f"{args.steps} steps, {len(events)} events, medians of {args.runs}, ms")
    for name, fn in rows:
        print(f"{name:45} {median_time(fn, args.runs) * 1e3:9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What incidents cost the conductor's tick and the fold, beside the work they sit next to.

    python benchmarks/incidents.py [--incidents 200] [--rounds 7]

1. The conductor's tick: `derived_events` (budgets, triggers, window alerts; and now the
   incidents: opened, escalated, reminded) on the bridge test plan with N open incidents, half
   acknowledged, against the same call on the same run with none. Median of `rounds`.
2. The fold: a night of 5 events per incident (raised, acknowledged, updated, escalated,
   resolved) for N incidents, against folding as many notes (the cheapest event a person adds).

No timing here is a test; the ratios say what incidents add.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cutover_tui.clock.conductor import derived_events  # noqa: E402
from cutover_tui.engine.events import (  # noqa: E402
    IncidentAcknowledged,
    IncidentEscalated,
    IncidentRaised,
    IncidentResolved,
    IncidentUpdated,
    NoteAdded,
    RunStarted,
    StepStarted,
)
from cutover_tui.engine.schedule import schedule  # noqa: E402
from cutover_tui.engine.state import fold  # noqa: E402
from cutover_tui.plan import parse_plan  # noqa: E402
from tests.incident_support import MIDNIGHT, bridge_plan, hm  # noqa: E402

PLAN = parse_plan(bridge_plan(commander_login="cmdr-login"), name="bridge.toml").plan


def base() -> list:
    return [
        RunStarted(actor="cmdr", at=MIDNIGHT, plan_id="bridge", key="go"),
        StepStarted(actor="op", at=hm("00:10"), step="load", key="s"),
    ]


def open_incidents(n: int) -> list:
    out = []
    for i in range(1, n + 1):
        at = hm("00:20") + timedelta(seconds=i)
        out.append(IncidentRaised(actor="op", at=at, severity="sev2", title=f"i{i}", key=f"r{i}"))
        if i % 2:
            out.append(IncidentAcknowledged(actor="res", at=at, incident=i, key=f"a{i}"))
    return out


def whole_lives(n: int) -> list:
    out = []
    for i in range(1, n + 1):
        at = hm("00:20") + timedelta(seconds=i)
        out += [
            IncidentRaised(actor="op", at=at, severity="sev1", title=f"i{i}", key=f"r{i}"),
            IncidentEscalated(
                actor="conductor", at=at, incident=i, level=1, to="lead", key=f"e{i}"
            ),
            IncidentAcknowledged(actor="lead", at=at, incident=i, key=f"a{i}"),
            IncidentUpdated(actor="lead", at=at, incident=i, text="on it", key=f"u{i}"),
            IncidentResolved(actor="lead", at=at, incident=i, resolution="done", key=f"v{i}"),
        ]
    return out


def notes(n: int) -> list:
    at = hm("00:20")
    return [NoteAdded(actor="op", at=at, text=f"n{i}", key=f"n{i}") for i in range(n)]


def median_s(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    n, rounds = args.incidents, args.rounds
    now = hm("00:21")  # every SLA still running: the tick looks, writes nothing

    quiet = fold(PLAN, base())
    busy = fold(PLAN, [*base(), *open_incidents(n)])
    tick_quiet = median_s(lambda: derived_events(quiet, schedule(quiet, now), now), rounds)
    tick_busy = median_s(lambda: derived_events(busy, schedule(busy, now), now), rounds)
    print(
        f"conductor tick, {n} open incidents: {tick_busy * 1e3:.2f} ms against "
        f"{tick_quiet * 1e3:.2f} ms with none (x{tick_busy / tick_quiet:.2f})"
    )
    lives, plain = [*base(), *whole_lives(n)], [*base(), *notes(5 * n)]
    fold_lives = median_s(lambda: fold(PLAN, lives), rounds)
    fold_notes = median_s(lambda: fold(PLAN, plain), rounds)
    print(
        f"fold, {5 * n} incident events: {fold_lives * 1e3:.2f} ms against "
        f"{fold_notes * 1e3:.2f} ms for as many notes (x{fold_lives / fold_notes:.2f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

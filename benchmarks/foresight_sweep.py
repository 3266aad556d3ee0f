"""Re-judge recorded nights with other alarm settings, without replaying them.

    .venv/bin/python benchmarks/foresight.py --set tune --save /tmp/tune.pickle ...
    .venv/bin/python benchmarks/foresight_sweep.py /tmp/tune.pickle [--set tune]
        [--late 0.3,0.4] [--spell 2,4] [--steps 3] [--work 0.1] [--margin 0.1] [--share 0,0.1]

The odds at every tick do not depend on the alarm's settings (late line, spell, margin,
evidence floor, the spell's share of the time left): only when LATE is raised does. Every
combination of the comma-separated values is judged. So the recorded P(in window) and evidence at
each tick are run through the alarm's own state machine (engine.alarm.replay, on the alarm
grid as `settle` does) for each setting, and the done-when table is printed for each.
Exact where every alarm-grid point is a replay tick (the online store: grid 5 min, ticks 1 min;
the ERP move: 30 and 10 min; on 36 tune nights it matched the live alarm on every night); an
approximation for the logistics plan (grid 7.5 min, ticks 2 min: only every 30 minutes is a
grid point seen), where the live run's figures are the ones to quote. Tune on
the tune set only; quote the figures of the chosen setting from a fresh run on the test set.
"""

from __future__ import annotations

import argparse
import itertools
import pickle
import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.foresight_table import FirstLate, done_when_table  # noqa: E402
from cutover_tui.engine import alarm  # noqa: E402


def first_late(
    night,
    late_below: float,
    spell: int,
    steps: int,
    work: float,
    margin: float = alarm.MARGIN,
    share: float = alarm.SPELL_SHARE,
) -> float | None:
    """When the alarm with these settings would first have said LATE on this night."""
    saved = alarm.SPELL_POINTS, alarm.MARGIN, alarm.SPELL_SHARE
    # replay reads the module's settings
    alarm.SPELL_POINTS, alarm.MARGIN, alarm.SPELL_SHARE = spell, margin, share
    try:
        history = []  # grid points before the tick: (moment, p, enough)
        for i, tick in enumerate(night.ticks):
            enough = bool(night.ev_steps[i] >= steps and night.ev_work[i] >= work)
            point = (float(tick), float(night.p_in[i]), enough)
            late, *_ = alarm.replay([*history, point], late_below, night.deadline, night.grid)
            if late:
                return float(tick)
            if abs(tick / night.grid - round(tick / night.grid)) < 1e-9:
                history.append(point)
                if point[1] >= late_below + alarm.MARGIN:
                    history = [point]  # the state machine restarts from a cleared point
        return None
    finally:
        alarm.SPELL_POINTS, alarm.MARGIN, alarm.SPELL_SHARE = saved


def rejudged(setting: tuple) -> FirstLate:
    """The table's first LATE with the foresight's re-judged under `setting` (first_late's
    arguments after the night), worked out once per night; other methods' as recorded."""
    cached: dict[int, float | None] = {}

    def ours(night, method):
        if method != "foresight":
            return night.first_late[method]
        if id(night) not in cached:
            cached[id(night)] = first_late(night, *setting)
        return cached[id(night)]

    return ours


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("saved")
    parser.add_argument("--set", default="tune")
    parser.add_argument("--late", default="0.3,0.4,0.5")
    parser.add_argument("--spell", default="2,4")
    parser.add_argument("--steps", default="3")
    parser.add_argument("--work", default="0.1")
    parser.add_argument("--margin", default=str(alarm.MARGIN))
    parser.add_argument("--share", default=str(alarm.SPELL_SHARE), help="alarm.SPELL_SHARE")
    args = parser.parse_args()
    with open(args.saved, "rb") as f:
        nights = [SimpleNamespace(**n) for n in pickle.load(f)[args.set]]
    plans = list(dict.fromkeys(n.plan for n in nights))
    floats = lambda text: [float(x) for x in text.split(",")]  # noqa: E731
    for setting in itertools.product(
        floats(args.late),
        [int(x) for x in floats(args.spell)],
        [int(x) for x in floats(args.steps)],
        floats(args.work),
        floats(args.margin),
        floats(args.share),
    ):
        late, spell, steps, work, margin, share = setting
        print(
            f"\n-- late below {late:.0%}, spell {spell}, {steps} steps, {work:.0%} work,"
            f" margin {margin:.0%}, spell >= {share:.0%} of the time left"
        )
        print("\n".join(done_when_table(nights, plans, rejudged(setting))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

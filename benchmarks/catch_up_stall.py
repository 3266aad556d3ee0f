"""The UI thread's lateness while "Since you last looked" is worked out (issue 14).

    .venv/bin/python benchmarks/catch_up_stall.py --run RUN.db [--seconds 20] [--back 50]

The war room of `cutover follow` (war_room_parts, its real journal, the app under Textual's
pilot at 160x48) is opened twice in this process on the same run: first as a login that saw
the whole log (no catch-up: the baseline), then as one that last looked `--back` events ago
(the catch-up worked out in its daemon thread, tui/catch_up_news.py). From the first whole
frame for `--seconds`, a probe on the App's event loop asks to be woken every 10 ms and
records how late it was: the clock and the keys wait that long. Printed per mode: the
lateness's p50, p99 and max, how many wakes were over 50 ms, when the first odds and the
toast came (seconds after the first frame), the load average; and the p99 ratio.
Each login's look is recorded in a state directory of its own (CUTOVER_STATE, a temporary one).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CUTOVER_FACTS_REFRESH", "0")
os.environ.setdefault("CUTOVER_DO_SERVER", "0")

TOAST = "Since you last looked"


def look(run: Path, back: int) -> None:
    """Remember this login's last look at `back` events before the log's end, in a state
    directory of its own (a look is never moved back)."""
    from cutover_tui.journal import seen

    os.environ["CUTOVER_STATE"] = tempfile.mkdtemp(prefix="catch-up-stall-")

    db = sqlite3.connect(run)
    last = db.execute("SELECT max(seq) FROM events").fetchone()[0]
    digest = db.execute("SELECT hash FROM events WHERE seq = ?", (last - back,)).fetchone()[0]
    run_id = db.execute("SELECT value FROM meta WHERE key = 'run_id'").fetchone()[0]
    db.close()
    seen.remember(run_id, run, last - back, digest)


async def lateness(run: Path, seconds: float) -> dict[str, float | None]:
    from cutover_tui.cli.warroom_commands import war_room_parts
    from cutover_tui.journal.store import Journal

    parts = war_room_parts(Journal(run), read_only=True)
    app = parts.app_class(parts.source, parts.clock, **parts.options)
    app.catch_up_later = parts.catch_up_later
    async with app.run_test(size=(160, 48)) as pilot:
        while app.frame is None or app._warming is not None:
            await pilot.pause(0.05)
        began = time.perf_counter()
        late: list[float] = []
        odds_at = toast_at = None
        while (now := time.perf_counter()) < began + seconds:
            await asyncio.sleep(0.01)
            late.append(time.perf_counter() - now - 0.01)
            if odds_at is None and app.odds.sight is not None:
                odds_at = time.perf_counter() - began
            if toast_at is None and any(n.title == TOAST for n in app._notifications):
                toast_at = time.perf_counter() - began
    late.sort()
    return {
        "p50": late[len(late) // 2],
        "p99": late[int(len(late) * 0.99)],
        "max": late[-1],
        "over50": float(sum(x > 0.05 for x in late)),
        "odds": odds_at,
        "toast": toast_at,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--back", type=int, default=50)
    opts = parser.parse_args()
    run = Path(opts.run)
    results = {}
    for mode, back in (("no catch-up", 0), ("catch-up", opts.back)):
        look(run, back)
        got = asyncio.run(lateness(run, opts.seconds))
        results[mode] = got
        when = {k: "-" if got[k] is None else f"{got[k]:.1f} s" for k in ("odds", "toast")}
        print(
            f"{mode:12} lateness p50 {got['p50']:.3f} p99 {got['p99']:.3f} max {got['max']:.3f}"
            f" s, >50 ms {int(got['over50'])}; odds {when['odds']}, toast {when['toast']};"
            f" load {os.getloadavg()[0]:.2f}",
            flush=True,
        )
    base, with_it = results["no catch-up"]["p99"], results["catch-up"]["p99"]
    print(f"p99 ratio catch-up / none: {with_it / max(base, 1e-4):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

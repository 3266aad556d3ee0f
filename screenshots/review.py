"""Write the README's review example: a simulated night of plans/online-store.toml played
through a real journal, what came after it, `cutover report`, and a headless Chromium
screenshot of the HTML.

    python screenshots/review.py [--seed 7] [--no-shot]

Writes screenshots/review-online-store.md, .html and .png. Deterministic for a seed except
the run id and the moment the journal records (a fresh run each time). Chromium is Debian's
(/usr/bin/chromium), run headless with no network features; the page fetches nothing.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cutover_tui.cli.report_calibration import calibration_rows  # noqa: E402
from cutover_tui.engine import events as ev  # noqa: E402
from cutover_tui.journal.identity import os_login  # noqa: E402
from cutover_tui.journal.store import Journal  # noqa: E402
from cutover_tui.plan import load_plan  # noqa: E402
from cutover_tui.rehearse.simulate import SimulatedNight  # noqa: E402
from cutover_tui.report.write import write_review  # noqa: E402
from cutover_tui.tui.source import MemoryRun  # noqa: E402

OUT = ROOT / "screenshots"
PLAN = ROOT / "plans" / "online-store.toml"


def night(seed: int, slowness: float = 1.15) -> list[ev.Event]:
    plan = load_plan(PLAN).plan
    start = ev.RunStarted(actor="alice", at=plan.window.start, plan_id=plan.plan.id, key="go")
    memory = MemoryRun(plan, "alice", [start])
    drawn = SimulatedNight(plan, seed=seed, slowness=slowness, failure_rate=0.0, commander="alice")
    for event in drawn.due(memory._state, plan.window.end + timedelta(hours=6)):
        memory.submit(event)
    return memory._events


def after(end) -> list[ev.Event]:
    """The days after: validation (one measure out of tolerance, then fixed), access closed
    but one, the handover, the runbook, review remarks."""

    def at(hours: float):
        return end + timedelta(hours=hours)

    V = ev.ValidationRecorded
    return [
        V(actor="qa", at=at(0.5), check="checkout-works", passed=True, note="order 100231"),
        V(actor="dev", at=at(1), check="checkout-p95", value=1140, note="cold caches"),
        V(actor="dev", at=at(3), check="checkout-p95", value=860, note="after warm-up"),
        V(actor="dev", at=at(1.2), check="search-p95", value=310),
        V(actor="dba", at=at(2), check="sku-count", value=48000),
        V(actor="dba", at=at(2.5), check="order-totals", value=12.4, note="rounding on VAT"),
        ev.AccessClosed(actor="ops", at=at(2), access="legacy-dba-sudo", note="sudoers reverted"),
        ev.AccessClosed(actor="ops", at=at(20), access="vendor-vpn", note="account disabled"),
        ev.HandoverAccepted(actor="bob", at=at(6), note="service desk briefed; rota set"),
        ev.NoteAdded(actor="qa", at=at(8), kind="review", remark="went-well",
                     text="The smoke tests caught the VAT rounding before customers did"),
        ev.NoteAdded(actor="dev", at=at(9), kind="review", remark="to-change",
                     text="Warm the platform's caches before go-live, not after"),
        ev.NoteAdded(actor="dba", at=at(9.5), kind="review", remark="process-gap",
                     text="No rehearsal ran on the full order history"),
    ]  # fmt: skip


def rehearsals(folder: Path, loaded) -> None:
    """The plan's rehearsals before the night, some slow enough to miss the window: what the
    review's table of the odds' reliability is worked out from (cli/report_calibration.py)."""
    for seed, slowness in enumerate((0.95, 1.05, 1.15, 1.3, 1.45, 1.6), start=100):
        journal = Journal.create(folder, loaded, rehearsal=True, created_by=os_login())
        events = night(seed, slowness)
        later = events[-1].at + timedelta(days=1)
        for event in events:
            key = event.key or f"{event.type}-{event.seq or id(event)}"
            journal.append(event.model_copy(update={"seq": 0, "key": key}), now=lambda t=later: t)
        journal.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-shot", action="store_true", help="skip the Chromium screenshot")
    args = parser.parse_args()
    loaded = load_plan(PLAN)
    with tempfile.TemporaryDirectory() as tmp:
        rehearsals(Path(tmp), loaded)
        journal = Journal.create(Path(tmp), loaded, rehearsal=False, created_by=os_login())
        events = night(args.seed)
        end = events[-1].at
        later = end + timedelta(days=2)  # recorded after it all: nothing is "in the future"
        for event in [*events, *after(end)]:
            key = event.key or f"{event.type}-{event.seq or id(event)}"
            journal.append(event.model_copy(update={"seq": 0, "key": key}), now=lambda: later)
        written = write_review(
            journal.plan,
            journal.events(),
            journal.run_id,
            end + timedelta(hours=26),
            Path(tmp),
            calibration=calibration_rows(journal),  # as `cutover report` fills it
        )
        for path in written:
            target = OUT / f"review-online-store{path.suffix}"
            shutil.copy(path, target)
            print(f"wrote {target}")
    if not args.no_shot:
        shot = OUT / "review-online-store.png"
        subprocess.run(
            ["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--no-first-run", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={tempfile.mkdtemp()}", f"--screenshot={shot}",
             "--window-size=1280,2000", (OUT / "review-online-store.html").as_uri()],
            check=True, capture_output=True,
        )  # fmt: skip
        print(f"wrote {shot}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What the starter's claim on the lease adds to each conductor heartbeat.

    python benchmarks/lease_claim.py [--rounds 2000]

On a started run of the bundled plans/shop-smoke-checks.toml (SQLite, in a temporary
directory): the baseline is `acquire_or_renew` renewing its own lease, as every heartbeat did
before; beside it, the heartbeat's lease step now (`CheckClaim.runs_checks`, then the renewal
with its answer), once in a process whose login started the run (it runs checks) and once in
one whose login did not (a follower's judgment is made once, then costs nothing). Medians of
`rounds`; no timing here is a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cutover_tui.clock.check_claim import CheckClaim  # noqa: E402
from cutover_tui.engine.events import RunStarted  # noqa: E402
from cutover_tui.journal.identity import os_login  # noqa: E402
from cutover_tui.journal.lease import acquire_or_renew  # noqa: E402
from cutover_tui.journal.store import Journal  # noqa: E402
from cutover_tui.plan import parse_plan  # noqa: E402


def medians_us(a, b, rounds: int) -> tuple[float, float]:
    """Medians of `a` and `b`, run in turns (so a warming cache or a busy neighbour weighs
    on both alike)."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for fn, out in ((a, times[0]), (b, times[1])):
            began = time.perf_counter()
            fn()
            out.append((time.perf_counter() - began) * 1e6)
    return statistics.median(times[0]), statistics.median(times[1])


def started(directory: Path, starter_login: str) -> Journal:
    text = (ROOT / "plans" / "shop-smoke-checks.toml").read_text()
    text = text.replace('name = "Alice Ng"\n', f'name = "Alice Ng"\nuser = "{starter_login}"\n')
    loaded = parse_plan(text, "shop.toml")
    journal = Journal.create(directory, loaded, rehearsal=True, created_by=os_login())
    start = loaded.plan.window.start
    journal.append(RunStarted(actor="alice", at=start, plan_id=loaded.plan.plan.id, key="go"))
    return journal


def measure(journal: Journal, holder: str, rounds: int) -> tuple[float, float, bool]:
    """(renewal alone, the claim and the renewal, whether it runs checks) for `holder`."""
    claim, wall = CheckClaim(), [1000.0]

    def bare() -> None:
        wall[0] += 0.5
        acquire_or_renew(journal, holder, wall[0])

    def claimed() -> None:
        wall[0] += 0.5
        acquire_or_renew(journal, holder, wall[0], runs_checks=claim.runs_checks(journal))

    base, now = medians_us(bare, claimed, rounds)
    return base, now, claim.runs_checks(journal)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as tmp:
        for who, login in (("holder, the starter", os_login()), ("follower", "someone-else")):
            journal = started(Path(tmp) / who.split(",")[0], login)
            if who == "follower":  # another conductor holds it, live: the follower only looks
                journal.db.execute("INSERT INTO lease VALUES (1, 'them', 1, 'h', 9e9, 9e9)")
                journal.db.commit()
            base, now, runs = measure(journal, "me", rounds)
            print(
                f"{who} (runs checks: {runs}): lease step {base:.0f} us, with the claim "
                f"{now:.0f} us ({now / base:.2f}x)"
            )
            journal.close()


if __name__ == "__main__":
    main()

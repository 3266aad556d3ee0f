"""What the adopt's re-check costs on the UI thread (journal/fold_recheck.py; issue 14).

    .venv/bin/python benchmarks/fold_recheck.py --steps 20000 [--run RUN.db] [--repeat 5]

The open on the UI thread adopts the boot worker's fold only after walking every row it
folded again (read and hash, nothing parsed). Printed: the walk's time (median of --repeat,
wall and the thread's CPU), the rows walked, and beside it, in the same process, the whole
fold the worker spared the UI thread (`Journal.state()` on a fresh connection), with the
ratio. Without --run a run is written as benchmarks/app_real.py writes its cases (half its
night played), which takes a while at 20,000 steps.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def timed(work) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.thread_time()
    work()
    return time.perf_counter() - wall, time.thread_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="20000")
    parser.add_argument("--run", help="an existing run file (else one is written)")
    parser.add_argument("--repeat", type=int, default=5)
    opts = parser.parse_args()
    from cutover_tui.journal.fold_recheck import holds_fold
    from cutover_tui.journal.store import Journal

    if opts.run:
        path = Path(opts.run)
    else:
        import app_real

        path = app_real.write_run(opts.steps, Path(tempfile.mkdtemp(prefix="recheck-")))[0]
    journal = Journal(path)
    logged, head = journal.head  # the whole fold once (also what the worker makes)
    walks, folds = [], []
    for _ in range(opts.repeat):
        walks.append(timed(lambda: holds_fold(journal.db, logged, head)))
        fresh = Journal(path)
        folds.append(timed(fresh.state))
        fresh.close()
    assert holds_fold(journal.db, logged, head)
    journal.close()
    walk = statistics.median(w for w, _ in walks), statistics.median(c for _, c in walks)
    fold = statistics.median(w for w, _ in folds), statistics.median(c for _, c in folds)
    print(f"run {path.name}: {logged} rows, load average {os.getloadavg()[0]:.2f}")
    print(f"re-check (read and hash):  {walk[0]:.3f} s wall, {walk[1]:.3f} s CPU")
    print(f"whole fold (the baseline): {fold[0]:.3f} s wall, {fold[1]:.3f} s CPU")
    print(f"ratio re-check / fold: {walk[0] / fold[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

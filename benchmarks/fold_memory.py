"""What folding a long run costs one process: the journal's compact fold against the old way.

    .venv/bin/python benchmarks/fold_memory.py

A run of the 320-step plan with its night half played and the rest of 100,000 events as
notes (benchmarks/app_real.py's 100k-event run), then, each in a fresh process, on the same file:
- compact: `Journal(path).state()` as the trust guard folds it now (journal/folding.py: every
  link checked, notes folded from their columns, nothing kept but the state);
- baseline: every row parsed into an event and folded, the events kept (what each of the war
  room's three connections did before: `fold(plan, parse_rows(rows))`, links checked alike).
Each is run twice: timed, with its resident memory; then under tracemalloc, for the Python
memory it keeps afterwards and its peak. The ratio is what to compare between machines.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def child(how: str, path: str, trace: bool) -> dict:
    from cutover_tui.engine.fold import fold
    from cutover_tui.journal.store import Journal, chain, parse_rows

    journal = Journal(Path(path))
    if trace:  # a second run: tracemalloc slows the fold several times over
        tracemalloc.start()
    began = time.perf_counter()
    if how == "compact":
        kept: object = journal.state()
    else:
        rows = journal.db.execute("SELECT seq, body, prev, hash FROM events ORDER BY seq")
        head, pairs = "0" * 64, []
        for seq, body, prev, digest in rows:
            assert prev == head and chain(prev, body) == digest
            head = digest
            pairs.append((seq, body))
        events = parse_rows(pairs)
        kept = (fold(journal.plan, events), events)
    seconds = time.perf_counter() - began
    held, peak = tracemalloc.get_traced_memory()
    rss = next(
        int(line.split()[1]) / 1024
        for line in Path("/proc/self/status").read_text().splitlines()
        if line.startswith("VmRSS:")
    )
    assert kept is not None
    return {"s": seconds, "held_mb": held / 2**20, "peak_mb": peak / 2**20, "rss_mb": rss}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=["compact", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        print(json.dumps(child(opts.child, opts.run, opts.trace)))
        return 0
    import app_real

    with tempfile.TemporaryDirectory(prefix="cutover-fold-") as tmp:
        path, _, count = app_real.write_run("100k-events", Path(tmp))
        out = {}
        for how in ("baseline", "compact"):
            timed, traced = (
                json.loads(
                    subprocess.run(
                        [sys.executable, __file__, "--child", how, "--run", str(path), *flag],
                        check=True,
                        capture_output=True,
                        text=True,
                    ).stdout
                )
                for flag in ([], ["--trace"])
            )
            out[how] = {**traced, "s": timed["s"], "rss_mb": timed["rss_mb"]}
    base, new = out["baseline"], out["compact"]
    print(f"a run of {count:,} events; each fold in a fresh process")
    print(f"{'':26}{'baseline':>10}{'compact':>10}{'ratio':>8}")
    for name, key, fmt in (
        ("fold (s)", "s", "{:.2f}"),
        ("kept after (MB, traced)", "held_mb", "{:.1f}"),
        ("peak (MB, traced)", "peak_mb", "{:.1f}"),
        ("resident (MB)", "rss_mb", "{:.0f}"),
    ):
        ratio = new[key] / base[key] if base[key] else float("nan")
        print(f"{name:26}{fmt.format(base[key]):>10}{fmt.format(new[key]):>10}{ratio:>7.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

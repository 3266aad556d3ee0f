"""Locked mode's cost: a command through `cutover service`'s socket beside the same command
appended to the file directly (shared-file mode), and a follower's wake-up on news.

    python benchmarks/locked.py [--events 300] [--dir DIR]

- direct: `Journal.append` in this process (BEGIN IMMEDIATE, checks, chain, synchronous=FULL);
- socket: `LockedJournal.append` to a `cutover service` subprocess doing the same append, plus
  SO_PEERCRED, the guard, one JSON line each way;
- follower: from an append's reply to a follower blocked in a long poll (`events` with
  `wait`) having the event, median and worst of 50.

Per-append latencies p50/p99 and the socket/direct ratio. Compare the ratio, not the numbers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cutover_tui.engine.events import NoteAdded  # noqa: E402
from cutover_tui.locked.client import LockedClient, LockedJournal  # noqa: E402
from tests.journal_support import new_run  # noqa: E402


def note(i: int, tag: str) -> NoteAdded:
    return NoteAdded(actor="boss", at=datetime.now(UTC), text=f"note {i}", key=f"{tag}-{i}")


def timed(append, events: int, tag: str) -> list[float]:
    out = []
    for i in range(events):
        began = time.perf_counter()
        append(note(i, tag))
        out.append(time.perf_counter() - began)
    return out


def serve(runs: Path, sock: Path) -> subprocess.Popen:
    env = {**os.environ, "CUTOVER_CONFIG": str(runs.parent / "none.toml")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cutover_tui.cli",
            "service",
            "--runs",
            str(runs),
            "--socket",
            str(sock),
        ],
        env=env,
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    while True:  # until it accepts
        with socket.socket(socket.AF_UNIX) as probe:
            try:
                probe.connect(str(sock))
                return process
            except OSError:
                time.sleep(0.05)


def follower_wake(journal: LockedJournal, follower: LockedJournal, rounds: int = 50) -> list[float]:
    out = []
    seen = follower.state().last_seq
    for i in range(rounds):
        got: list = []

        def wait(got: list = got, after: int = seen) -> None:
            got.extend(follower.events_after(after, wait=10))

        waiting = threading.Thread(target=wait)
        waiting.start()
        time.sleep(0.02)  # the follower is in its long poll before the news comes
        stored = journal.append(note(i, "wake"))
        acked = time.perf_counter()
        waiting.join()
        out.append(time.perf_counter() - acked)
        seen = stored.seq
    return out


def ms(values: list[float], q: float) -> str:
    return f"{statistics.quantiles(values, n=100)[int(q) - 1] * 1000:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(dir=args.dir))
    runs = base / "runs"
    journal = new_run(runs, steps=3)
    direct = timed(journal.append, args.events, "direct")
    sock = base / "c.sock"
    process = serve(runs, sock)
    try:
        locked = LockedJournal(LockedClient(sock), journal.run_id)
        through = timed(locked.append, args.events, "socket")
        wake = follower_wake(locked, LockedJournal(LockedClient(sock), journal.run_id))
    finally:
        process.terminate()
        process.wait()
        shutil.rmtree(base, ignore_errors=True)
    print(f"{args.events} appends each, {base}")
    print(f"direct (shared-file)  p50 {ms(direct, 50)}  p99 {ms(direct, 99)}")
    print(f"socket (locked)       p50 {ms(through, 50)}  p99 {ms(through, 99)}")
    ratio = statistics.median(through) / statistics.median(direct)
    print(f"socket / direct median: {ratio:.2f}x")
    print(
        f"follower wake after an ack: median {statistics.median(wake) * 1000:.2f} ms, "
        f"worst {max(wake) * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()

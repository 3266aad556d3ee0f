"""Journal latency, throughput, rebuild and follower notice, beside raw SQLite on the same disk.

    python benchmarks/journal.py [--events 2000] [--writers 4] [--rebuild 100000] [--dir DIR]

(--dir: measure on the disk of the runs directory, e.g. the jump host's; default: a temp dir)

- one writer: checked appends (BEGIN IMMEDIATE, catch-up, check, hash chain, synchronous=FULL
  commit, one transaction per command, as the war room does it): p50 and p99 latency, and
  appends per second;
- rebuild: the time to open a run of 100k events and fold its state from scratch (what a
  war room started mid-night does);
- several writer processes appending to one run at once;
- follower latency: from a commit in one process to another process seeing it through
  `PRAGMA data_version` polling every 20 ms (median and worst of 50);
- trust on the rebuilt run: the guard `status`/`do`/`run`/`follow` pass (open, fold with
  every link checked, seal, triggers, high-water mark, memory of heads), the full
  `cutover verify` (integrity check, chain, seal, every event replayed through the rules),
  and one checked append on it, each as a ratio to the rebuild and to a fresh run's append;
- the baseline: plain INSERTs of the same JSON bodies into a WAL table with the same
  synchronous=FULL, one transaction each, no checks, in the same process.

Figures are per second on this machine; compare the ratios, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cutover_tui.engine.events import (  # noqa: E402
    NoteAdded,
    StepCompleted,
    StepStarted,
    dump_event,
)
from cutover_tui.journal.store import Journal, _immediate, chain  # noqa: E402
from cutover_tui.journal.trust import guard, verify_run  # noqa: E402
from tests.journal_support import at, new_run  # noqa: E402

CTX = multiprocessing.get_context("spawn")
ROUNDS = 5


def note(i: int, prefix: str = "n") -> NoteAdded:
    return NoteAdded(actor="boss", at=at(1), text=f"note {i}", key=f"{prefix}-{i}")


def one_writer(directory: Path, n: int) -> tuple[float, list[float]]:
    journal = new_run(directory)
    latencies = []
    start = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        journal.append(note(i))
        latencies.append(time.perf_counter() - t0)
    return n / (time.perf_counter() - start), latencies


def rebuild(directory: Path, n: int) -> float:
    """Seconds to open a run of `n` events and fold it (the rows bulk-written, chain intact)."""
    journal = new_run(directory, steps=1000)
    head = journal.verify()[1]
    events = []
    for i in range(1000):
        events.append(StepStarted(actor="boss", at=at(1), step=f"s{i}", key=f"st{i}"))
        events.append(StepCompleted(actor="boss", at=at(9), step=f"s{i}", key=f"co{i}"))
    events += [note(i, prefix="r") for i in range(n - len(events) - 1)]
    with _immediate(journal.db):
        for event in events:
            body = dump_event(event)
            digest = chain(head, body)
            journal.db.execute(
                "INSERT INTO events (key, type, actor, body, prev, hash) VALUES (?, ?, ?, ?, ?, ?)",
                (event.key, event.type, event.actor, body, head, digest),
            )
            head = digest
    start = time.perf_counter()
    state = Journal(journal.path).state()
    elapsed = time.perf_counter() - start
    assert state.event_count == n
    return elapsed


def trust(directory: Path) -> dict[str, float]:
    """Seconds for the guard, the full verify, and a checked append on the rebuilt run."""
    path = next(directory.glob("*.db"))
    start = time.perf_counter()
    journal = Journal(path)
    assert guard(journal) is None
    guarded = time.perf_counter() - start
    start = time.perf_counter()
    assert verify_run(journal).ok
    verified = time.perf_counter() - start
    appends = []
    for i in range(20):
        t0 = time.perf_counter()
        journal.append(note(i, prefix="t"))
        appends.append(time.perf_counter() - t0)
    return {"guard": guarded, "verify": verified, "append": statistics.median(appends)}


def raw_fold_baseline(directory: Path, n: int) -> float:
    """The same rows read back and json-decoded, no validation or fold: the floor."""
    import json

    db = sqlite3.connect(next(directory.glob("*.db")))
    start = time.perf_counter()
    for (body,) in db.execute("SELECT body FROM events"):
        json.loads(body)
    return time.perf_counter() - start


def baseline(directory: Path, n: int) -> float:
    db = sqlite3.connect(directory / "raw.db", isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY, key TEXT UNIQUE, body TEXT)")
    bodies = [(e.key, dump_event(e)) for e in (note(i) for i in range(n))]
    start = time.perf_counter()
    for key, body in bodies:
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO events (key, body) VALUES (?, ?)", (key, body))
        db.execute("COMMIT")
    return n / (time.perf_counter() - start)


def _append_many(path: str, worker: int, n: int, go) -> None:
    journal = Journal(Path(path))
    go.wait()
    for i in range(n):
        journal.append(note(i, prefix=f"w{worker}"))


def many_writers(directory: Path, n: int, writers: int) -> float:
    journal = new_run(directory)
    go = CTX.Event()
    procs = [
        CTX.Process(target=_append_many, args=(str(journal.path), w, n // writers, go))
        for w in range(writers)
    ]
    for p in procs:
        p.start()
    time.sleep(1.0)  # let every process import and open the run
    start = time.perf_counter()
    go.set()
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - start
    total = Journal(journal.path).verify()[2] - 1
    return total / elapsed


def _commit_later(path: str, rounds: int, stamps) -> None:
    journal = Journal(Path(path))
    for i in range(rounds):
        time.sleep(0.1)
        stamp = time.perf_counter()
        journal.append(note(i, prefix="late"))
        stamps.put(stamp)


def follower_latency(directory: Path, rounds: int = 50) -> tuple[float, float]:
    journal = new_run(directory)
    follower = Journal(journal.path)
    seen_seq = follower.events()[-1].seq
    stamps = CTX.Queue()
    writer = CTX.Process(target=_commit_later, args=(str(journal.path), rounds, stamps))
    version = follower.data_version()
    writer.start()
    latencies: list[float] = []
    while len(latencies) < rounds:
        current = follower.data_version()
        if current != version:
            version = current
            new = follower.events_after(seen_seq)
            now = time.perf_counter()
            for event in new:
                latencies.append(now - stamps.get(timeout=10))
                seen_seq = event.seq
        time.sleep(0.02)
    writer.join()
    return statistics.median(latencies), max(latencies)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--rebuild", type=int, default=100_000, help="events in the rebuild run")
    parser.add_argument("--dir", default=None, help="where to make the runs (default: temp)")
    parser.add_argument(
        "--postgres", default=None, metavar="URL", help="also a run in PostgreSQL (journal_pg.py)"
    )
    parser.add_argument("--only-follow", action="store_true", help="follower notice only")
    args = parser.parse_args()
    if args.only_follow:  # the two backends' follower figures alone, in a few seconds
        with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
            median, worst = follower_latency(Path(tmp))
        print(
            f"SQLite follower notice (data_version every 20 ms): median {median * 1000:.0f} ms, "
            f"worst {worst * 1000:.0f} ms"
        )
        if args.postgres:
            from benchmarks.journal_pg import report

            report(args.postgres)
        return 0
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        base = Path(tmp)
        # Interleaved rounds of the baseline and the journal: this disk's fsync time drifts
        # by 50x from one minute to the next, so each ratio compares neighbours.
        raws, singles, latencies = [], [], []
        per_round = max(50, args.events // ROUNDS)
        for r in range(ROUNDS):
            (base / f"raw{r}").mkdir()
            raws.append(baseline(base / f"raw{r}", per_round))
            (base / f"one{r}").mkdir()
            rate, lat = one_writer(base / f"one{r}", per_round)
            singles.append(rate)
            latencies += lat
        raw, single = statistics.median(raws), statistics.median(singles)
        (base / "many").mkdir()
        many = many_writers(base / "many", args.events, args.writers)
        (base / "follow").mkdir()
        median, worst = follower_latency(base / "follow")
        (base / "rebuild").mkdir()
        rebuilt = rebuild(base / "rebuild", args.rebuild)
        floor = raw_fold_baseline(base / "rebuild", args.rebuild)
        trusted = trust(base / "rebuild")
    disk = args.dir or tempfile.gettempdir()
    print(f"{args.events} events, {args.writers} writer processes, disk {disk}")
    print(f"{'':34}{'per second':>12}{'vs raw':>9}")
    print(f"{'raw SQLite insert (baseline)':34}{raw:12.0f}{1.0:9.2f}   median of {ROUNDS} rounds")
    print(f"{'journal append, one writer':34}{single:12.0f}{single / raw:9.2f}")
    print(
        f"{'journal append, ' + str(args.writers) + ' processes':34}{many:12.0f}{many / raw:9.2f}"
    )
    ordered = sorted(latencies)
    p50 = ordered[len(ordered) // 2] * 1000
    p99 = ordered[int(len(ordered) * 0.99)] * 1000
    print(f"append latency, one writer: p50 {p50:.1f} ms, p99 {p99:.1f} ms (target p99 < 20 ms)")
    print(
        f"rebuild {args.rebuild} events: {rebuilt:.2f} s (target < 1 s); reading and decoding "
        f"the same rows alone: {floor:.2f} s (ratio {rebuilt / floor:.1f})"
    )
    print(
        f"trust on {args.rebuild} events: open and guard {trusted['guard']:.2f} s "
        f"({trusted['guard'] / rebuilt:.2f}x the rebuild, which checks every link), full verify "
        f"{trusted['verify']:.2f} s ({trusted['verify'] / rebuilt:.1f}x the rebuild, "
        f"{trusted['verify'] / floor:.1f}x the decode floor), one checked append "
        f"{trusted['append'] * 1000:.1f} ms ({trusted['append'] * 1000 / p50:.2f}x a fresh "
        "run's p50)"
    )
    print(
        f"follower notice: median {median * 1000:.0f} ms, worst {worst * 1000:.0f} ms "
        "(target < 500 ms)"
    )
    if args.postgres:
        from benchmarks.journal_pg import report

        report(args.postgres)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

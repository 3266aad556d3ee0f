"""The PostgreSQL half of benchmarks/journal.py (`--postgres URL`): what a follower in another
process waits from a commit to reading it, through the journal (a checked append, the
AFTER INSERT trigger's NOTIFY, `wait_for_change` on the LISTEN connection, `read_after` with
every link checked), beside the bare round trip on the same server in the same run: one
psycopg INSERT + NOTIFY committed, another process's LISTEN woken by it. Also the checked
append's own latency, beside a bare INSERT committed.
"""

from __future__ import annotations

import multiprocessing
import select
import statistics
import time
import uuid

import psycopg

from cutover_tui.engine.events import NoteAdded
from cutover_tui.journal.backend import open_at
from tests.journal_support import at, new_run

CTX = multiprocessing.get_context("spawn")


def _note(i: int) -> NoteAdded:
    return NoteAdded(actor="boss", at=at(1), text=f"note {i}", key=f"pg-{i}")


def _journal_follower(locator: str, rounds: int, ready, seen) -> None:
    journal = open_at(locator)
    last = journal.events()[-1].seq
    journal.data_version()  # listening before ready
    ready.set()
    while rounds:
        if journal.wait_for_change(5.0):
            for event in journal.read_after(last):
                seen.put(time.perf_counter())
                last, rounds = event.seq, rounds - 1


def _bare_listener(url: str, channel: str, rounds: int, ready, seen) -> None:
    conn = psycopg.connect(url, autocommit=True)
    conn.execute(f'LISTEN "{channel}"')
    ready.set()
    while rounds:
        select.select([conn.fileno()], [], [], 5.0)
        conn.pgconn.consume_input()
        while conn.pgconn.notifies() is not None:
            seen.put(time.perf_counter())
            rounds -= 1


def _timed(target, args: tuple, send, rounds: int) -> list[float]:
    ready, seen = CTX.Event(), CTX.Queue()
    process = CTX.Process(target=target, args=(*args, rounds, ready, seen))
    process.start()
    ready.wait(60)
    out = []
    for i in range(rounds):
        time.sleep(0.05)  # a benchmark: one commit at a time, the follower idle between
        sent = time.perf_counter()
        send(i)
        out.append(seen.get(timeout=30) - sent)
    process.join(30)
    return out


def measure(url: str, rounds: int = 50) -> dict[str, list[float]]:
    journal = new_run(url)
    appends: list[float] = []

    def append(i: int) -> None:
        start = time.perf_counter()
        journal.append(_note(i))
        appends.append(time.perf_counter() - start)

    follow = _timed(_journal_follower, (journal.locator,), append, rounds)
    channel = f"bench_{uuid.uuid4().hex[:8]}"
    bare = psycopg.connect(url, autocommit=True)
    bare.execute(f"CREATE TABLE {channel} (seq BIGINT PRIMARY KEY, body TEXT NOT NULL)")
    inserts: list[float] = []

    def insert(i: int) -> None:
        start = time.perf_counter()
        with bare.transaction():
            bare.execute(f"INSERT INTO {channel} VALUES (%s, %s)", (i, "x" * 200))
            bare.execute(f'NOTIFY "{channel}"')
        inserts.append(time.perf_counter() - start)

    notify = _timed(_bare_listener, (url, channel), insert, rounds)
    bare.execute(f"DROP TABLE {channel}")
    return {"follow": follow, "notify": notify, "append": appends, "insert": inserts}


def report(url: str, rounds: int = 50) -> None:
    figures = measure(url, rounds)

    def ms(name: str) -> str:
        values = figures[name]
        return (
            f"median {statistics.median(values) * 1000:.1f} ms, worst {max(values) * 1000:.1f} ms"
        )

    follow = statistics.median(figures["follow"])
    notify = statistics.median(figures["notify"])
    append = statistics.median(figures["append"])
    insert = statistics.median(figures["insert"])
    print(f"PostgreSQL, {rounds} rounds each, the same server in the same run:")
    print(f"  follower notice (journal, LISTEN/NOTIFY): {ms('follow')} (target < 500 ms)")
    print(
        f"  bare INSERT + NOTIFY round trip (psycopg): {ms('notify')}; ratio {follow / notify:.1f}"
    )
    print(
        f"  checked append: {ms('append')}; bare INSERT committed: {ms('insert')}; "
        f"ratio {append / insert:.1f}"
    )

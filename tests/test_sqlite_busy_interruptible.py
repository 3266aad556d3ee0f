"""A write waiting for another writer can be interrupted (journal/sqlite_io.begin_immediate):
Python runs between short waits, so Ctrl-C's KeyboardInterrupt (any signal handler) acts
at once, not after SQLite's whole busy timeout in C (a Ctrl-C test took 18 s under load,
2026-12-02). Real SQLite files, a real lock holder, a real signal."""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
import threading
from pathlib import Path

import pytest

from cutover_tui.journal.sqlite_io import begin_immediate
from tests.waiting import until

BUSY_MS = 120_000  # the connection's busy timeout: far beyond the holder's patience below


class Woken(Exception):
    pass


def locked_file(tmp_path: Path) -> tuple[sqlite3.Connection, sqlite3.Connection]:
    path = tmp_path / "run.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("PRAGMA journal_mode = WAL")
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")  # another writer, busy
    waiter = sqlite3.connect(path, isolation_level=None)
    waiter.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
    return holder, waiter


def waiting_in(name: str) -> bool:
    frame = sys._current_frames().get(threading.main_thread().ident)
    while frame is not None:
        if frame.f_code.co_name == name:
            return True
        frame = frame.f_back
    return False


def test_a_signal_acts_while_a_write_waits_for_the_lock(tmp_path: Path) -> None:
    holder, waiter = locked_file(tmp_path)
    ran = threading.Event()
    acted: list[bool] = []

    def handler(_signum, _frame) -> None:
        ran.set()
        raise Woken

    def poke() -> None:  # once the main thread waits, a signal; the lock kept until it acts
        until(lambda: waiting_in("begin_immediate"), "the write waiting for the lock")
        os.kill(os.getpid(), signal.SIGUSR1)
        acted.append(ran.wait(timeout=60))  # in SQLite's own wait: not before 120 s
        holder.execute("ROLLBACK")

    before = signal.signal(signal.SIGUSR1, handler)
    helper = threading.Thread(target=poke)
    try:
        helper.start()
        with pytest.raises(Woken):
            begin_immediate(waiter)
    finally:
        helper.join(timeout=180)
        signal.signal(signal.SIGUSR1, before)
        waiter.close()
        holder.close()
    assert acted == [True]


def test_the_wait_keeps_the_connections_timeout_and_its_answer(tmp_path: Path) -> None:
    """Still locked at the end of the connection's own busy timeout: SQLite's error, as
    before; the timeout as it was, after."""
    holder, waiter = locked_file(tmp_path)
    try:
        waiter.execute("PRAGMA busy_timeout = 300")
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            begin_immediate(waiter)
        assert waiter.execute("PRAGMA busy_timeout").fetchone() == (300,)
        holder.execute("ROLLBACK")
        begin_immediate(waiter)
        assert waiter.in_transaction
        waiter.execute("ROLLBACK")
    finally:
        waiter.close()
        holder.close()

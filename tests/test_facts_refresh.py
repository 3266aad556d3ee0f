"""The background refresh of `cutover do`'s facts (cli/facts_refresh.py) and how facts are
kept (journal/do_facts.py `keep`): it keeps none of its caller's descriptors, runs at the
lowest priority, one per user and run at a time, writes only facts of the head now, and
facts of an older head never replace newer ones.

The descriptor tests start the real caller in a process of its own and hold the refresh at a
known point (a gate the test opens, or the facts folder's lock) while they look: a refresh
holding the caller's pipe or lock would keep it past the deadline.
"""

from __future__ import annotations

import fcntl
import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cutover_tui.cli import facts_refresh
from cutover_tui.engine.events import StepStarted
from cutover_tui.journal import do_facts, facts_locks
from cutover_tui.journal.do_moves import with_moves
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.private_dir import open_private_dir
from cutover_tui.journal.store import Journal
from tests.journal_support import at
from tests.test_do_fast_moves import TAKEN, new_run, wait_for_moves
from tests.waiting import until

DEADLINE = 30.0
PKG = Path(facts_refresh.__file__).resolve().parents[1]

CALLER = r"""
import os, socket, sys
from datetime import UTC, datetime
from pathlib import Path
from cutover_tui.cli import facts_refresh
from cutover_tui.journal import do_facts, do_moves
from cutover_tui.journal.identity import os_login
from cutover_tui.journal.store import Journal

mode, path, gate, report = sys.argv[1:5]
real = do_moves.with_moves

def gated(facts, state, now):  # the forked child, held until the test closes the gate
    Path(report).write_text(f"{os.getpid()} {os.nice(0)}")
    with socket.socket(socket.AF_UNIX) as held:  # recv returns once the test's listener closes
        try:
            held.settimeout(120)
            held.connect(gate)
            held.recv(1)
        except OSError:
            pass  # closed already, or reset as it closed: go on
    return real(facts, state, now)

do_moves.with_moves = gated
if mode == "fork":  # as the full path does, after its append
    journal = Journal(Path(path))
    facts = do_facts.take(journal, os_login(), datetime.now(UTC))
    facts_refresh.fork_moves(facts, journal.state())
else:  # as the fast path does
    facts_refresh.spawn(str(Path(path).resolve()))
print("returned", flush=True)
"""


def eof_within(fd: int, deadline: float) -> bool:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
        if ready and os.read(fd, 4096) == b"":
            return True
    return False


def lock_free_within(path: Path, deadline: float) -> bool:
    fd = os.open(path, os.O_RDWR)

    def taken() -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    try:
        return within(taken, deadline)
    finally:
        os.close(fd)


def facts_folder(state: Path) -> int:
    folder = open_private_dir(state, do_facts.FOLDER, create=True)
    assert folder is not None
    return folder


def niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def refreshes_of(path: Path) -> list[int]:
    """The refresh processes running for the run file at `path` (by their command line)."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                words = Path(f"/proc/{name}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if facts_refresh.MODULE.encode() in words and str(path).encode() in words:
                found.append(int(name))
    return found


def niced_within(path: Path, deadline: float) -> bool:
    def niced() -> bool:
        running = refreshes_of(path)
        return bool(running) and all(niceness(pid) == 19 for pid in running)

    return within(niced, deadline)


def within(condition: Callable[[], bool], deadline: float) -> bool:
    """Whether `condition` comes true within `deadline` seconds (asked by waiting.until)."""
    try:
        return until(condition, timeout=deadline)
    except AssertionError:
        return False


@pytest.mark.parametrize("mode", ["fork", "spawn"])
def test_the_refresh_keeps_none_of_the_callers_descriptors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    """A caller holding a pipe's write end and an flock: once `cutover do` has returned,
    the pipe reaches EOF and the lock is free, though the refresh it started still runs."""
    state, gate, report = tmp_path / "state", tmp_path / "gate", tmp_path / "report"
    path = new_run(tmp_path / "runs", ()).resolve()
    run_id = Journal(path).run_id
    env = dict(os.environ, CUTOVER_STATE=str(state), CUTOVER_FACTS_REFRESH="1")
    monkeypatch.setenv("CUTOVER_STATE", str(state))
    held = facts_folder(state)  # the spawned refresh waits at its keep while the test looks
    if mode == "spawn":
        fcntl.flock(held, fcntl.LOCK_EX)
    read_end, write_end = os.pipe()
    lock_path = tmp_path / "caller.lock"
    lock = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)
    listener = socket.socket(socket.AF_UNIX)  # the gate: a forked child waits on it
    listener.bind(str(gate))
    listener.listen()
    try:
        done = subprocess.run(
            [sys.executable, "-c", CALLER, mode, str(path), str(gate), str(report)],
            pass_fds=(write_end, lock),
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.stdout == "returned\n", done.stderr
        os.close(write_end)
        os.close(lock)
        if mode == "fork":
            until(report.exists, "the child reached the gate", DEADLINE)
            _pid, nice = map(int, report.read_text().split())
            assert nice == 19  # the refresh runs at the lowest priority
        assert eof_within(read_end, DEADLINE), "the refresh still holds the caller's pipe"
        assert lock_free_within(lock_path, DEADLINE), "the refresh still holds the flock"
        if mode == "spawn":
            assert niced_within(path, DEADLINE)  # once past its imports: the lowest priority
    finally:
        listener.close()  # the gate opens: a child held at it reads EOF or a reset
        fcntl.flock(held, fcntl.LOCK_UN)
        os.close(held)
        os.close(read_end)
    wait_for_moves(run_id, path, 1, state)


def test_a_refresh_leaves_the_run_to_the_one_under_way(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    path = new_run(tmp_path / "runs", ()).resolve()
    running = facts_locks.take_refresh_lock(str(path))
    assert running is not None
    try:
        assert facts_refresh.refresh(path) == 0  # another holds the lock: nothing done
        assert do_facts.recall(Journal(path).run_id, path, os_login()) is None
    finally:
        facts_locks.release(running)
    facts_refresh.refresh(path)  # the lock free: this one takes the facts
    kept = do_facts.recall(Journal(path).run_id, path, os_login())
    assert kept is not None and kept.moves is not None and kept.seq == 1


def test_a_refresh_whose_head_moved_writes_nothing_of_it_and_takes_the_new_head(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The full path's child asked the engine at event 1; event 2 was appended meanwhile
    (another command, whose own refresh found this one under way and left): the answers of
    event 1 are never written, and the refresh goes round again for event 2."""
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    path = new_run(tmp_path / "runs", ()).resolve()
    journal = Journal(path)
    old = with_moves(do_facts.take(journal, os_login(), TAKEN), journal.state(), TAKEN)
    journal.append(StepStarted(actor="boss", at=at(1), step="a", key="n1"), now=lambda: TAKEN)
    journal.close()
    kept_after = []  # the seq kept after each keep the refresh asks for

    def keep(facts, **options):
        real_keep(facts, **options)
        now_kept = do_facts.recall(journal.run_id, path, os_login())
        kept_after.append((facts.seq, None if now_kept is None else now_kept.seq))

    real_keep = do_facts.keep
    monkeypatch.setattr(do_facts, "keep", keep)
    lock = facts_locks.take_refresh_lock(str(path))
    facts_refresh.refresh(path, old, lock)
    kept = do_facts.recall(journal.run_id, path, os_login())
    assert kept is not None and kept.seq == 2 and kept.moves is not None
    assert kept_after == [(1, None), (2, 2)]  # the answers at event 1 never written


def test_facts_of_an_older_head_never_replace_the_full_paths_newer_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two commands of one user: the later one's facts (event 2) kept first, the earlier
    one's (event 1) after. The full path's keep compares with the head under the lock."""
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    path = new_run(tmp_path, ())
    journal = Journal(path)
    older = do_facts.take(journal, os_login(), TAKEN)
    journal.append(StepStarted(actor="boss", at=at(1), step="a", key="n1"), now=lambda: TAKEN)
    newer = do_facts.take(journal, os_login(), TAKEN)
    do_facts.keep(newer, prune=True, head=lambda: do_facts.head_of(journal.db))
    do_facts.keep(older, prune=True, head=lambda: do_facts.head_of(journal.db))
    journal.close()
    kept = do_facts.recall(journal.run_id, path.resolve(), os_login())
    assert kept is not None and (kept.seq, kept.head) == (newer.seq, newer.head)


def test_facts_of_the_head_now_replace_facts_of_a_chain_since_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run file restored from a copy taken earlier: the facts kept of its later head are
    of no use, and the full path's facts of the head now replace them."""
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    path = new_run(tmp_path, ())
    copy = tmp_path / "copy.db"
    copy.write_bytes(path.read_bytes())
    journal = Journal(path)
    journal.append(StepStarted(actor="boss", at=at(1), step="a", key="n1"), now=lambda: TAKEN)
    do_facts.keep(do_facts.take(journal, os_login(), TAKEN))
    journal.close()
    path.write_bytes(copy.read_bytes())  # restored: back at event 1
    journal = Journal(path)
    now_facts = do_facts.take(journal, os_login(), TAKEN)
    do_facts.keep(now_facts, head=lambda: do_facts.head_of(journal.db))
    journal.close()
    kept = do_facts.recall(journal.run_id, path.resolve(), os_login())
    assert kept is not None and kept.seq == 1


def test_facts_with_the_moves_are_not_replaced_by_facts_without_at_one_head() -> None:
    facts = do_facts.Facts(*(["r", "/p", "me", "boss", 3, "h", "", True, [], "", [], [], [], "c"]))
    moved = facts._replace(moves={}, moves_at="t")
    assert do_facts.supersedes(moved, facts, (3, "h"))
    assert not do_facts.supersedes(facts, moved, (3, "h"))
    assert not do_facts.supersedes(moved, None, (4, "h2"))  # the head moved: stale already
    assert not do_facts.supersedes(facts._replace(seq=2), facts, None)


def test_the_facts_are_keyed_by_the_fast_paths_and_the_refreshs_code() -> None:
    """A change to the code that writes the rows fast or takes the facts in the background
    makes the kept facts unused (a fresh full path), as a change to the engine does."""
    files = {str(p.relative_to(PKG)) for p in do_facts.code_files(PKG)}
    for module in ("do_fast.py", "do_fast_moves.py", "do_commands.py", "facts_refresh.py"):
        assert f"cli/{module}" in files


def test_a_state_that_cannot_be_caught_up_after_the_keep_never_fails_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The full path's keep_facts: the facts are kept, and a catch-up that raises before the
    child is forked leaves the command's answer alone (a cache never fails a command)."""
    from cutover_tui.cli.do_commands import keep_facts

    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    path = new_run(tmp_path / "runs", ()).resolve()
    journal = Journal(path)
    forked = []
    monkeypatch.setattr(facts_refresh, "fork_moves", lambda *a: forked.append(a))
    real_state = Journal.state
    calls = []

    def state(self):
        calls.append(1)
        if len(calls) > 1:  # do_facts.take's own call passes; the one after the keep fails
            raise OSError("disk went away")
        return real_state(self)

    monkeypatch.setattr(Journal, "state", state)
    try:
        keep_facts(journal, os_login(), TAKEN)
    finally:
        journal.close()
    assert do_facts.recall(journal.run_id, path, os_login()) is not None
    assert forked == []

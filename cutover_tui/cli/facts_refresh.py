"""After a `cutover do`, the engine's answers for the next step action (journal/do_moves.py),
asked off the command's own time: the command has answered and its prompt is back.

Taking them costs about as much as a full `cutover do` (each action asked of each step), so
neither path waits for it: the full path forks once it has printed (the engine is loaded and
the state folded: the child asks, touching no SQLite connection, and hands the answers to a
fresh refresh process on its input), the fast path starts `python -I ...
cutover_tui.cli.facts_refresh RUN_FILE` (it loaded no engine; an isolated Python,
cli/own_python.py, in `/`: never code planted where the command was typed). Both run in a
session of their own with /dev/null for input and output, as this user, at the lowest
priority (nice 19), and write only this user's facts (journal/do_facts.py).

At most one refresh per user and run file runs at a time (journal/facts_locks.py): one that
finds another running leaves the work to it, and the running one, once done and unlocked,
looks at the journal's head again and goes round once more if it moved (at most PASSES
times; the next command starts another). Facts are written only if the journal's head is
still the one they were taken at, compared and replaced under the private folder's lock, so
facts of an older head never replace newer ones. Until the refresh has written, the next
step action takes the full path, which is correct, only slower. CUTOVER_FACTS_REFRESH=0
turns both off (the test suite sets it: hundreds of in-process commands must not leave
hundreds of processes behind).
"""

from __future__ import annotations

import contextlib
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..journal import do_facts
from .own_python import python_command

if TYPE_CHECKING:
    from ..engine.runstate import RunState

MODULE = "cutover_tui.cli.facts_refresh"
# What the refresh reads of its environment (journal/seen.py's state directory, the host
# config's and the journal's variables, the locale); nothing else reaches it.
ENV_KEPT = ("HOME", "XDG_STATE_HOME", "PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ")
PASSES = 5  # a refresh's rounds while the head keeps moving; then the next command's turn
GIVEN = "--given"  # the facts with the moves on the input, the run's refresh lock on fd 3
LOCK_FD = 3


def enabled() -> bool:
    return os.environ.get("CUTOVER_FACTS_REFRESH", "1") != "0"


def spawn(path: str) -> int | None:
    """Start the refresh of this user's facts of the run file at `path`, detached: this
    package's own code in an isolated Python (cli/own_python.py) in `/`. The pid of the
    process started (a long-lived caller, the war room, reaps it), None when the command
    server took it or nothing was started."""
    if not enabled():
        return None
    if os.environ.get("CUTOVER_DO_SERVER", "1") != "0":  # a fork of the command server's
        from .do_server_refresh import refresh_by_server

        handed = refresh_by_server(path, refresh_env())
        if handed is not None:
            handed.close()
            return None
    quiet = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_RDWR, 0) for fd in (0, 1, 2)]
    try:
        actions = quiet + [(os.POSIX_SPAWN_CLOSE, fd) for fd in inherited()]
        argv = python_command(MODULE, [path], cwd="/")
        return os.posix_spawn(
            sys.executable, argv, refresh_env(), file_actions=actions, setsid=True
        )
    except Exception:  # no interpreter to start, say: never fail the command recorded
        return None  # the next step action takes the full path


def inherited() -> list[int]:
    """This process's descriptors above 2 that a program it starts would keep (a caller's
    pipe or flock handed down to `cutover do`): the refresh must hold none of them, or a
    caller waiting for EOF or the lock waits for the refresh."""
    found = []
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            if fd > 2 and os.get_inheritable(fd):
                found.append(fd)
        except OSError:  # the listing's own descriptor, closed since
            continue
    return found


def refresh_env() -> dict[str, str]:
    """The environment a refresh runs with: ENV_KEPT and the CUTOVER_ variables only."""
    return {k: v for k, v in os.environ.items() if k in ENV_KEPT or k.startswith("CUTOVER_")}


def lower_priority() -> None:
    """The lowest CPU priority: a refresh yields to every command typed meanwhile."""
    with contextlib.suppress(OSError):
        os.nice(19)


def fork_moves(facts: do_facts.Facts, state: RunState) -> None:
    """The full path's refresh: a child that adds the moves to `facts` (taken of `state`
    just now) and hands them to a fresh refresh process to keep; the parent returns at once."""
    if not enabled():
        return
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError:
        return
    if pid:
        return
    try:  # the child: never back into the caller's code, whatever happens
        os.setsid()
        os.chdir("/")
        quiet = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(quiet, fd)
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # none of the caller's pipes or locks
        lower_priority()
        _hand_over(facts, state)
    finally:
        os._exit(0)


def _hand_over(facts: do_facts.Facts, state: RunState) -> None:
    """In the forked child: the moves asked, then this process replaced by a refresh that
    keeps them (a fresh process: the parent's SQLite connections are not to be used here)."""
    from ..journal.facts_locks import take_refresh_lock

    lock = take_refresh_lock(facts.path)
    if lock is None:
        return  # a refresh of this run is under way: it looks at the head again when done
    from ..journal.do_moves import with_moves

    moves = with_moves(facts, state, datetime.now(UTC))
    payload = do_facts.dump(moves)
    given = os.memfd_create("cutover-facts")
    os.write(given, payload)
    os.lseek(given, 0, os.SEEK_SET)
    os.dup2(given, 0)
    os.dup2(lock, LOCK_FD)
    os.set_inheritable(LOCK_FD, True)  # dup2 onto itself (lock == 3) leaves close-on-exec
    argv = python_command(MODULE, [facts.path, GIVEN], cwd="/")
    os.execve(sys.executable, argv, refresh_env())


def refresh(path: Path, given: do_facts.Facts | None = None, lock: int | None = None) -> int:
    """This user's facts of the run file at `path` taken with the moves and kept, round
    after round while the head moves (`given`: the first round's, asked by the full path's
    child, which holds the run's refresh `lock`)."""
    from ..journal.facts_locks import release, take_refresh_lock

    lock = take_refresh_lock(str(path)) if lock is None else lock
    for _ in range(PASSES):
        if lock is None:
            return 0  # another refresh runs: it looks at the head again when done
        try:
            worked_at = _one_pass(path, given)
        finally:
            release(lock)
        given = None
        if worked_at is None or _head_now(path) == worked_at:
            return 0
        lock = take_refresh_lock(str(path))
    return 0


def _one_pass(path: Path, given: do_facts.Facts | None) -> tuple[int, str] | None:
    """One round: the facts kept if the head is still theirs. The head it worked at (the
    round is done when the head is still there after), None: nothing to do."""
    if given is not None:
        return _keep_given(path, given)
    from ..journal.do_moves import with_moves
    from ..journal.identity import os_login
    from ..journal.store import Journal

    journal = Journal(path)
    try:
        now = datetime.now(UTC)
        facts = do_facts.take(journal, os_login(), now)
        if facts is None:
            return None
        if do_facts.head_of(journal.db) != (facts.seq, facts.head):
            return facts.seq, facts.head  # moved already: the next round takes it
        moves = with_moves(facts, journal.state(), now)
        do_facts.keep(moves, head=lambda: do_facts.head_of(journal.db))
        return facts.seq, facts.head
    finally:
        journal.close()


def _keep_given(path: Path, facts: do_facts.Facts) -> tuple[int, str]:
    from ..journal.sqlite_io import sqlite_connect

    db = sqlite_connect(path)
    try:
        do_facts.keep(facts, head=lambda: do_facts.head_of(db))
    finally:
        db.close()
    return facts.seq, facts.head


def _head_now(path: Path) -> tuple[int, str] | None:
    import sqlite3

    from ..journal.sqlite_io import sqlite_connect

    try:
        db = sqlite_connect(path)
    except sqlite3.Error:
        return None
    try:
        return do_facts.head_of(db)
    except sqlite3.Error:
        return None
    finally:
        db.close()


def main(argv: list[str]) -> int:
    lower_priority()
    path = Path(argv[0])
    if argv[1:] != [GIVEN]:
        return refresh(path)
    given = do_facts.load(sys.stdin.buffer.read())
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    if given is None or given.path != str(path):
        return 0
    return refresh(path, given, LOCK_FD)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""After a `cutover do`, the engine's answers for the next step action (journal/do_moves.py),
asked off the command's own time: the command has answered and its prompt is back.

Taking them costs about as much as a full `cutover do` (each action asked of each step), so
neither path waits for it: the full path forks once it has printed (the engine is loaded and
the state folded: the child asks and writes, touching no SQLite connection), the fast path
starts `python -I ... cutover_tui.cli.facts_refresh RUN_FILE` (it loaded no engine; an
isolated Python, cli/own_python.py, in `/`: never code planted where the command was typed). Both run in
a session of their own with /dev/null for input and output, as this user, and write only this
user's facts (journal/do_facts.py); facts of an older head never replace newer ones. Until
the refresh has written, the next step action takes the full path, which is correct, only
slower. CUTOVER_FACTS_REFRESH=0 turns both off (the test suite sets it: hundreds of
in-process commands must not leave hundreds of processes behind).
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..journal import do_facts
from .own_python import python_command

if TYPE_CHECKING:
    from ..engine.runstate import RunState


def enabled() -> bool:
    return os.environ.get("CUTOVER_FACTS_REFRESH", "1") != "0"


MODULE = "cutover_tui.cli.facts_refresh"
# What the refresh reads of its environment (journal/seen.py's state directory, the host
# config's and the journal's variables, the locale); nothing else reaches it.
ENV_KEPT = ("HOME", "XDG_STATE_HOME", "PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ")


def spawn(path: str) -> None:
    """Start the refresh of this user's facts of the run file at `path`, detached: this
    package's own code in an isolated Python (cli/own_python.py) in `/`."""
    if not enabled():
        return
    quiet = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_RDWR, 0) for fd in (0, 1, 2)]
    try:
        argv = python_command(MODULE, [path], cwd="/")
        os.posix_spawn(sys.executable, argv, refresh_env(), file_actions=quiet, setsid=True)
    except Exception:  # no interpreter to start, say: never fail the command recorded
        return  # the next step action takes the full path


def refresh_env() -> dict[str, str]:
    """The environment a refresh runs with: ENV_KEPT and the CUTOVER_ variables only."""
    return {k: v for k, v in os.environ.items() if k in ENV_KEPT or k.startswith("CUTOVER_")}


def fork_moves(facts: do_facts.Facts, state: RunState) -> None:
    """The full path's refresh: a child that adds the moves to `facts` (taken of `state`
    just now) and keeps them; the parent returns at once."""
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
        quiet = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(quiet, fd)
        from ..journal.do_moves import with_moves

        keep_newest(with_moves(facts, state, datetime.now(UTC)))
    finally:
        os._exit(0)


def keep_newest(facts: do_facts.Facts) -> None:
    """Keep `facts` unless this user's kept facts of the run are of a later head."""
    kept = do_facts.recall(facts.run_id, Path(facts.path), facts.login)
    if kept is None or kept.seq <= facts.seq:
        do_facts.keep(facts)


def refresh(path: Path) -> int:
    """Open the run file at `path` as the full path does, take this user's facts with the
    moves, keep them."""
    from ..journal.do_moves import with_moves
    from ..journal.identity import os_login
    from ..journal.store import Journal

    journal = Journal(path)
    try:
        now = datetime.now(UTC)
        facts = do_facts.take(journal, os_login(), now)
        if facts is not None:
            keep_newest(with_moves(facts, journal.state(), now))
    finally:
        journal.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(refresh(Path(sys.argv[1])))

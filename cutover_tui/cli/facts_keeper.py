"""The war room keeps its user's `cutover do` facts of the run at the journal's head.

A step action's fast path (cli/do_fast_moves.py) needs this user's facts taken at the head
(journal/do_facts.py). After anyone else's start, completion or decision they are stale, and
the operator's next `cutover do` took the full path: about 5x a bare Python start in a fresh
SSH session, where no command server of that session listens yet (issue 14). Yet that
operator follows the night in a war room, and a war room sees every event arrive. So
`cutover run` and `cutover follow` on a terminal look at the run file's head every second
(one indexed read) and, when it has moved past what this user's facts cover, start the
refresh a fast move starts (cli/facts_refresh.spawn: handed to this user's command server
when one listens, about 0.02 s at 320 steps, else a fresh process at nice 19). One refresh
per head: a refresh that finds another under way leaves the run to it, and the one under way
goes round again while the head moves.

Not for plans over MOST_STEPS (each refresh folds the whole log and asks every action of up
to 400 steps of the frontier: seconds of CPU per event per follower on a large plan), not for PostgreSQL or a locked host (the fast paths
do not serve them), not for a watcher (the facts say this login may do nothing), and off
with the refresh itself (CUTOVER_FACTS_REFRESH=0).
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from ..journal import do_facts
from ..journal.identity import os_login
from ..journal.sqlite_io import held_connect
from . import facts_refresh

FIRST_LOOK = 2.0  # seconds after the war room opens
LOOK_EVERY = 1.0
# After a refresh is started, the next look waits this long: on a night whose head moves every
# second, each follower's war room starts one refresh per GAP (0.02 s of CPU when its command
# server takes it, 0.3 s at nice 19 when not, at 320 steps), not one a second.
GAP = 3.0
MOST_STEPS = 2_000
TRIES = 2  # refreshes that kept no facts (a state folder not writable, say): then no more
Head = tuple[int, str]


def keep_facts(path: Path, first: float = FIRST_LOOK, every: float = LOOK_EVERY) -> threading.Event:
    """Look at the run file at `path` in a daemon thread, `first` seconds from now and
    every `every` after; the returned event, once set, stops it (the process's end does too)."""
    stop = threading.Event()
    if facts_refresh.enabled():
        threading.Thread(
            target=_keep,
            args=(Keeper(path.resolve()), stop, first, every),
            name="facts-keeper",
            daemon=True,
        ).start()
    return stop


def _keep(keeper: Keeper, stop: threading.Event, first: float, every: float) -> None:
    wait = first
    while not stop.wait(wait):
        wait = every
        try:
            spawned = keeper.look()
        except Exception:  # the file busy, gone or odd: the next look (never the war room's end)
            continue
        if spawned:  # a head moving every second (probes, alerts) costs one refresh per GAP
            wait = max(every, GAP)


@dataclass
class Keeper:
    """One war room's looks at one run file, and what it remembers between them."""

    path: Path
    asked: Head | None = None  # the head a refresh was last asked for, or found needless
    children: list[int] = field(default_factory=list)  # refreshes started here, to reap
    tries: int = 0  # refreshes started while this user had no facts of the run
    scanned: tuple[int, str, int, bool] | None = None  # facts' seq and head, rows read, stale

    def look(self) -> bool:
        """One look: True when it started a refresh (the head moved past `asked` and this
        user's facts do not cover it)."""
        self._reap()
        if not stat.S_ISREG(os.stat(self.path).st_mode):
            return False  # a FIFO put in its place would hang SQLite's open
        # Read-only: a look never creates a file that went, nor writes to one (journal mode).
        uri = f"file:{quote(str(self.path))}?mode=ro"
        db = held_connect(self.path, uri, uri=True, timeout=1.0)
        try:
            head = do_facts.head_of(db)
            if head is None or head == self.asked:
                return False
            needed = self._needs_refresh(db)
        finally:
            db.close()
        self.asked = head
        if not needed:
            return False
        pid = facts_refresh.spawn(str(self.path))
        if pid is not None:
            self.children.append(pid)
        return True

    def _reap(self) -> None:
        """The refresh processes started here that have ended, waited for (no zombies)."""
        for pid in list(self.children):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                self.children.remove(pid)

    def _needs_refresh(self, db: sqlite3.Connection) -> bool:
        """False when this user's facts hold the moves and everything after their head folds
        nothing (others' notes): the fast paths take the next command as they are."""
        if db.execute("PRAGMA user_version").fetchone()[0] != 2:
            return False  # a run made before keys were per author: never fast
        meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('run_id', 'speed')"))
        if "run_id" not in meta or float(meta.get("speed", 1.0)) != 1.0:
            return False  # not a run file the fast paths serve (a simulation's clock)
        kept = do_facts.recall(meta["run_id"], self.path, os_login())
        if kept is None or kept.moves is None:
            self.tries += 1  # the refresh takes them; if none are kept twice, it cannot
            return self.tries <= TRIES
        self.tries = 0
        if len(kept.steps) > MOST_STEPS or _a_watcher(kept):
            return False  # (the steps the engine folded from the sealed plan, not an index)
        return self._stale(db, kept)

    def _stale(self, db: sqlite3.Connection, kept: do_facts.Facts) -> bool:
        """A row since the facts' head that folds something, or another chain. Only rows not
        read at an earlier look are read: a night of notes costs no more look by look."""
        at = db.execute("SELECT hash FROM events WHERE seq = ?", (kept.seq,)).fetchone()
        if at is None or at[0] != kept.head:
            return True  # the chain the facts were taken of is not this one
        seq, head, upto, stale = self.scanned or (kept.seq, kept.head, kept.seq, False)
        if (seq, head) != (kept.seq, kept.head):
            upto, stale = kept.seq, False  # new facts: read from their head
        rows = db.execute("SELECT seq, type FROM events WHERE seq > ? ORDER BY seq", (upto,))
        for row_seq, kind in rows:
            upto, stale = row_seq, stale or kind not in kept.inert_types
        self.scanned = (kept.seq, kept.head, upto, stale)
        return stale


def _a_watcher(facts: do_facts.Facts) -> bool:
    """While the run goes, this login may neither note nor make any move (a watcher, or a
    login the plan does not name): a handover that changes that is rare, and their next
    command then takes the full path, whose own refresh takes the facts again."""
    phase = facts.index_row[do_facts.INDEX_FIELDS.index("phase")]
    moves = (facts.moves or {}).values()
    can_move = any(shape["targets"] for move in moves for shape in move["shapes"].values())
    return phase in ("running", "rollback") and not facts.may_note and not can_move

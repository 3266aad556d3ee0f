"""What the journal proves, checked: `cutover verify` in full, and the cheap guard that every
command reading a run passes before it shows or appends anything.

The full check (`verify_run`): SQLite's own integrity check; the hash chain, row by row; the
plan and meta against the seal in the first event (journal.seal); the append-only triggers
still there; the conductor's high-water mark and this user's memory of heads (journal.seen)
still inside the journal; a recorded head (`--expect SEQ:HASH`) still in it; and every event
replayed through the engine's rules as they stood (the state folded up to it, its actor, its
time), naming each one the rules refuse.

The guard (`guard`): the chain of every row read (Journal._catch_up checks each link as it
folds), SQLite's quick check, the seal, the triggers, the high-water mark and the memory of
heads: at 100k events about 0.2 s for the links and 0.1 s for the quick check on top of the
fold (benchmarks/journal.py), so `status`, `do`, `run` and `follow` afford it every time.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from datetime import timedelta

from pydantic import ValidationError

from ..engine.events import Event, RunStarted, parse_event
from ..engine.state import apply, check_rules, initial_state
from ..plan import PlanError
from ..plan.model import Plan
from ..plan.shift import shift_plan
from . import seen
from .columns import column_problems
from .evidence import _has_table, high_water_problem, memory_problem, missing_triggers
from .seal import digest, meta_digest, unpack_plan, unsealed
from .store import FOLD_FAULTS, Journal
from .unreachable import JournalUnreachable

# How the guard begins when the run cannot even be read (nothing more can be shown).
UNREADABLE = ("its events cannot be read", "the database is damaged")
UNSEALED = "plan not covered by the chain (made before cutover sealed the plan into it)"


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said, but not failures
    head: tuple[int, str] = (0, "0" * 64)
    count: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


# -- the seal -------------------------------------------------------------------------------


def first_event(journal: Journal) -> Event | None:
    row = journal.db.execute("SELECT body FROM events ORDER BY seq LIMIT 1").fetchone()
    if row is None:
        return None
    try:
        return parse_event(row[0])
    except ValueError:
        return None


def seal_problems(journal: Journal, start: Event | None) -> tuple[list[str], list[str]]:
    """(problems, notes) of the plan and meta against the seal in the first event."""
    if start is None:
        return [], []
    if not isinstance(start, RunStarted):
        return [f"the first event is {start.type}, not run-started"], []
    if start.plan_sha256 is None:
        if journal.schema_version >= 2 or _has_table(journal.db, "high_water"):
            # Made with the seal (or dressed up as older than it is): its seal was removed.
            return ["the first event carries no seal, though the run was made with one"], []
        return [], [UNSEALED]
    problems = []
    stored = digest(journal.meta.get("plan_text", ""))
    if stored != start.plan_sha256:
        problems.append(
            "the stored plan is not the plan the run started with (the chain says "
            f"{start.plan_sha256[:12]}…, the stored plan is {stored[:12]}…)"
        )
    if start.meta_sha256 != meta_digest(journal.meta):
        problems.append("the run's settings (meta) changed since it started")
    return problems, []


# -- the high-water mark -------------------------------------------------------------------


def record_high_water(db: sqlite3.Connection, now: float) -> None:
    """Inside the conductor's lease transaction: the last event it saw, which may only rise
    (a run made before the mark has no table: nothing)."""
    head = db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    if head is None:
        return
    try:
        db.execute(
            "INSERT INTO high_water VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE "
            "SET seq = excluded.seq, hash = excluded.hash, at = excluded.at "
            "WHERE excluded.seq > high_water.seq",
            (head[0], head[1], now),
        )
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):  # an older run has none: nothing to raise
            raise


# -- a recorded head -------------------------------------------------------------------------

_HEAD = re.compile(r"^(?:#?(\d+):)?([0-9a-f]{8,64})$")


def parse_head(text: str) -> tuple[int | None, str]:
    """`SEQ:HASHPREFIX` (at least 8 hex digits) or a full hash; ValueError otherwise."""
    match = _HEAD.match(text.strip().lower())
    if not match or (match.group(1) is None and len(match.group(2)) != 64):
        raise ValueError(
            f"--expect {text!r}: write SEQ:HASH (as `cutover status` prints it, at least 8 "
            "hex digits of the hash) or the full 64-digit hash"
        )
    return (int(match.group(1)) if match.group(1) else None), match.group(2)


def expect_problem(db: sqlite3.Connection, text: str) -> str | None:
    """Why the journal does not hold the recorded head `text`, or None."""
    seq, prefix = parse_head(text)
    last = db.execute("SELECT max(seq) FROM events").fetchone()[0] or 0
    if seq is None:
        row = db.execute("SELECT seq FROM events WHERE hash = ?", (prefix,)).fetchone()
        if row is None:
            return (
                f"no event has the expected head hash {prefix[:12]}…: the journal is shorter "
                f"than that head or diverges from it (it has {last} events)"
            )
        return None
    if last < seq:
        return (
            f"the journal is shorter than the expected head: it has {last} events, "
            f"the head was event {seq}"
        )
    row = db.execute("SELECT hash FROM events WHERE seq = ?", (seq,)).fetchone()
    if row is None or not row[0].startswith(prefix):
        return (
            f"the journal diverges from the expected head: event {seq} is "
            f"{(row[0] if row else 'missing')[:12]}…, the head says {prefix[:12]}…"
        )
    return None


# -- the rules, replayed -------------------------------------------------------------------


def replay_plan(journal: Journal, start: Event | None) -> Plan:
    """The plan the night ran on: the chain's own copy when it holds one that matches its
    hash (a rewritten stored plan must not bless what it let through), else the stored one."""
    if isinstance(start, RunStarted) and start.plan_copy and start.plan_sha256:
        text = unpack_plan(start.plan_copy)
        if text is not None and digest(text) == start.plan_sha256:
            from ..plan import parse_plan  # late: only `verify` replays (issue 14)

            try:
                plan = parse_plan(text, name=f"{journal.path}:sealed plan").plan
            except PlanError:
                return journal.plan
            shift = timedelta(seconds=float(journal.meta.get("shift_s", 0)))
            return shift_plan(plan, shift)
    return journal.plan


def refused_events(plan: Plan, events: list[Event]) -> list[str]:
    """Each event the rules refuse, folding event by event as the journal did on append."""
    state = initial_state(plan)
    out = []
    for event in events:
        # Judged as it was asked for: the seal is the journal's own addition (journal.seal).
        asked = unsealed(event) if isinstance(event, RunStarted) else event
        reason = check_rules(state, asked)
        if reason:
            when = event.at.strftime("%Y-%m-%d %H:%M:%SZ")
            out.append(
                f"event {event.seq} {event.type} by {event.actor} at {when}: "
                f"the rules refuse it: {reason}"
            )
        try:
            apply(state, event)  # as every reader folded it, so later events are judged alike
        except FOLD_FAULTS as exc:
            out.append(f"event {event.seq} {event.type} cannot be folded at all ({exc!r})")
    return out


# -- together ------------------------------------------------------------------------------


def verify_run(journal: Journal, expect: str | None = None) -> Verification:
    """The full check, for `cutover verify`."""
    out = Verification()
    problems, head, count = journal.verify()
    out.problems += problems
    last = journal.db.execute("SELECT max(seq) FROM events").fetchone()[0] or 0
    out.head, out.count = (last, head), count
    start = first_event(journal)
    seal, out.notes = seal_problems(journal, start)
    out.problems += seal
    out.problems += _evidence(journal)
    if expect is not None:
        problem = expect_problem(journal.db, expect)
        out.problems += [problem] if problem else []
    if not problems:  # rows that parse and chain: replay them
        try:
            events = journal.events_after(0)
        except ValueError as exc:
            out.problems.append(f"the events cannot be read: {first_fault(exc)}")
        else:
            out.problems += column_problems(journal.db, events)
            out.problems += refused_events(replay_plan(journal, start), events)
    if out.ok:
        seen.remember(journal.run_id, journal.path, *out.head)
    return out


def first_fault(exc: Exception) -> str:
    """One line for a failed read: pydantic's own text runs to several, with a URL."""
    errors = exc.errors() if isinstance(exc, ValidationError) else []
    if errors:
        where = ".".join(str(part) for part in errors[0]["loc"])
        return f"{where}: {errors[0]['msg']}" + (
            f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        )
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def guard(journal: Journal, *, remember: bool = True) -> str | None:
    """Why nothing should be appended to this run (its chain, seal or memory fails), or
    None. Cheap: the chain is checked as the run is read; the rest is a few queries.
    `remember`: keep this head as seen by this user (not for a mere listing)."""
    try:
        journal.state()
        if journal.broken:
            return f"its hash chain is broken: {journal.broken}"
        # Every page and its structure, not the indexes against the rows: a tenth of a
        # second at 100k events.
        damage = [row[0] for row in journal.db.execute("PRAGMA quick_check(3)")]
        if damage != ["ok"]:
            return f"SQLite's quick check fails: {'; '.join(damage)}"
        problems, _ = seal_problems(journal, first_event(journal))
        problems += _evidence(journal)
    except ValueError as exc:
        return f"its events cannot be read: {first_fault(exc)}"
    except JournalUnreachable:
        raise  # an outage, said as one (cannot connect), never called damage
    except sqlite3.DatabaseError as exc:  # a damaged page: said, not raised into run/follow
        return f"the database is damaged: {exc}"
    if problems:
        return "; ".join(problems)
    if remember:
        seq, digest_ = journal.head
        seen.remember(journal.run_id, journal.path, seq, digest_)
    return None


def _evidence(journal: Journal) -> list[str]:
    """Triggers removed, the high-water mark above the journal, this user's memory."""
    out = []
    gone = missing_triggers(journal.db, journal.schema_version)
    if gone:
        out.append(f"its append-only triggers were removed ({', '.join(gone)}): edited by hand")
    for problem in (high_water_problem(journal.db), _memory_problem(journal)):
        if problem:
            out.append(problem)
    return out


def _memory_problem(journal: Journal) -> str | None:
    return memory_problem(journal.db, journal.run_id, journal.path)

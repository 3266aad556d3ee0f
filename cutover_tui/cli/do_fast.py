"""`cutover do RUN note --note TEXT [STEP]`, the short way: no pydantic, no plan, no fold.

A note is the command a war room types most, and a full `cutover do` spends most of its
time importing pydantic and building the models it validates with (issue 14). This path
appends the very row the full path would write (same JSON, same hash: tests/test_do_fast.py
runs both on copies of one run) when it can prove, with plain data only, that the full path
would accept the note:

- the command is a plain note (`--note`, optionally `--kind info|decision|deviation`, a
  STEP, `--key`, `--runs`): anything else, even an abbreviated option, is the full path's;
- the run is a schema-2 run file at real speed (no PostgreSQL, no locked host);
- this user's facts of the run (journal/do_facts.py: the engine's own answers, kept by the
  last full `cutover do` of this login) were taken by this code at the head the journal's
  chain passes now, walked row by row by hashing (journal/raw_chain.py), so every row up to
  it is one the engine folded and judged, and every row after it (others' notes) one the
  engine's fold would read from its columns alone, changing nothing the facts say;
- the guard holds as `journal.trust.guard` checks it (SQLite's quick check, the seal, the
  append-only triggers, the high-water mark, this user's memory of heads);
- the engine said this login may add a note at that head, and the note's own words pass
  the same plain checks the engine makes of them (engine/texts.py), on a step it knows;
- inside the write transaction the head, the index row and the author's key are still as
  the facts say.

Any doubt, and `fast_do` returns None before anything is written: the full path then
decides, and says any refusal in its own words.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from ..clocks import RealClock, boot_id
from ..engine.texts import note_text_problem, values_problem
from ..journal import do_facts, raw_chain, seen
from ..journal.columns import columns_suffice
from ..journal.evidence import high_water_problem, memory_problem, missing_triggers
from ..journal.hostconfig import HostConfigError, load_host_config
from ..journal.identity import os_login
from ..journal.moved import moved_refusal
from ..journal.run_files import JournalError, run_path
from ..journal.seal import digest, meta_digest
from ..journal.sqlite_io import immediate, sqlite_connect

KINDS = ("info", "decision", "deviation")  # a review remark is the full path's (after the end)
INDEX_UPSERT = "INSERT OR REPLACE INTO run_index VALUES (1, ?, ?, ?, ?, ?, ?, ?)"
INDEX_READ = (
    "SELECT seq, hash, events, phase, outcome, steps_done, steps_total FROM run_index WHERE id = 1"
)


class NotFast(Exception):
    """The full path decides this one."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # never printed: the full parser says it
        raise NotFast(message)


def _quiet(prog: str) -> argparse.HelpFormatter:
    """A formatter of a fixed width: argparse makes one per argument added, and without a
    width it imports shutil (and bz2, lzma) to ask the terminal's; nothing is printed."""
    return argparse.HelpFormatter(prog, width=100)


def _parser() -> argparse.ArgumentParser:
    """The note's options exactly as `cutover do` names them (no abbreviations: an option
    this parser does not know, in full, is the full parser's to read)."""
    parser = _Parser(prog="cutover do", add_help=False, allow_abbrev=False, formatter_class=_quiet)
    parser.add_argument("run")
    parser.add_argument("action", choices=["note"])
    parser.add_argument("target", nargs="?")
    parser.add_argument("--note", default="")
    parser.add_argument("--kind", default="info", choices=KINDS)
    parser.add_argument("--key")
    parser.add_argument("--runs", default=None)
    return parser


def fast_do(argv: list[str]) -> int | None:
    """`cutover do` with `argv` (after "do") done here, or None: take the full path.
    None only ever before the row is committed: after it, the command is done."""
    try:
        args = _parser().parse_args(argv)
        if args.action != "note":  # `RUN -- --`: argparse gives [] and skips the choices
            raise NotFast("not a note")
    except NotFast:  # not a plain note: a step action, perhaps (cli/do_fast_moves.py)
        from .do_fast_moves import fast_move

        return fast_move(argv)
    try:
        where = _run_file(args)
        db = sqlite_connect(where)
    except (NotFast, OSError, sqlite3.Error):
        return None
    try:
        prepared = _prepare(db, where, args)
        if prepared is None:
            return None
        facts, key, body = prepared
        seq, head = _append(db, facts, key, body)
    except (NotFast, OSError, sqlite3.Error, ValueError, KeyError, TypeError):
        return None  # nothing written (a failed transaction is rolled back)
    finally:
        db.close()
    target = f" {args.target}" if args.target else ""
    print(f"#{seq} note-added{target} by {facts.actor}")
    do_facts.keep(facts.advanced(seq, head))
    return 0


def _run_file(args: argparse.Namespace) -> Path:
    """The run's file, found as `open_run` finds it, on a host of run files only."""
    if os.environ.get("CUTOVER_JOURNAL"):
        raise NotFast("PostgreSQL")
    try:
        config = load_host_config()
    except HostConfigError:
        raise NotFast("the host config") from None
    if config.locked or config.journal:
        raise NotFast("a locked host or PostgreSQL")
    option = args.runs or os.environ.get("CUTOVER_RUNS")
    directory = Path(option) if option else (config.runs or Path("runs"))
    try:
        path = run_path(args.run, directory)
    except JournalError:
        raise NotFast("a file here and a run there: the full path says so") from None
    if path is None:
        raise NotFast("no such run: the full path names the nearest")
    return path


def _prepare(
    db: sqlite3.Connection, path: Path, args: argparse.Namespace
) -> tuple[do_facts.Facts, str, str] | None:
    """The facts, the key and the note's body, once the journal is shown to be the one the
    facts were taken of and the guard holds; None: the full path's."""
    facts = facts_at_head(db, path)
    if facts is None:
        return None
    clock = RealClock()
    return judged(facts, args, clock.now(), clock.monotonic(), boot_id())


def facts_at_head(db: sqlite3.Connection, path: Path) -> do_facts.Facts | None:
    """This user's facts of the run, moved to the journal's head when `current` allows, and
    that head remembered as the guard remembers it; None: the full path's."""
    if db.execute("PRAGMA user_version").fetchone()[0] != 2:
        return None  # a run made before keys were per author
    meta = dict(db.execute("SELECT key, value FROM meta"))
    if float(meta.get("speed", 1.0)) != 1.0:
        return None  # a simulation's clock
    kept = do_facts.recall(meta["run_id"], path.resolve(), os_login())
    facts = None if kept is None else current(db, meta, path, kept)
    if facts is None:
        return None
    seen.remember(facts.run_id, path, facts.seq, facts.head)  # as the guard does
    return facts


def judged(
    facts: do_facts.Facts, args: argparse.Namespace, now: datetime, mono: float, boot: str
) -> tuple[do_facts.Facts, str, str] | None:
    """The key and the body of the note `args` asks for at `now`, or None: the engine's to
    judge (dated before the run started, or words the plain checks do not pass)."""
    if not facts.may_note or now < datetime.fromisoformat(facts.started_at):
        return None
    key = args.key or new_key()
    body = note_body(facts, args, key, now, mono, boot)
    return None if body is None else (facts, key, body)


def new_key() -> str:
    """A fresh idempotency key, as `uuid.uuid4().hex` makes one (without importing uuid)."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # the RFC 4122 variant
    return raw.hex()


def current(
    db: sqlite3.Connection, meta: dict, path: Path, facts: do_facts.Facts
) -> do_facts.Facts | None:
    """The facts at the journal's head, if it is the one they were taken of or follows
    from it by rows that fold nothing (others' notes: read from their columns as the
    engine's fold reads them, journal/columns.py), and the guard holds; else None."""
    walked = raw_chain.walk(db, facts.seq)
    if walked.broken or walked.at_mark != facts.head:
        return None
    for kind, key, body in walked.since:
        if kind not in facts.inert_types or not columns_suffice(kind, key, body):
            return None  # a row that changes the state: the full path folds it
    facts = facts.advanced(walked.seq, walked.head, len(walked.since))
    plan_text = meta.get("plan_text", "")
    if digest(plan_text) != facts.plan_sha256:
        return None
    if [row[0] for row in db.execute("PRAGMA quick_check(3)")] != ["ok"]:
        return None
    first = db.execute("SELECT body FROM events ORDER BY seq LIMIT 1").fetchone()
    start = json.loads(first[0]) if first else {}
    sealed = (start.get("plan_sha256"), start.get("meta_sha256"))
    if start.get("type") != "run-started" or sealed != (digest(plan_text), meta_digest(meta)):
        return None
    if missing_triggers(db, 2) or high_water_problem(db):
        return None
    return facts if memory_problem(db, facts.run_id, path) is None else None


def note_body(
    facts: do_facts.Facts, args: argparse.Namespace, key: str, now: datetime, mono: float, boot: str
) -> str | None:
    """The note's canonical JSON as `dump_event` writes it, or None when its words are the
    engine's to judge (no text, too long, an unknown step) or its values not plain."""
    step = args.target
    if note_text_problem(args.note) or (step is not None and step not in facts.steps):
        return None
    at = now.isoformat().replace("+00:00", "Z")
    values: dict[str, object] = {
        "actor": facts.actor,
        "at": at,
        "recorded_at": at,
        "mono": mono,
        "boot": boot,
        "key": key,
        "type": "note-added",
        "kind": args.kind,
        "text": args.note,
        "step": step,
        "remark": None,
    }
    if set(facts.fields) != set(values) or values_problem(values.items()):
        return None  # a field this path does not fill (the model grew one)
    if now.tzinfo is not UTC or "e" in repr(mono) or "note-added" not in facts.inert_types:
        return None
    out = {name: values[name] for name in facts.fields if values[name] is not None}
    body = json.dumps(out, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    body.encode("utf-8")  # UnicodeEncodeError (a ValueError) on a lone surrogate: the full path's
    return body


def _append(
    db: sqlite3.Connection,
    facts: do_facts.Facts,
    key: str,
    body: str,
    kind: str = "note-added",
    after: list | None = None,
) -> tuple[int, str]:
    """The row and the index row in one write transaction, if the head, the index and the
    key are still as the facts say (NotFast, rolled back, otherwise). `after`: the index
    row's phase, outcome, steps closed and in all after an event of `kind` that changes
    them (cli/do_fast_moves.py), as the engine found them; None: as they were (a note)."""
    with immediate(db):
        last = db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        if tuple(last or ()) != (facts.seq, facts.head):
            raise NotFast("someone appended since")
        if list(db.execute(INDEX_READ).fetchone() or ()) != facts.index_row:
            raise NotFast("the index row is not the head's")
        if moved_refusal(db):
            raise NotFast("the run moved: the full path says so")
        if after is None:  # a note: this author's key
            taken = db.execute(
                "SELECT 1 FROM events WHERE actor = ? AND key = ?", (facts.actor, key)
            )
        else:  # a move: a key anyone used is the full path's to judge
            taken = db.execute("SELECT 1 FROM events WHERE key = ?", (key,))
        if taken.fetchone():
            raise NotFast("a repeat: the full path answers it")
        head = raw_chain.link(facts.head, body)
        cursor = db.execute(
            "INSERT INTO events (key, type, actor, body, prev, hash) VALUES (?, ?, ?, ?, ?, ?)",
            (key, kind, facts.actor, body, facts.head, head),
        )
        seq = cursor.lastrowid
        if seq != facts.seq + 1:
            raise NotFast("out of sequence")
        tail = facts.index_row[3:] if after is None else after
        db.execute(INDEX_UPSERT, [seq, head, facts.index_row[2] + 1, *tail])
    return seq, head

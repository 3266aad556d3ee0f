"""`cutover do RUN start|complete|fail|skip|... STEP`, the short way: no pydantic, no plan,
no fold (issue 14). The note's fast path (cli/do_fast.py) for the step actions.

It appends the very row, and the very index row, the full path would write, when this user's
facts of the run (journal/do_facts.py) hold the engine's answer for this action, this target
and these words at the journal's head (journal/do_moves.py):

- everything cli/do_fast.py proves for a note (the run file, the chain walked to the facts'
  head with only rows that fold nothing after it, the guard, the plan and the code);
- the command names an action the facts know, a target, and only the words `--reason`,
  `--evidence`, `--note`, `--risk`, `--key` and `--runs` (anything else: `--at`, `--eta`,
  `--approver`, an abbreviated option, is the full path's);
- the facts hold a shape of the action for exactly the words given, and the engine accepted
  the target with them; each word given is not blank (the rules ask that much of a word)
  and within the limits (engine/texts.py, the engine's own check);
- now is no earlier than the moment the engine was asked;
- in the write transaction, the head and index row are the facts', and nobody used the key.

A move changes the state, so after it the facts are stale: the command starts a refresh in
the background (cli/facts_refresh.py) that asks the engine again, and until it has, the next
command takes the full path. Any doubt: None before anything is written, the full path
decides and says any refusal in its own words.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from datetime import UTC, datetime

from ..clocks import RealClock, boot_id
from ..engine.texts import says_nothing, values_problem
from ..journal import do_facts
from ..journal.do_moves import WORDS  # the shapes' words
from ..journal.sqlite_io import sqlite_connect
from . import facts_refresh
from .do_fast import NotFast, _append, _Parser, _quiet, _run_file, facts_at_head, new_key


def _parser() -> argparse.ArgumentParser:
    """A step action's options exactly as `cutover do` names them (no abbreviations)."""
    parser = _Parser(prog="cutover do", add_help=False, allow_abbrev=False, formatter_class=_quiet)
    parser.add_argument("run")
    parser.add_argument("action")
    parser.add_argument("target")
    parser.add_argument("--reason", default="")
    parser.add_argument("--evidence", default="")
    parser.add_argument("--note", default="")
    parser.add_argument("--risk", dest="risks", action="append", default=[])
    parser.add_argument("--key")
    parser.add_argument("--runs", default=None)
    return parser


def fast_move(argv: list[str]) -> int | None:
    """`cutover do` with `argv` (after "do") done here, or None: take the full path."""
    try:
        args = _parser().parse_args(argv)
        if not isinstance(args.action, str) or not isinstance(args.target, str):
            return None  # `RUN -- -- STEP`: argparse gives [] (as for a note, cli/do_fast.py)
        where = _run_file(args)
        db = sqlite_connect(where)
    except (NotFast, OSError, sqlite3.Error):
        return None
    try:
        facts = facts_at_head(db, where)
        if facts is None:
            return None
        clock = RealClock()
        ready = move_row(facts, args, clock.now(), clock.monotonic(), boot_id())
        if ready is None:
            return None
        kind, key, body, after = ready
        seq, _ = _append(db, facts, key, body, kind, after)
    except (NotFast, OSError, sqlite3.Error, ValueError, KeyError, TypeError):
        return None  # nothing written (a failed transaction is rolled back)
    finally:
        db.close()
    print(f"#{seq} {kind} {args.target} by {facts.actor}")
    facts_refresh.spawn(facts.path)  # the state moved: the engine's answers, again
    return 0


def move_row(
    facts: do_facts.Facts, args: argparse.Namespace, now: datetime, mono: float, boot: str
) -> tuple[str, str, str, list] | None:
    """The event's type, key, canonical JSON and the index row's tail after it, when the
    engine's answers in `facts` cover this command at `now`; else None."""
    moves = facts.moves or {}
    move = moves.get(args.action)
    if move is None or facts.moves_at is None or now < datetime.fromisoformat(facts.moves_at):
        return None
    given = _given(args)
    shape = None if given is None else move["shapes"].get(",".join(given))
    if shape is None or args.target not in shape["targets"]:
        return None
    key = args.key or new_key()
    body = _body(shape["template"], args, key, now, mono, boot)
    return None if body is None else (move["type"], key, body, shape["targets"][args.target])


def _given(args: argparse.Namespace) -> tuple[str, ...] | None:
    """The words given, in WORDS order; None when one is blank (the rules' to judge)."""
    given = []
    for word in WORDS:
        value = getattr(args, word)
        if not value:
            continue
        texts = value if isinstance(value, list) else [value]
        if any(says_nothing(text) for text in texts):
            return None
        given.append(word)
    return tuple(given)


def _body(
    template: list[list], args: argparse.Namespace, key: str, now: datetime, mono: float, boot: str
) -> str | None:
    """The event as `dump_event` writes it: the template's constants, its slots filled."""
    if now.tzinfo is not UTC or "e" in repr(mono):
        return None  # a time or a float pydantic might write otherwise
    at = now.isoformat().replace("+00:00", "Z")
    slots: dict[str, object] = {"target": args.target, "at": at, "mono": mono, "boot": boot}
    slots |= {"key": key, **{word: getattr(args, word) for word in WORDS}}
    out = {field[0]: (field[2] if field[1] is None else slots[field[1]]) for field in template}
    if values_problem(out.items()):
        return None  # too big to record: the engine says so in its own words
    body = json.dumps(out, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    body.encode("utf-8")  # UnicodeEncodeError (a ValueError) on a lone surrogate
    return body

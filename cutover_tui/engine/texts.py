"""The rules about a command's words that need no event object: how long a text or a list
may be, and that a note says something.

Plain functions over plain values (no pydantic, no state), so the engine (`engine/sizes.py`,
`engine/rules.py`) and `cutover do`'s fast path (cli/do_fast.py), which imports no pydantic,
ask the same questions of the same code (issue 14).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..plan.limits import MAX_EVIDENCE_CHARS, MAX_LIST_ITEMS, MAX_TEXT_CHARS

_LONG_FIELDS = frozenset({"evidence", "body"})  # pasted command output, a message's body
_LABEL = {"text": "note", "body": "message body", "risks": "accepted risks", "to": "audiences"}


def values_problem(values: Iterable[tuple[str, object]]) -> str | None:
    """Why one of an event's (field, value) pairs is too big to record (None when none is):
    every text within its limit, every list within its count and its items' limit."""
    for name, value in values:
        label = _LABEL.get(name, name)
        if isinstance(value, str):
            problem = _text_problem(label, value, _limit(name))
        elif isinstance(value, list):
            problem = _list_problem(label, value)
        else:
            continue
        if problem:
            return problem
    return None


# What a reader cannot see: controls, format characters (zero-width space, joiners, bidi
# marks), unassigned code points, and every kind of space.
INVISIBLE = frozenset({"Cc", "Cf", "Cn", "Zs", "Zl", "Zp"})


def says_nothing(text: str) -> bool:
    """No character a reader can see: blank, or only controls and zero-width marks (a note
    of U+200B alone was recorded, and shown as nothing; hostile user pass, 2026-12-02)."""
    if text.isascii():  # the common case, without unicodedata
        return not any(" " < c < "\x7f" for c in text)
    import unicodedata

    return all(unicodedata.category(c) in INVISIBLE for c in text)


def note_text_problem(text: str) -> str | None:
    """A note must say something."""
    return "a note needs text" if says_nothing(text) else None


def _limit(name: str) -> int:
    return MAX_EVIDENCE_CHARS if name in _LONG_FIELDS else MAX_TEXT_CHARS


def _text_problem(label: str, value: str, limit: int) -> str | None:
    if len(value) <= limit:
        return None
    return f"the {label} is {len(value):,} characters long; {limit:,} is the limit"


def _list_problem(label: str, items: list) -> str | None:
    if len(items) > MAX_LIST_ITEMS:
        return f"the {label} name {len(items):,} items; {MAX_LIST_ITEMS:,} is the limit"
    for item in items:
        problem = (
            _text_problem(f"{label} item", item, MAX_TEXT_CHARS) if isinstance(item, str) else None
        )
        if problem:
            return problem
    return None

"""When a row's `type` and `key` columns may stand in for its body, and rows where they differ.

The compact fold (journal/folding.py) folds a note from its columns alone. The
columns are not hashed; the body is. So the columns are trusted only when the body provably
says the same, checked on the raw text without parsing it:

- the body holds no `\\u` escape, so a key can decode to `type` (or `key`) only if its raw
  text is `"type"` (`"key"`): every other JSON escape decodes to a non-letter;
- `"type"` occurs exactly once, as `"type":"<kind>"`: there is no second `type` key (pydantic
  keeps the last of duplicate keys) and no nested one, and the value is `<kind>` (the closing
  quote follows a letter, so it is not an escaped one);
- `"key"` occurs at most once, as `"key":<the column, JSON-encoded>`, or not at all with an
  empty column (the field defaults to ""). A body with no `"key"` and a non-empty column is
  parsed.

Inside a JSON string every `"` is written `\\"`, so a `"type"` inside a note's text makes the
count two and the row is simply parsed: the safe direction. A body that is not a valid event
at all may pass these tests; the full parse (`cutover verify`, the log) says it cannot be read.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # hints only: `cutover do`'s fast path asks columns_suffice without pydantic
    from ..engine.events import Event


def columns_suffice(kind: str, key: str | None, body: str) -> bool:
    """Does `body` provably carry `type` == `kind` and `key` == `key` (see the module doc)?"""
    if "\\u" in body or body.count('"type"') != 1 or f'"type":"{kind}"' not in body:
        return False
    keys = body.count('"key"')
    if keys == 0:
        return not key
    return keys == 1 and f'"key":{encoded(key or "")}' in body


def encoded(key: str) -> str:
    """The key as a JSON string: as it stands unless it holds a quote or a backslash (a
    control character unescaped is no JSON at all: the full parse refuses the row)."""
    if '"' in key or "\\" in key:
        return json.dumps(key, ensure_ascii=False)
    return f'"{key}"'


def column_problems(db: sqlite3.Connection, events: Sequence[Event]) -> list[str]:
    """One line per event whose `type` or `key` column differs from its parsed body (the
    columns are not hashed: a row written by hand can make them say something else)."""
    columns = dict(
        (seq, (kind, key)) for seq, kind, key in db.execute("SELECT seq, type, key FROM events")
    )
    out = []
    for event in events:
        kind, key = columns.get(event.seq, (event.type, event.key))
        if kind != event.type:
            out.append(f"event {event.seq}: its type column says {kind!r}, its body {event.type!r}")
        elif (key or "") != event.key:
            out.append(f"event {event.seq}: its key column says {key!r}, its body {event.key!r}")
    return out


__all__ = ["column_problems", "columns_suffice"]

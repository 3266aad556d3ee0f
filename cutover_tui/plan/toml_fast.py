"""The fast path of reading a plan's TOML: rtoml (Rust) first, tomli's exact words on any doubt.

On a 50,000-step plan tomli's compiled parser took about 1 s of CPU and the nesting check
before it (plan/limits.py) 0.4 s more; rtoml parses the same file in 0.4 s (issue 12). Its
error messages are not ours, so it is only ever trusted with a document it accepts:

- any error from rtoml (syntax, a float that overflows where tomli reads inf, its own
  nesting limit, even a Rust panic) returns None, and the caller takes the reference path:
  the nesting check, then tomli, whose messages the located errors are made of. Every error
  stays byte-identical. (Integers past 64 bits: both read them whole.)
- a byte-order mark: rtoml skips it, tomli refuses it; None, so tomli refuses it as today.
- nesting: the document rtoml built is walked once. Its depth (containers, the root table
  counted) bounds the text's: every `[` or `{` outside a string opens a container inside the
  one around it, and a dotted key of N parts makes N - 1 tables. So a document no deeper than
  MAX_TOML_DEPTH passes `toml_depth_problem`; a deeper one returns None, and the text check
  refuses it with today's line and words.
- offset datetimes: rtoml gives its own `TzInfo`; the walk puts the `datetime.timezone`
  tomli gives in its place (same offset, so the same instant, repr and name).
- a key/value pair of an inline table split over lines (`a = { x =` then `1 }`): rtoml
  reads it, tomli refuses it. A table made by a deeper header, then defined by its own with
  another table between (`[a.c]`, `[b]`, `[a]`): rtoml moves `a` after `b`, tomli keeps it
  first. A CRLF inside a multi-line string: rtoml keeps it, tomli reads a newline. All three
  are found in the text before rtoml is asked (plan/toml_doubt.py); None.

tests/test_toml_fast.py compares the two parsers value for value (types, key order, repr)
on generated documents and on the hostile inputs: where rtoml gives a document, it is
tomli's, key order included. Without the rtoml wheel, None always.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from .limits import MAX_TOML_DEPTH
from .toml_doubt import doubtful

try:
    import rtoml
except ImportError:  # a platform without the wheel: tomli alone, as before
    rtoml = None

_BOM = "\ufeff"


def fast_loads(text: str, limit: int = MAX_TOML_DEPTH) -> dict[str, Any] | None:
    """The document as tomli would read it, or None when only tomli may say (see above)."""
    if rtoml is None or text.startswith(_BOM) or doubtful(text):
        return None
    try:
        data = rtoml.loads(text)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # any refusal, a Rust panic (pyo3's PanicException) too: tomli words it
        return None
    return data if _settle(data, limit) else None


def _settle(root: dict[str, Any], limit: int) -> bool:
    """Give offset datetimes tomli's tzinfo, in place; False when deeper than `limit`.

    One walk with an explicit stack (no recursion): the depth of a container is the number
    of containers from the root down to it, the root being 1.
    """
    stack: list[tuple[dict[str, Any] | list[Any], int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return False
        below = depth + 1
        pairs = node.items() if type(node) is dict else enumerate(node)
        for key, value in pairs:
            kind = type(value)
            if kind is dict or kind is list:
                stack.append((value, below))
            elif kind is datetime and value.tzinfo is not None:
                node[key] = value.replace(tzinfo=timezone(value.utcoffset()))  # type: ignore[index,arg-type]
    return True


__all__ = ["fast_loads"]

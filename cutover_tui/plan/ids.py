"""The plan's id grammar, for ids made during the night (a step added live).

A plan file's ids are checked by the model (`ID_PATTERN` on every `id`); an id typed into
`cutover do RUN add-step` or the war room's add-step form meets the same grammar here, so
`../evil` or an id holding an escape sequence is refused with one line before it is recorded.
"""

from __future__ import annotations

import re

from ..inert import inert_line
from .fields import ID_PATTERN

_ID = re.compile(ID_PATTERN)
GRAMMAR = "lowercase letters, digits and '-', starting with a letter or digit"


def id_problem(value: str, what: str = "a step id") -> str | None:
    """Why `value` is not an id of the plan's grammar, or None when it is."""
    if _ID.fullmatch(value):
        return None
    return f"'{inert_line(value, 60)}' is not {what}: {GRAMMAR}"

"""The run id nearest to a mistyped one, for a "did you mean" (run files and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Sequence


def nearest(word: str, known: Sequence[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    if match:
        return match[0]
    prefixed = [k for k in known if k.startswith(word) or re.sub(r"-\d.*", "", k) == word]
    return prefixed[-1] if prefixed else None

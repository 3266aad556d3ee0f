"""A rendered message cut to fit the journal's text limits, visibly.

A message is queued as one event, and the journal refuses an event with a text over its
limit (plan/limits.py: a subject is a text, 4,000 characters; a body 16,000). A 3,990-char
rollback reason in a subject template, or a step's long failure reason in the built-in
step-update subject, made the rollback announcement or the news unrecordable: never queued,
never sent. Cut here instead: the subject to its limit with "…" at the end, the body to its
limit with a last line saying how much was cut, so the message still goes out and its
readers know there was more (the war room holds the whole reason).
"""

from __future__ import annotations

from dataclasses import replace

from ..inert import ELLIPSIS, clip
from ..plan.limits import MAX_EVIDENCE_CHARS, MAX_LIST_ITEMS, MAX_TEXT_CHARS
from .templates import Rendered


def cut_line(text: str, limit: int) -> str:
    """`text` within `limit` characters, its last one "…" when anything was cut."""
    return clip(text, limit)


def cut_body(text: str, limit: int = MAX_EVIDENCE_CHARS) -> str:
    """`text` within `limit` characters, ending in a line that says it was cut and by how much."""
    if len(text) <= limit:
        return text
    note = (
        f"\n[{ELLIPSIS} cut here: the message was {len(text):,} characters, "
        f"{limit:,} are kept; the rest is in the war room]"
    )
    return text[: limit - len(note)] + note


def fitted(text: Rendered) -> Rendered:
    """`text` with subject, body and the names of missing values within the journal's limits."""
    missing = tuple(cut_line(name, MAX_TEXT_CHARS) for name in text.missing[:MAX_LIST_ITEMS])
    return replace(
        text,
        subject=cut_line(text.subject, MAX_TEXT_CHARS),
        body=cut_body(text.body),
        missing=missing,
    )

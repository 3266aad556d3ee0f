"""What a live pane quotes of a person's or a command's long text: one line, clipped.

Evidence may be 16,000 characters of pasted output and a reason 4,000 (plan/limits.py); in
full they pushed the gates, the triggers and the next steps off the pane. The whole text is
in the comms log (and `cutover status`, the review); a pane says where it was cut with "…".
"""

from __future__ import annotations

from ...inert import inert_line

QUOTE_CHARS = 150  # two to three rows of a pane at 80 columns


def quoted(text: str) -> str:
    """`text` on one line (a newline shows as ⏎), inert, at most QUOTE_CHARS characters."""
    return inert_line(text, QUOTE_CHARS)

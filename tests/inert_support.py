"""Hostile text for the inert-text tests (issue 12, finding 1): what a person or a plan may
write, and a check for what must never reach a terminal."""

from __future__ import annotations

import unicodedata

from hypothesis import strategies as st

from cutover_tui.engine.texts import says_nothing

# The exact attack from the issue: retitle the terminal, clear it, plant a hyperlink.
ATTACK = "\x1b]0;PWNED\x07\x1b[2J\x1b]8;;http://evil.example/\x07CLICK\x1b]8;;\x07"

SAMPLES = (
    ATTACK,
    "\x1b[31mred\x1b[0m",
    "[bold red]x[/]",
    "[link=http://evil.example/]click[/link]",
    "[operator]",
    "\u202eevil\u202c",  # right-to-left override
    "\u2066isolate\u2069",
    "\x9b2J\x9d0;PWNED\x9c",  # C1: CSI, OSC, ST as single characters
    "a\r\nb\x08\x7f\x00\x05",
    "\ufeff\u200b\u00ad",
    "x" * 1500 + ATTACK,  # long; the limits on input are another test's matter
)

# Everything a terminal would act on or that spoofs what a reader sees: C0, DEL, C1, format
# characters (bidi), separators and surrogates. ZWJ and ZWNJ are text (emoji, scripts).
_UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}
_ALLOWED = {"\u200c", "\u200d"}


def unsafe(char: str, *, layout: str = "") -> bool:
    """Whether `char` must not reach a terminal (`layout`: the controls the caller allows)."""
    if char in _ALLOWED or char in layout:
        return False
    return unicodedata.category(char) in _UNSAFE_CATEGORIES


def unsafe_in(text: str, *, layout: str = "") -> set[str]:
    return {c for c in text if unsafe(c, layout=layout)}


def _nonblank(text: str) -> str:
    """Something a reader can see (engine/texts.says_nothing: the rules refuse a note or a
    reason of only controls and zero-width marks, so such a text is never recorded)."""
    return text + "x" if says_nothing(text) else text


piece = st.one_of(
    st.sampled_from(SAMPLES),
    st.text(max_size=12),
    st.characters(max_codepoint=0x9F).map(str),
    st.sampled_from("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"),
)
# Non-blank (a note needs text), within 3,500 characters (below the input limits).
hostile = st.lists(piece, min_size=1, max_size=4).map(lambda p: _nonblank("".join(p)[:3500]))

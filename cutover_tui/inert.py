"""Inert text: what a plan, a person or a command wrote, made safe for any terminal.

Every string that came from outside the program (plan titles, ids, names, notes, reasons,
evidence, a command's output) passes through `inert` (or `inert_line` for one line of a log,
or `inert_markup` where Textual reads markup) before a terminal or a Textual widget
sees it. Nothing here imports textual (rich only for type hints).

What is made visible, one stable form each:
- C0 controls (ESC, BEL, CR, ...) as the Unicode control pictures: ESC -> "␛", BEL -> "␇",
  CR -> "␍"; DEL -> "␡". Newline and tab stay in `inert` (multi-line text); `inert_line` shows
  a newline as "⏎" and a tab as a space.
- C1 controls (U+0080-U+009F: CSI, OSC, ST as single bytes), the invisible format characters
  that can spoof what a reader sees (bidi embeddings, overrides and isolates, LRM/RLM, zero
  width space, BOM, soft hyphen, tag characters), line/paragraph separators and lone
  surrogates (which would make printing raise) as a Python-style escape: "\\x9b", "\\u202e".
- ZWJ and ZWNJ (U+200C, U+200D) stay: scripts and emoji need them and they move no cursor.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

# Every code point of category Cc, Cf, Cs, Zl or Zp (Unicode 14, Python 3.11) except ZWNJ
# and ZWJ; tests/test_inert.py checks this class against unicodedata over all of Unicode.
_UNSAFE = re.compile(
    "["
    "\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff"
    "\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    "]"
)

ELLIPSIS = "…"
NEWLINE_MARK = "⏎"


def _picture(char: str) -> str:
    """The visible stand-in for one unsafe character."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the control pictures block: ␀ .. ␟
    if code == 0x7F:
        return "␡"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _keep_layout(match: re.Match[str]) -> str:
    char = match.group()
    return char if char in "\n\t" else _picture(char)


def _one_line(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\n":
        return NEWLINE_MARK
    if char == "\t":
        return " "
    return _picture(char)


def clip(text: str, limit: int | None) -> str:
    """At most `limit` characters, the last an ellipsis when anything was cut."""
    if limit is None or len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    return text[: limit - 1] + ELLIPSIS


def _render(text: str, limit: int | None, replace: Callable[[re.Match[str]], str]) -> str:
    if limit is not None:
        # A picture is never shorter than its character, so the source can be cut first:
        # a 10 MB note costs only `limit` characters of work.
        text = text[: max(limit, 0) + 1]
    if _UNSAFE.search(text) is None:
        return clip(text, limit)
    return clip(_UNSAFE.sub(replace, text), limit)


def inert(text: object, limit: int | None = None) -> str:
    """`text` with every control and spoofing character shown visibly; newlines and tabs kept.

    `limit` caps the result at that many characters (an ellipsis marks a cut).
    """
    return _render(str(text), limit, _keep_layout)


def inert_line(text: object, limit: int | None = None) -> str:
    """Like `inert`, on one line: a newline shows as "⏎", a tab as a space."""
    return _render(str(text), limit, _one_line)


def inert_markup(text: object, limit: int | None = None, *, one_line: bool = True) -> str:
    """Inert text escaped for Textual's markup (a command palette's title and help): every
    `[` is written `\\[`, so `[bold]` and `[link=...]` show as typed, not as style.

    Every bracket, not only those before a tag name as `rich.markup.escape` does: Textual's
    parser also opens a tag at `[` before other letters, and `[Í ... \\[link=http://x/]`
    raised a MarkupError out of the palette's worker, closing the war room (the hostile-text
    property test, 2026-12-02). Backslashes stay as written: Textual shows `\\` as typed.
    Prefer building `rich.text.Text` from `inert(...)`; use this only where markup is read.
    """
    made = inert_line(text, limit) if one_line else inert(text, limit)
    return made.replace("[", "\\[")


def has_unsafe(text: str) -> bool:
    """Whether `text` holds any character `inert` would change (newline and tab aside)."""
    return any(m.group() not in "\n\t" for m in _UNSAFE.finditer(text))


def inert_rich(text: Text, *, one_line: bool = False) -> Text:
    """A Rich `Text` with every unsafe character shown visibly, its styles kept.

    The last step before a widget hands its text to Textual: whatever a pane assembled from
    plan, people and events, nothing in it moves a cursor or talks to the terminal. Text is
    never parsed as markup, so `[bold]` typed by a person already shows as typed.
    """
    replace = _one_line if one_line else _keep_layout
    plain = text.plain
    spots = [m for m in _UNSAFE.finditer(plain) if replace(m) != m.group()]
    if not spots:
        return text
    offsets = sorted({i for m in spots for i in (m.start(), m.end())})
    pictures = {m.start(): replace(m) for m in spots}
    out = text.blank_copy()
    # divide() cuts at 0, each offset and the end: piece i starts at starts[i].
    starts = [0, *offsets]
    for start, piece in zip(starts, text.divide(offsets), strict=True):
        picture = pictures.get(start) if piece.plain else None
        if picture is not None:
            styled = text.blank_copy(picture)
            for span in piece.spans:
                styled.stylize(span.style, 0, len(picture))
            piece = styled
        out.append_text(piece)
    return out

"""Texts rtoml reads otherwise than tomli: these go to tomli, whatever rtoml would say.

rtoml (toml-rs) lets a key/value pair inside an inline table run over lines, which TOML 1.0
and tomli refuse ("Invalid value", "Expected '=' after a key in a key/value pair"):

    a = { x =          a = { x          a = { x.         a = [ { x = # c
      1 }                = 1 }            y = 1 }            1 } ]

Every such split leaves a line of code that ends with `=` or `.` (before an optional comment)
or starts with `=` or `.`. With spaces and tabs (TOML's only whitespace) taken out, that is
`=` or `.` before a newline, `#` or `\r`, or after a newline: with `.` read as `=` and `#`,
`\r` as newlines (one `str.translate`), two `str.find` in C. (A regex tried at each of a
50,000-step plan's 370,000 `=` took 80 ms.) A mark on a comment line is no split. On any other (a multi-line string's prose may
end a line with `.`) a second pass blanks strings and comments (one `re.sub`) and looks again.

rtoml also orders a parent's keys otherwise when a table made by a deeper header (`[a.c]`)
is defined later by its own (`[a]`) with another table between: tomli keeps `a` where it first
appeared, rtoml moves it to the `[a]` header. A `[a]` header after one starting `[a.` or
`[[a.` goes to tomli too (names compared unquoted).

And a line break written `\r\n` inside a multi-line string is `\n` to tomli, `\r\n` to rtoml:
a text with a `\r` and a multi-line string goes to tomli (a plan saved with Windows line
endings is read as before rtoml).
"""

from __future__ import annotations

import re

from .toml_read import TOMLDecodeError, loads

# Spaces and tabs out (TOML's only whitespace), so `x =  # c` reads `x=#c`.
_NO_BLANKS = str.maketrans("", "", " \t")
# Then `.` as `=` and `#`, `\r` as a newline (offsets kept): every mark is `=\n` or `\n=`.
_FLAT = str.maketrans({".": "=", "#": "\n", "\r": "\n"})
# Strings (multi-line first) and comments; a string leaves its opening quote behind.
_STRING_OR_COMMENT = re.compile(
    r'(?P<q>")(?:""(?:[^"\\]++|\\[\s\S]|"(?!""))*+"""(?:""|")?|(?:[^"\\\n]++|\\.)*+")'
    r"|(?P<r>')(?:''(?:[^']++|'(?!''))*+'''(?:''|')?|[^'\n]*+')"
    r"|#[^\n]*+"
)
# A header, `[[` (group 1) or `[`, after a newline in the text without blanks.
_HEADER = re.compile(r"\n\[(\[)?([^\[\]\n]*)\](?(1)\])(?=[\n#\r]|\Z)")
# One part of a header's name: bare, "basic" or 'literal'.
_PART = re.compile(r"""([A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')(?:\.|$)""")


def doubtful(text: str) -> bool:
    """Whether rtoml's reading of `text` could differ from tomli's in a way its result hides."""
    if "\r" in text and ('"""' in text or "'''" in text):
        return True  # a multi-line string's CRLF: tomli reads "\n", rtoml keeps "\r\n"
    compact = text.translate(_NO_BLANKS)
    return split_pair_suspected(text, compact) or header_order_suspected(compact)


def split_pair_suspected(text: str, compact: str | None = None) -> bool:
    """Whether a key/value pair may run over lines (see above): False is certain."""
    if not _marked(text.translate(_NO_BLANKS) if compact is None else compact):
        return False  # the usual answer
    return _marked(code_only(text).translate(_NO_BLANKS))


def _marked(compact: str) -> bool:
    """Whether a line of `compact` not a comment ends or starts with a mark (see above)."""
    flat = compact.translate(_FLAT)
    if flat.startswith("=") or flat.endswith("="):
        return True
    for mark, shift in (("=\n", 0), ("\n=", 1)):
        at = flat.find(mark)
        while at >= 0:
            line = compact.rfind("\n", 0, at + shift) + 1
            if compact[line] != "#":  # a comment line ending `in it.` is no split
                return True
            at = flat.find(mark, at + 1)
    return False


def code_only(text: str) -> str:
    """`text` with each string cut to its opening quote and each comment removed."""
    return _STRING_OR_COMMENT.sub(r"\g<q>\g<r>", text)


def header_order_suspected(compact: str) -> bool:
    """Whether a `[a]` header follows one that made `a` on the way (`[a.c]`, `[[a.c]]`).

    `compact` is the text without spaces and tabs. Each header is read where it first
    stands (a repeated `[a]` is an error for both parsers), so a 50,000-step plan's
    `[[step]]` costs one regex match each and the loop below runs once per distinct name."""
    made: set[tuple[str, ...]] = set()
    for aot, name in dict.fromkeys(_HEADER.findall("\n" + compact)):
        parts = _parts(name)
        if parts is None:
            continue  # a line of a multi-line array (`[1, 2]`), or no header for rtoml either
        if not aot and parts in made:
            return True
        made.update(parts[:cut] for cut in range(1, len(parts)))
    return False


def _parts(name: str) -> tuple[str, ...] | None:
    """`a."b".'c'` -> ("a", "b", "c"); None for a name not read here."""
    found = [match.group(1) for match in _PART.finditer(name)]
    if not found or sum(len(part) + 1 for part in found) - 1 != len(name):
        return None
    return tuple(_unquoted(part) for part in found)


def _unquoted(part: str) -> str:
    if part[0] == "'":
        return part[1:-1]
    if part[0] == '"':  # escapes (tomli-w writes "\u001f") read by tomli itself: rare
        try:
            return loads(f"k = {part}")["k"] if "\\" in part else part[1:-1]
        except TOMLDecodeError:
            return part  # a bad escape: rtoml refuses the header too
    return part


__all__ = ["code_only", "doubtful", "header_order_suspected", "split_pair_suspected"]

"""Map TOML key paths to the line they are written on.

tomllib gives values without positions, so this reads the text once more, line by line, and
records where each table, array-of-tables entry and key starts. Good enough for hand-written
plans: inline tables and multi-line arrays resolve to the line of their key.
"""

from __future__ import annotations

import re

from .errors import Loc

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)
_PART = re.compile(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""")


def _parts(dotted: str) -> list[str]:
    return [p.strip("\"'") for p in _PART.findall(dotted)]


def _open_string(text: str, open_quote: str | None) -> str | None:
    """The multi-line string delimiter still open at the end of `text`, if any.

    `open_quote` is the one open at its start. The quotes are read in order, so a ''' inside a
    basic string, or three double quotes inside a one-line string, is not taken for a delimiter.
    """
    if open_quote is None and '"' not in text and "'" not in text:
        return None
    i, n = 0, len(text)
    while i < n:
        if open_quote:
            end = text.find(open_quote, i)
            while end > 0 and open_quote == '"""' and _escaped(text, end):
                end = text.find(open_quote, end + 1)
            if end < 0:
                return open_quote
            i = end + 3
            while i < n and text[i] == open_quote[0]:
                i += 1  # up to two quotes may end the content right before the delimiter
            open_quote = None
            continue
        char = text[i]
        if char == "#":
            return None
        if text.startswith(('"""', "'''"), i):
            open_quote = text[i : i + 3]
            i += 3
        elif char in "\"'":
            end = text.find(char, i + 1)
            while end > 0 and char == '"' and _escaped(text, end):
                end = text.find(char, end + 1)
            i = n if end < 0 else end + 1
        else:
            i += 1
    return open_quote


def _escaped(text: str, at: int) -> bool:
    """Whether the character at `at` follows an odd number of backslashes."""
    before = text[:at]
    return (len(before) - len(before.rstrip("\\"))) % 2 == 1


class KeyLocator:
    """Built when first asked: a plan without problems never asks, and on a 50,000-step
    plan this reading was a third of the load and hundreds of MB of key paths."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: dict[Loc, int] | None = None

    @property
    def lines(self) -> dict[Loc, int]:
        if self._lines is None:
            self._lines = self._read(self._text)
            self._text = ""
        return self._lines

    def _read(self, text: str) -> dict[Loc, int]:
        lines: dict[Loc, int] = {}
        counters: dict[tuple[str, ...], int] = {}
        table: Loc = ()
        in_multiline: str | None = None
        for number, line in enumerate(text.split("\n"), start=1):  # as TOML counts lines
            if in_multiline:
                in_multiline = _open_string(line, in_multiline)
                continue
            header = _HEADER.match(line)
            if header:
                names = _parts(header.group(2))
                # A header inside an array-of-tables entry ([step.estimate] after [[step]])
                # belongs to that entry: put its index into the path.
                path: list[str | int] = []
                for depth, name in enumerate(names):
                    path.append(name)
                    key = tuple(names[: depth + 1])
                    is_last = depth == len(names) - 1
                    if is_last and header.group(1) == "[[":
                        counters[key] = counters.get(key, 0) + 1
                    if key in counters:
                        path.append(counters[key] - 1)
                table = tuple(path)
                # Every prefix too: `[[triggers]]` is reported at ("triggers",), and a table
                # made only by `[[rollback.step]]` at ("rollback",).
                for cut in range(1, len(path) + 1):
                    lines.setdefault(table[:cut], number)
                continue
            key = _KEY.match(line)
            if key:
                lines.setdefault((*table, *_parts(key.group(1))), number)
            in_multiline = _open_string(line[key.end() :] if key else line, None)
        return lines

    def line_of(self, loc: Loc) -> int | None:
        """The line of the longest known prefix of `loc`."""
        for cut in range(len(loc), 0, -1):
            found = self.lines.get(tuple(loc[:cut]))
            if found:
                return found
        return None

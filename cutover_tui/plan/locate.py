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


class KeyLocator:
    def __init__(self, text: str) -> None:
        self.lines: dict[Loc, int] = {}
        counters: dict[tuple[str, ...], int] = {}
        table: Loc = ()
        in_multiline: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if in_multiline:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
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
                self.lines.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                self.lines.setdefault((*table, *_parts(key.group(1))), number)
                rest = line[key.end() :]
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2 == 1:
                        in_multiline = quote

    def line_of(self, loc: Loc) -> int | None:
        """The line of the longest known prefix of `loc`."""
        for cut in range(len(loc), 0, -1):
            found = self.lines.get(tuple(loc[:cut]))
            if found:
                return found
        return None

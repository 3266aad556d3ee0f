"""What a check's output says: its named numbers, and the named values it prints that are no
number this reads (plan/numbers.py says which).

`name=TOKEN` or `name: TOKEN` on one line names a value; the token is everything up to the next
whitespace (a no-break or thin space between digits belongs to it, and so do three-digit groups
after ordinary spaces, so `rows=48 112 007` is seen whole and refused, never read as 48). The
last of a name wins, read or not. `value` is the last number printed anywhere, unless a pair
names it. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .numbers import Unreadable, read_number, strip_trailing

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_PAIR = re.compile(rf"(?<![A-Za-z0-9_])({_NAME})[ \t]*[=:][ \t]*(?=\S)")
# Three-digit groups after spaces, each ending where no word goes on ("5 100ms" is 5 and a time).
_SPACE_GROUPS = r"(?: \d{3}(?!\w))*"
_TOKEN = re.compile(rf"(?:\S|[\u00a0\u202f\u2009](?=\d))+{_SPACE_GROUPS}")
_NUMBERISH = re.compile(
    r"(?<![\w.])[-+]?(?:\d|\.\d)(?:[\d.,_]|[\u00a0\u202f\u2009](?=\d))*(?:[eE][-+]?\d+)?"
    + _SPACE_GROUPS
)  # "0.5s" is 0.5: a unit after a number does not hide it here
# Colour and title escapes (CSI, OSC) are not part of a value: "\x1b[31mrows=4" prints rows=4.
ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b]*(?:\x07|\x1b\\)?"
)


@dataclass(frozen=True)
class Unread:
    """A value printed under a name that is not a number read: the token and why."""

    token: str
    reason: str


@dataclass
class Readings:
    values: dict[str, float] = field(default_factory=dict)
    unreadable: dict[str, Unread] = field(default_factory=dict)

    def put(self, name: str, token: str) -> None:
        number = read_number(token)
        if isinstance(number, Unreadable):
            self.values.pop(name, None)
            self.unreadable[name] = Unread(token, str(number))
        else:
            self.unreadable.pop(name, None)
            self.values[name] = number

    def names(self, name: str) -> bool:
        return name in self.values or name in self.unreadable


def read_output(output: str) -> Readings:
    """The named values `output` prints, read or refused, and `value`."""
    output = ESCAPES.sub("", output)
    readings = Readings()
    for pair in _PAIR.finditer(output):
        token = _TOKEN.match(output, pair.end())
        if token is not None:  # the lookahead saw a non-space, so a token is there
            readings.put(pair[1], strip_trailing(token[0]) or token[0])
    if not readings.names("value"):
        numbers = _NUMBERISH.findall(output)
        if numbers:
            readings.put("value", strip_trailing(numbers[-1]))
    return readings

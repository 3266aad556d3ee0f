"""Numbers as a check's output prints them, read whole or not at all.

A check's `expect` compares numbers read from what a command prints (plan/expect.py). A
number is read as one whole token, never a prefix of one: `rows=48,112,007` is 48112007, not
48. What is read:

- plain: `1000`, `-2.5`, `.5`, `1e3` (a `%` after it is not part of it: `42%` is 42);
- digit groups of three after a first group of one to three digits, all with one separator:
  a comma (`48,112,007`, with a decimal point after it: `1,234.5`), an underscore
  (`48_112_007`) or a no-break, narrow no-break or thin space (`48 112 007` as SI and
  French locales print it).

What is not read, with the reason (the check then fails saying it cannot read the value):

- one comma group and no decimal point (`1,500`): 1500 in one locale, 1.5 in another (a shell's
  `printf "%.3f"` under a decimal-comma locale prints `1,500`);
- a comma that groups nothing (`1,5`, `1,50`): a decimal comma or a list, not guessed;
- groups apart by ordinary spaces (`48 112 007`): one number or three, not guessed;
- anything else: `1e400` (not finite), `nan`, `12ms`, `1.2.3`, `48.112.007`.

Pure: no I/O.
"""

from __future__ import annotations

import math
import re

# One group separator throughout: comma, underscore, no-break, narrow no-break or thin space.
_GROUP_SEPARATORS = ",_\u00a0\u202f\u2009"
_PLAIN = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_GROUPED = re.compile(
    rf"[-+]?\d{{1,3}}(?P<sep>[{_GROUP_SEPARATORS}])\d{{3}}(?:(?P=sep)\d{{3}})*(?P<frac>\.\d+)?"
)
_COMMA_DECIMAL = re.compile(r"[-+]?\d+,\d+")
_SPACE_GROUPS = re.compile(r"[-+]?\d{1,3}(?: \d{3})+")
# What a token may end with that is not part of it: "rows=5." ends a sentence, "rows=5," a list,
# "cpu: 42%" a unit the expect is written in ("cpu < 90"), as it was read before.
TRAILING = ".,;:)]}'\"%"


class Unreadable(str):
    """Why a token is not read as a number (a str: the reason, shown to the operator)."""


def read_number(token: str) -> float | Unreadable:
    """`token` (already stripped of trailing punctuation) as a finite float, or why not."""
    if _PLAIN.fullmatch(token):
        value = float(token)
        return value if math.isfinite(value) else Unreadable("not a finite number")
    grouped = _GROUPED.fullmatch(token)
    if grouped:
        if grouped["sep"] == "," and token.count(",") == 1 and not grouped["frac"]:
            return Unreadable("one comma group: 1,500 is 1500 or 1.5; print 1500")
        return float(token.replace(grouped["sep"], ""))
    if _COMMA_DECIMAL.fullmatch(token):
        return Unreadable("a decimal comma or a list, not guessed")
    if _SPACE_GROUPS.fullmatch(token):
        return Unreadable("digits apart by spaces: one number or several, not guessed")
    return Unreadable("not a number")


def strip_trailing(token: str) -> str:
    """The token without what ends a sentence or a list after it ("5." or "1,000,")."""
    return token.rstrip(TRAILING + "\u00a0\u202f\u2009")

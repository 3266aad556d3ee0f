"""The bounds on what enters the product: plan files, durations, windows, recorded text.

Every limit lives here, named, so that the refusals, the tests and docs/plan-format.md
("Limits") say the same figures. A refusal names the limit it met.
"""

from __future__ import annotations

import os
import re
import stat
from datetime import UTC, datetime, timedelta
from itertools import accumulate, repeat
from operator import sub
from pathlib import Path

MAX_PLAN_BYTES = 16 * 1024 * 1024  # a 50,000-step plan is about 6 MiB
MAX_TOML_DEPTH = 16  # the format needs 4 ([[rollback.step]] with an inline estimate)
MAX_WINDOW = timedelta(days=60)  # multi-week migrations fit; a typo of a year does not
MAX_STEP = timedelta(days=7)  # a step's budget, unless the window is longer still
MAX_TEXT_CHARS = 4_000  # a note, a reason, a title, an accepted risk: one screenful
MAX_EVIDENCE_CHARS = 16_000  # checkpoint evidence and a message body: pasted output
MAX_LIST_ITEMS = 1_000  # predecessors, risks, audiences named in one event
MAX_AT_REACH = timedelta(days=366)  # how far from now a typed time (--at, --eta) may be


class LimitError(ValueError):
    """Input past one of the limits; the message names the limit."""


def longest_step(window: timedelta) -> timedelta:
    """The longest budget a step may have in a window this long: 7 days, or the window."""
    return max(MAX_STEP, min(window, MAX_WINDOW))


def read_plan_bytes(path: str | Path) -> bytes:
    """The plan file's bytes, read no further than the size limit allows.

    A FIFO, a device such as /dev/zero or a directory is refused before any read: a plan
    is a regular file. OSError propagates for the caller to say in words.
    """
    with open(path, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise LimitError("not a regular file; a plan is a TOML file")
        data = handle.read(MAX_PLAN_BYTES + 1)
    if len(data) > MAX_PLAN_BYTES:
        raise LimitError(f"larger than {MAX_PLAN_BYTES // (1024 * 1024)} MiB, the limit for a plan")
    return data


def check_plan_size(text: str) -> None:
    """Plan text (from a file or a run's copy) within the size limit, counted in characters
    (a cheap lower bound of its bytes)."""
    if len(text) > MAX_PLAN_BYTES:
        raise LimitError(f"larger than {MAX_PLAN_BYTES // (1024 * 1024)} MiB, the limit for a plan")


# Strings and comments first (so that a bracket or dot inside one never counts), fast: the
# unrolled form of a basic string is many times quicker than an alternation per character.
_STRINGS = re.compile(
    r'"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
    r"|'''.*?'''"
    r"|'[^'\n]*'"
    r"|#[^\n]*",
    re.DOTALL,
)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = str.maketrans({"[": "+", "{": "+", "]": "-", "}": "-"})


def toml_depth_problem(text: str, limit: int = MAX_TOML_DEPTH) -> tuple[int, str] | None:
    """(line, message) when the TOML nests deeper than `limit`, else None.

    Run before tomllib: its parser recurses once per level (100,000 nested arrays end in
    RecursionError) and a 100,000-part dotted key takes minutes. Brackets and the parts of
    one dotted key are each held to `limit`. Linear, in C for the most part: about a fifth
    of tomllib's own time on a 50,000-step plan.
    """
    bare = _STRINGS.sub('""', text)
    # A key of `limit` + 1 parts has `limit` dots.
    too_many_dots = re.compile(r"(?:\.[^.=,\[\]{}\n]*){" + str(limit) + "}")
    deep = too_many_dots.search(bare) is not None or _bracket_depth(bare) > limit
    if not deep:
        return None
    return _line_past(text, limit), f"nested deeper than {limit} levels, the limit for a plan"


def _bracket_depth(bare: str) -> int:
    """The deepest nesting, a closing bracket never taking the depth below 0.

    The clamped walk (depth = max(0, depth + step)) is the running sum less the lowest it
    has been below 0 so far: the same number from three `accumulate`s in C, where the loop
    in Python took half a second on 300,000 brackets (50,000 steps).
    """
    steps = _NOT_BRACKETS.sub("", bare).translate(_BRACKET_STEP).encode("ascii")
    if not steps:
        return 0
    sums = list(accumulate(map(sub, repeat(44), steps)))  # "+" is 43: 1; "-" is 45: -1
    lowest = accumulate(sums, min, initial=0)
    next(lowest)  # the 0 before the first bracket
    return max(0, max(map(sub, sums, lowest)))


def _line_past(text: str, limit: int) -> int:
    """The line where the nesting first passes `limit` (on the rare refusal only)."""
    depth = dots = 0
    bare = _STRINGS.sub(_same_lines, text)  # the same lines, the strings emptied
    for match in re.finditer(r"[\[\]{}=,\n]|\.+", bare):
        token = match.group()
        if token in "[{":
            depth, dots = depth + 1, 0
        elif token in "]}":
            depth, dots = max(0, depth - 1), 0
        elif token[0] == ".":
            dots += len(token)
        else:
            dots = 0
        if depth > limit or dots >= limit:
            return bare.count("\n", 0, match.start()) + 1
    return 1


def _same_lines(match: re.Match[str]) -> str:
    return '""' + "\n" * match.group().count("\n")


def within_reach(moment: datetime, now: datetime, text: str) -> datetime:
    """`moment` in UTC, if it is within MAX_AT_REACH of `now` (a time typed for `--at` or
    `--eta`); LimitError naming the limit otherwise. Years 0001 and 9999 overflowed the
    date arithmetic downstream."""
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        raise LimitError(f"{text!r} is past the end of the calendar") from None
    if abs(utc - now) > MAX_AT_REACH:
        raise LimitError(
            f"{text!r} is more than a year from now ({now:%Y-%m-%d}); "
            "a time given must be within a year"
        )
    return utc

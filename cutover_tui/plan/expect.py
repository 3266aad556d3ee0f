"""The expected-value grammar of a check: `expect = "source_rows == target_rows"`.

    expect    := operand OP operand [ TOL ]
    operand   := a number (`1000`, `-2.5`, `1e3`) | a name (`rows`, `target_rows`, `value`)
    OP        := == | != | < | <= | > | >=
    TOL       := ("+-" | "±") number ["%"]     how far apart `==` (and `!=`) may be and count
                                                as equal; a percentage is of the right side

Names are read from the check's output (`values_from`, plan/readings.py): every `name=NUMBER`
or `name: NUMBER` it prints, and `value`, the last number printed (an HTTP probe's `value` is
its JSON value, or its latency in milliseconds). A number is read whole or not at all
(plan/numbers.py): a name whose value is no number read fails the check saying so. Pure: no
I/O, used by plan validation (the parse) and by the conductor's check runner (the evaluation).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..inert import inert_line
from .readings import Unread, read_output

OPERATORS = ("==", "!=", "<=", ">=", "<", ">")
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_OPERAND = rf"(?:{_NUMBER}|{_NAME})"
_GRAMMAR = re.compile(
    rf"^\s*(?P<left>{_OPERAND})\s*(?P<op>==|!=|<=|>=|<|>)\s*(?P<right>{_OPERAND})"
    rf"\s*(?:(?:\+-|±)\s*(?P<tol>{_NUMBER})\s*(?P<pct>%)?)?\s*$"
)
_IS_NUMBER = re.compile(rf"^{_NUMBER}$")
MAX_EXPECT_CHARS = 200
MAX_TOKEN_SHOWN = 40  # of a value that is not read, in the line that says so


class ExpectError(ValueError):
    """An `expect` the grammar does not read; the message says how to write it."""


@dataclass(frozen=True)
class Expectation:
    left: str | float
    op: str
    right: str | float
    tolerance: float = 0.0
    percent: bool = False

    def names(self) -> list[str]:
        return [side for side in (self.left, self.right) if isinstance(side, str)]

    def __str__(self) -> str:
        text = f"{_show(self.left)} {self.op} {_show(self.right)}"
        if self.tolerance:
            text += f" +- {_number(self.tolerance)}{'%' if self.percent else ''}"
        return text


def _show(side: str | float) -> str:
    return side if isinstance(side, str) else _number(side)


def _number(value: float) -> str:
    """Exact (repr, so it reads back the same), without a needless ".0"."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def parse_expect(text: str) -> Expectation:
    """`text` as an Expectation, or ExpectError naming what is wrong."""
    if not isinstance(text, str):
        raise ExpectError(f'expect is a string like "rows >= 1000", not {text!r}')
    if len(text) > MAX_EXPECT_CHARS:
        raise ExpectError(f"expect is {len(text)} characters; {MAX_EXPECT_CHARS} is the limit")
    match = _GRAMMAR.match(text)
    if match is None:
        raise ExpectError(
            f'{text!r} is not an expectation; write it like "rows >= 1000", '
            f'"source_rows == target_rows" or "value == 42 +- 1%"'
        )
    left, right = _operand(match["left"]), _operand(match["right"])
    tol = float(match["tol"]) if match["tol"] else 0.0
    if not math.isfinite(tol) or tol < 0:
        raise ExpectError(f"the tolerance in {text!r} must be a positive number")
    if tol and match["op"] not in ("==", "!="):
        raise ExpectError(f"a tolerance (+-) is read only with == or !=, not {match['op']}")
    for side in (left, right):
        if isinstance(side, float) and not math.isfinite(side):
            raise ExpectError(f"{text!r} compares with a number too large to read")
    # A zero tolerance has no unit: "+- 0%" is "+- 0", so it reads back as written (str drops it).
    return Expectation(left, match["op"], right, tol, bool(match["pct"]) and tol > 0)


def _operand(text: str) -> str | float:
    return float(text) if _IS_NUMBER.match(text) else text


def values_from(output: str) -> dict[str, float]:
    """The named numbers an output prints (`rows=1000`, `rows: 1000`; the last one of a name
    wins) and `value`, the last number printed anywhere, unless it names one itself."""
    return read_output(output).values


def evaluate(
    expectation: Expectation,
    values: dict[str, float],
    unreadable: Mapping[str, Unread] | None = None,
) -> tuple[bool, str]:
    """Whether the values meet the expectation, and a line saying what was compared.
    `unreadable`: names the output gave a value this does not read (`read_output`)."""
    sides: list[float] = []
    for side in (expectation.left, expectation.right):
        if isinstance(side, str):
            if side not in values and unreadable and side in unreadable:
                return False, _cannot_read(expectation, side, unreadable[side])
            if side not in values:
                return False, f"{expectation}: the output names no {side!r}"
            sides.append(values[side])
        else:
            sides.append(side)
    left, right = sides
    op = expectation.op
    slack = expectation.tolerance * (abs(right) / 100 if expectation.percent else 1)
    equal = abs(left - right) <= slack
    ok = {
        "==": equal,
        "!=": not equal,
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
    }[op]
    shown = f"{_figure(left)} {op} {_figure(right)}" + (f" (+- {slack:g})" if slack else "")
    named = ", ".join(f"{n}={_figure(values[n])}" for n in expectation.names() if n in values)
    return (
        ok,
        f"{expectation}: {shown}{f' [{named}]' if named else ''} {'holds' if ok else 'FAILS'}",
    )


def _figure(value: float) -> str:
    """A whole number in full (48112007, not 4.8112e+07, which hides a mismatch), else :g."""
    value = float(value)  # a caller's int has no is_integer() before Python 3.12
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:g}"


def _cannot_read(expectation: Expectation, name: str, unread: Unread) -> str:
    token = inert_line(unread.token, MAX_TOKEN_SHOWN)
    return f"{expectation}: cannot read {name}={token!r} as a number ({unread.reason}) FAILS"

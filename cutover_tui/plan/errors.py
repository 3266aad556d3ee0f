"""Located problems in a plan file: what is wrong, where, and the nearest valid alternative."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
Loc = tuple[str | int, ...]


def format_loc(loc: Loc) -> str:
    """('step', 12, 'after', 0) -> 'step[12].after[0]'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def nearest(word: str, choices: Iterable[str]) -> str | None:
    """The closest valid id or key to a misspelt one, if any is close enough."""
    found = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    loc: Loc
    message: str
    hint: str | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        key = f" {format_loc(self.loc)}:" if self.loc else ""
        tail = f" (did you mean '{self.hint}'?)" if self.hint else ""
        label = "" if self.severity == "error" else " warning:"
        return f"{where}:{label}{key} {self.message}{tail}"


class PlanError(Exception):
    """A plan that cannot be used, with every problem found in it."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

"""Every printer of the `cutover` command, made inert in one place.

`main` runs each sub-command with stdout and stderr wrapped: whatever a printer writes (plan
titles, ids, names, notes, reasons, a refusal quoting what was typed, argparse echoing an
argument) passes through `inert` on its way out, so no control character or escape sequence
from a plan, a person or a command's output reaches the terminal. Newlines and tabs pass.

The one printer that colours its own output (the rehearsal chart on a terminal) writes its
colours through `write_trusted`, which keeps SGR colour sequences and nothing else.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TextIO

from ..inert import inert, inert_line

# Select Graphic Rendition (colours, bold) and nothing else: no cursor, title or link.
_SGR = re.compile(r"\x1b\[[0-9;]*m")


class InertWriter:
    """A text stream that shows control characters visibly on their way to `trusted`."""

    def __init__(self, trusted: TextIO) -> None:
        self.trusted = trusted

    def write(self, text: str) -> int:
        self.trusted.write(inert(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> object:  # flush, isatty, fileno, encoding, close...
        return getattr(self.trusted, name)


@contextmanager
def inert_output() -> Iterator[None]:
    """stdout and stderr wrapped by `InertWriter` for the duration (restored after)."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = InertWriter(out), InertWriter(err)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def say_line(line: object, out: TextIO | None = None) -> None:
    """Print `line` as one inert line: text of a person, a plan or a file that should stand
    on one line (a name, a subject, a sheet's cell) may hold a line break, which would start
    a line of its own (`cutover import`'s report, `cutover comms`' listings)."""
    print(inert_line(line), file=out or sys.stdout)


def keep_colours(text: str) -> str:
    """`text` inert except its SGR colour sequences (a chart the program drew itself)."""
    pieces: list[str] = []
    position = 0
    for match in _SGR.finditer(text):
        pieces.append(inert(text[position : match.start()]))
        pieces.append(match.group())
        position = match.end()
    pieces.append(inert(text[position:]))
    return "".join(pieces)


def write_trusted(text: str) -> None:
    """Print `text` (with a newline) keeping its colours, past the inert wrapper."""
    stream = getattr(sys.stdout, "trusted", sys.stdout)
    stream.write(keep_colours(text) + "\n")


def inert_excepthook(kind: type[BaseException], value: BaseException, tb: object) -> None:
    """The last net (`sys.excepthook`, set by `main`): a traceback that escapes every command
    is printed after the wrapped streams are restored, and its message may quote a plan's
    title: it is printed inert too, so an OSC 52 in that title never reaches the terminal."""
    import traceback

    text = "".join(traceback.format_exception(kind, value, tb))  # type: ignore[arg-type]
    sys.stderr.write(inert(text))

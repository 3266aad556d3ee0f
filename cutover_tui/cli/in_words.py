"""The last net under every command: a failure that reached `main` is said in one line.

Each command says its own refusals; this catches what comes up from below them: a runs
directory or file the user may not read (PermissionError from Path.is_file), a database
SQLite cannot read, an event body the models refuse (a row written by hand or by another
version), a date past the calendar's end. A traceback tells an operator at 3 a.m. nothing.
"""

from __future__ import annotations

import sqlite3

from pydantic import ValidationError

# What a command may meet from the layers below it, and is said here in words.
SAID = (OSError, sqlite3.Error, ValidationError, OverflowError, RecursionError)


def failure_line(command: str, target: str | None, exc: BaseException) -> str:
    """One line for `exc`, naming the command, what it was working on and what went wrong."""
    where = f"cutover {command}: " + (f"{target}: " if target else "")
    if isinstance(exc, PermissionError):
        name = exc.filename or "the runs directory"
        return f"{where}permission denied: cannot read {name} (are you in the run's group?)"
    if isinstance(exc, OSError):
        what = f" {exc.filename}" if exc.filename else ""
        return f"{where}cannot read{what}: {exc.strerror or exc}"
    if isinstance(exc, sqlite3.Error):
        return f"{where}the run's database cannot be read: {exc}"
    if isinstance(exc, ValidationError):
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": str(exc.title)}
        loc = ".".join(str(part) for part in first["loc"]) or exc.title
        return (
            f"{where}the journal holds an event this version cannot read ({loc}: "
            f"{first['msg']}); `cutover verify` checks the run"
        )
    if isinstance(exc, OverflowError):
        return f"{where}a time out of range ({exc})"
    if isinstance(exc, RecursionError):
        return f"{where}input nested too deeply to read"
    return f"{where}{type(exc).__name__}: {exc}"

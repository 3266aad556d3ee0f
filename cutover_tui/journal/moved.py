"""A run file whose run moved to PostgreSQL (`cutover migrate`) takes no more events.

The file stays as the evidence of the night up to the move, but a second writer on it made
two diverging journals: a user pass (2026-12-02) appended `#27` to both, and the file's
conductor mailed an incident reminder the PostgreSQL one mailed too. `cutover migrate`
writes one row in the file's `moved_to` table, in the same write transaction that read the
rows it copied, so nothing lands in the file between the copy and the mark. Every append
(journal/store.py, the fast path's cli/do_fast.py) asks `moved_refusal` inside its own write
transaction and is refused, in one line naming where the run went; a conductor's claim of a
message is an append too, so nothing is sent from the file either.

What reads the file says so too, in one line (`Moved.line`): `cutover status` (and its
JSON's `moved`), `cutover runs`, the war room opened on the file (read-only, the line in its
status bar) and its conductor, which stops (a user pass, 2026-12-02: each showed a live-looking
run going silently stale while the night went on in PostgreSQL).

Plain SQL (no pydantic): the fast path and the listing ask it too.
"""

from __future__ import annotations

import shlex
import sqlite3
from dataclasses import dataclass

TABLE = "moved_to"
# Never shown from a mark, whatever it holds.
SECRET_PARAMS = ("password", "sslpassword")


def mark(db: sqlite3.Connection, where: str, at: str, by: str) -> None:
    """Record, in the caller's write transaction, that the run moved to `where` (a URL with
    its password hidden) at `at` (ISO) by `by` (login@host)."""
    db.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} (url TEXT NOT NULL, at TEXT NOT NULL, by TEXT NOT NULL)"
    )
    db.execute(f"INSERT INTO {TABLE} VALUES (?, ?, ?)", (where, at, by))


@dataclass(frozen=True)
class Moved:
    """Where the run went: a URL (its password hidden), when (ISO, to the minute) and by whom.

    The mark is outside the file's hash chain and any group member may write it: its URL is
    shown (`shown`: never a password, whatever the mark holds) and a command naming it is
    printed only when it is one migrate writes (`problem`), never opened by itself."""

    url: str
    at: str
    by: str

    def problem(self) -> str | None:
        """Why the URL is not one `cutover migrate` writes (postgres.shareable's form), or None."""
        from ..inert import inert_line
        from .postgres import is_url, shareable

        if (
            not is_url(self.url)
            or inert_line(self.url) != self.url
            or shareable(self.url) != self.url
        ):
            return (
                "its URL is not one cutover migrate writes (user, host, port, database and "
                "connection settings only)"
            )
        return None

    def shown(self) -> str:
        """The URL to show: as written when migrate writes such; else what it holds, its
        password left out (a mark is anyone's text: shown, not obeyed)."""
        if self.problem() is None:
            return self.url
        from psycopg import Error
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        from .postgres import is_url, url_of

        try:
            parts = conninfo_to_dict(self.url)
        except Error:
            return "an unreadable URL"
        parts = {key: value for key, value in parts.items() if key not in SECRET_PARAMS}
        if not is_url(self.url):
            return make_conninfo(**parts)
        named = ("user", "host", "port", "dbname")
        return url_of(parts, {key: value for key, value in parts.items() if key not in named})

    def command(self, verb: str, run_id: str) -> str | None:
        """`cutover VERB RUN --journal URL`, shell-quoted, or None for a URL migrate never writes."""
        if self.problem() is not None:
            return None
        return f"cutover {verb} {run_id} --journal {shlex.quote(self.url)}"

    def line(self) -> str:
        """What a reader of the file is told, in one line (made inert by whoever shows it)."""
        problem = self.problem()
        then = problem or f"the run goes on with --journal {shlex.quote(self.url)}"
        return (
            f"MOVED to {self.shown()} at {self.at} (cutover migrate by {self.by}): this file "
            f"stopped there; {then}"
        )

    def goes_on(self, run_id: str, read_only: bool) -> str:
        """What a war room open on the file says (made inert by whoever shows it): where the
        run went and the command that opens it there, to be typed once the war room is left
        (stop note, 2026-12-03: it said only `--journal URL`, and one reopened by hand)."""
        then = self.command("follow" if read_only else "run", run_id)
        return (
            f"MOVED to {self.shown()} at {self.at} (cutover migrate by {self.by}): the run goes "
            f"on there: {then or self.problem()}"
        )

    def as_json(self) -> dict[str, str]:
        return {"to": self.shown(), "at": self.at, "by": self.by}


def moved_to(db: object) -> Moved | None:
    """Where this file's run moved, or None (never moved, or not a run file's connection:
    PostgreSQL itself, the locked service's client)."""
    if not isinstance(db, sqlite3.Connection):
        return None
    try:
        row = db.execute(f"SELECT url, at, by FROM {TABLE} ORDER BY rowid LIMIT 1").fetchone()
    except sqlite3.OperationalError:  # no such table: never moved
        return None
    return None if row is None else Moved(*(str(value) for value in row))


def moved_of(journal: object) -> Moved | None:
    """Where a journal's run moved: a run file's (its `db`); None for PostgreSQL itself and
    the locked service's client, which have no such file."""
    return moved_to(getattr(journal, "db", None))


def moved_line(db: object) -> str | None:
    """`Moved.line` of this file's run, or None while it has not moved, or when the mark
    cannot be read: the listing says a damaged file is NOT TRUSTED (a damaged page of the
    mark failed `cutover runs` whole, every other run unlisted). The append's refusal
    (`moved_refusal`) reads it strictly: a damaged mark takes no event."""
    try:
        where = moved_to(db)
    except sqlite3.DatabaseError:
        return None
    return None if where is None else where.line()


def moved_refusal(db: sqlite3.Connection) -> str | None:
    """Why nothing more is appended to this file (its run moved), or None."""
    where = moved_to(db)
    if where is None:
        return None
    then = where.problem() or f"name the run with --journal {shlex.quote(where.url)}"
    return (
        f"this run moved to PostgreSQL at {where.at} (cutover migrate by {where.by}): the "
        f"file takes no more events; {then}"
    )

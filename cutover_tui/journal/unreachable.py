"""A journal that cannot be reached (its PostgreSQL server down, restarting or cut off) is
not a damaged one: the checks that call any database error damage (trust.guard, the chain's
verification, the listing) let this one through, to be said as what it is, in one line.
No import beyond sqlite3: a SQLite-only command pays nothing for it."""

from __future__ import annotations

import sqlite3


class JournalUnreachable(sqlite3.DatabaseError):
    """The connection to the journal's server was lost or could not be made."""

"""A run in PostgreSQL: the same journal as a SQLite file, for war rooms beyond one host.

One run = one PostgreSQL schema named by the run's id, holding the same tables as a run file
(meta, events, lease, high_water, run_index; journal.pg_schema makes them), so every query
of the journal (store.py, trust.py, seen.py, lease.py) runs unchanged through
journal.pg_sql's adapter. `PgJournal` is a `Journal`: the same append (check and insert in
one transaction under the run's advisory lock: pg_sql says why not SERIALIZABLE), the same
idempotency keys, hash chain, seal, verify and lease. What PostgreSQL adds:

- UPDATE, DELETE and TRUNCATE of events and meta are refused by triggers named as SQLite's
  (trust.missing_triggers checks them alike; `*_no_replace` is TRUNCATE here, the way
  around row triggers that PostgreSQL has where SQLite has INSERT OR REPLACE), and a host's
  role may be granted only INSERT and SELECT on events (`grant`): then even a role that
  drops nothing cannot change a row, triggers or not.
- Each event row records where it came from: `origin` (the OS login and host name of the
  process, as this process knows them) and `db_role` (set by the server, `current_user`:
  not something a client can claim). Both sit beside the chained body, not in it.
- Followers are told: an AFTER INSERT trigger NOTIFYs on a channel named by the run, on
  commit; `data_version()` drains those notifications from a second connection that LISTENs
  (no query when nothing happened), and `wait_for_change()` blocks on its socket.
"""

from __future__ import annotations

import hashlib
import select
import socket
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from ..engine.events import Event
from .identity import os_login
from .pg_schema import build_schema
from .pg_sql import PgConnection, PgError, not_connected, one_line
from .run_files import run_id_problem
from .store import SCHEMA_VERSION, Journal, JournalError, RunInfo, _nearest, new_run_meta

if TYPE_CHECKING:
    from ..plan import LoadedPlan  # hints only: loading is imported when used

URL_PREFIXES = ("postgresql://", "postgres://")
CONNECT_TIMEOUT_S = 5


def is_url(text: str | None) -> bool:
    return bool(text) and text.startswith(URL_PREFIXES)


def redact(url: str) -> str:
    """The URL without its password, for every message and listing."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.Error:
        return url.split("@")[-1] if "@" in url else url
    return url_of(parts, {})


# What a run's move mark keeps of migrate's URL besides user, host, port and database: how
# to reach the server safely (TLS, its CA, which server of several), nothing secret and
# nothing per-user (no password, passfile, client key or certificate, service file, options).
SHARED_PARAMS = (
    *("sslmode", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "sslnegotiation"),
    *("ssl_min_protocol_version", "ssl_max_protocol_version", "channel_binding"),
    *("require_auth", "gssencmode", "krbsrvname", "requirepeer"),
    *("target_session_attrs", "load_balance_hosts", "connect_timeout"),
)


def shareable(url: str) -> str:
    """The URL as a run's move mark keeps it and prints it to others (journal/moved.py):
    `redact`'s, plus the parameters of SHARED_PARAMS it was given, in their order."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.Error:
        return redact(url)
    return url_of(parts, {key: parts[key] for key in SHARED_PARAMS if parts.get(key)})


def url_of(parts: dict[str, Any], params: dict[str, str]) -> str:
    """A URL of libpq's parts (user, host, port, dbname) and `params` in its query."""
    host = parts.get("host") or "localhost"
    port = f":{parts['port']}" if parts.get("port") else ""
    user = f"{quote(parts['user'], safe='')}@" if parts.get("user") else ""
    dbname = quote(parts.get("dbname", ""), safe="")
    if host.startswith("/"):  # a Unix socket's directory goes in the query, as libpq takes it
        params = {"host": host, **({"port": port[1:]} if port else {}), **params}
        host = port = ""
    query = "&".join(f"{key}={quote(str(value), safe='/:,')}" for key, value in params.items())
    return f"postgresql://{user}{host}{port}/{dbname}{query and '?' + query}"


def shown_path(url: str, run_id: str) -> Path:
    """The name a run in PostgreSQL goes by where a run file shows its path (`cutover
    verify`'s lines, this user's memory of heads): `postgresql:HOST[:PORT]/DB/RUN`. A Path,
    as `Journal.path` is; `URL#RUN` (`locator`) is what opens it again."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.Error:
        parts = {}
    host = parts.get("host") or "localhost"
    port = f":{parts['port']}" if parts.get("port") else ""
    return Path(f"postgresql:{host}{port}/{parts.get('dbname', '')}/{run_id}")


def connect(url: str) -> psycopg.Connection[Any]:
    """A connection in autocommit mode (the journal opens its own transactions); a bad URL,
    a refused connection or a refused login is one line (JournalError)."""
    try:
        return psycopg.connect(
            make_conninfo(url, connect_timeout=CONNECT_TIMEOUT_S, application_name="cutover"),
            autocommit=True,
        )
    except psycopg.Error as exc:
        raise JournalError(f"{redact(url)}: {not_connected(exc)}") from None


def lock_key(run_id: str) -> int:
    """The run's advisory-lock key: 64 bits of its id's hash (two runs sharing one is only
    two runs whose writers wait for each other, never a wrong answer)."""
    return int.from_bytes(hashlib.sha256(run_id.encode()).digest()[:8], "big", signed=True)


def pg_runs(conn: psycopg.Connection[Any]) -> list[str]:
    rows = conn.execute(
        "SELECT nspname FROM pg_namespace WHERE obj_description(oid, 'pg_namespace') LIKE "
        "'cutover run%' ORDER BY nspname"
    ).fetchall()
    return [row[0] for row in rows]


def check_run_id(url: str, run_id: str) -> None:
    """JournalError, in one line, for a run id cutover never makes (store.run_id_problem,
    as a run file's): a user's typo, or a schema any role that may create one named. Such
    an id is never opened: it would name this user's memory of heads (`shown_path`), an
    export's file, and go to a terminal."""
    if run_id_problem(run_id):
        raise JournalError(
            f"{redact(url)}: run id {run_id[:80]!r} is not one cutover makes "
            "(letters, digits, '.', '_' and '-')"
        )


class PgJournal(Journal):
    """An open run in PostgreSQL. One per process per run; not shared across threads."""

    def __init__(self, url: str, run_id: str) -> None:
        check_run_id(url, run_id)
        self.url = url
        conn = connect(url)
        try:
            row = conn.execute(
                "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s",
                (run_id,),
            ).fetchone()
            if row is None:
                hint = _nearest(run_id, pg_runs(conn))
                raise JournalError(
                    f"no run {run_id!r} in {redact(url)}"
                    + (f"; did you mean {hint!r}?" if hint else "")
                )
            if not (row[0] or "").startswith("cutover run"):
                raise JournalError(f"{redact(url)}: schema {run_id!r} is not a cutover run")
            _in_schema(conn, run_id)
            again = lambda: _in_schema(connect(url), run_id)  # noqa: E731 (a lost connection)
            self.db = PgConnection(conn, lock_key(run_id), again)  # type: ignore[assignment]
            self.meta = dict(self.db.execute("SELECT key, value FROM meta"))
        except (psycopg.Error, PgError) as exc:
            conn.close()
            raise JournalError(f"{redact(url)}: {run_id}: cannot be read: {exc}") from None
        except JournalError:
            conn.close()
            raise
        if self.meta.get("run_id") != run_id:
            conn.close()
            raise JournalError(f"{redact(url)}: {run_id}: not a cutover run (no run id)")
        self.run_id = run_id
        self.schema_version = SCHEMA_VERSION
        self.path = shown_path(url, run_id)  # for messages and this user's memory
        self._listener: psycopg.Connection[Any] | None = None
        self._notified = 0
        self._start_reading()

    @property
    def locator(self) -> str:
        return f"{self.url}#{self.run_id}"

    def reopen(self) -> PgJournal:
        other = PgJournal(self.url, self.run_id)
        if self._fold.shareable():  # one fold per process, as Journal.reopen
            other._fold = self._fold
        return other

    # -- creating ----------------------------------------------------------------------------
    @classmethod
    def create_from_meta(cls, url: str, meta: dict[str, str]) -> PgJournal:
        """A new, empty run with exactly these meta rows (a migrated run keeps its own, so
        its seal still holds); JournalError when a run of that id is there already."""
        run_id = meta["run_id"]
        check_run_id(url, run_id)
        conn = connect(url)
        try:
            build_schema(conn, run_id, meta)
        except psycopg.errors.DuplicateSchema:
            raise JournalError(f"{redact(url)} already has a run {run_id!r}") from None
        except psycopg.Error as exc:
            raise JournalError(
                f"{redact(url)}: cannot make run {run_id}: {one_line(exc)}"
            ) from None
        finally:
            conn.close()
        return cls(url, run_id)

    @classmethod
    def create_run(
        cls,
        url: str,
        loaded: LoadedPlan,
        *,
        rehearsal: bool,
        created_by: str,
        shift: timedelta = timedelta(0),
        speed: float = 1.0,
    ) -> PgJournal:
        """A new run of `loaded` (as `Journal.create` makes a file): its id is its plan id and
        the time, with `-2`, `-3` when that schema is taken (two starts in one second)."""
        meta = new_run_meta(loaded, rehearsal, created_by, shift, speed)
        base = meta["run_id"]
        for n in range(1, 100):
            meta["run_id"] = base if n == 1 else f"{base}-{n}"
            try:
                return cls.create_from_meta(url, meta)
            except JournalError as exc:
                if "already has a run" not in str(exc):
                    raise
        raise JournalError(f"{redact(url)}: no free run id for {base}")

    # -- writing -----------------------------------------------------------------------------
    def _insert(self, event: Event, body: str, digest: str) -> int:
        seq = self._state.last_seq + 1  # under the run's lock, after _catch_up: the head + 1
        self.db.execute(
            "INSERT INTO events (seq, key, type, actor, body, prev, hash, origin) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (seq, event.key, event.type, event.actor, body, self._head, digest, origin()),
        )
        return seq

    # -- following ---------------------------------------------------------------------------
    def data_version(self) -> int:
        """How many commits this process has been told of (LISTEN/NOTIFY): unchanged means
        nothing new, without a query. The notice comes on the listener's own socket, so a
        commit is read by the first poll after it arrives (milliseconds: benchmarks/
        journal.py), not always by a poll made the instant the writer's commit returns, as
        SQLite's data_version is. Without a listener (it could not connect, or its
        connection dropped) the last seq, asked each time, does the same job."""
        if self._listener is None and not self._listen():
            return self._last_seq()
        try:
            self._drain(0)
        except psycopg.Error:
            self._listener = None
            return self._last_seq()
        return self._notified

    def wait_for_change(self, timeout: float) -> bool:
        """Block until a commit is notified or `timeout` seconds pass: True when one was."""
        if self._listener is None and not self._listen():
            return False
        before = self._notified
        try:
            self._drain(timeout)
        except psycopg.Error:
            self._listener = None
        return self._notified != before

    def _listen(self) -> bool:
        try:
            self._listener = connect(self.url)
            self._listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.run_id)))
        except (JournalError, psycopg.Error):
            self._listener = None
            return False
        return True

    def _drain(self, timeout: float) -> None:
        assert self._listener is not None
        pgconn = self._listener.pgconn
        if timeout > 0:
            select.select([self._listener.fileno()], [], [], timeout)
        pgconn.consume_input()
        while pgconn.notifies() is not None:
            self._notified += 1

    def _last_seq(self) -> int:
        return self.db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
        self.db.close()


def _in_schema(conn: psycopg.Connection[Any], run_id: str) -> psycopg.Connection[Any]:
    conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(run_id)))
    return conn


def origin() -> str:
    """Who appends, as this process knows it: its OS login and its host's name."""
    return f"{os_login()}@{socket.gethostname()}"


def grant(url: str, run_id: str, role: str, *, write: bool) -> None:
    """Let `role` read the run, and with `write` append to it: INSERT and SELECT on events,
    never UPDATE or DELETE (the lease and high-water rows change, so a writer may change
    those). A host whose role is only granted reading can follow but never write."""
    check_run_id(url, run_id)
    conn = connect(url)
    schema, who = sql.Identifier(run_id), sql.Identifier(role)
    try:
        with conn.transaction():
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, who))
            conn.execute(
                sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(schema, who)
            )
            if write:
                for table, rights in (
                    ("events", "INSERT"),
                    ("lease", "INSERT, UPDATE, DELETE"),
                    ("high_water", "INSERT, UPDATE"),
                    ("run_index", "INSERT, UPDATE"),  # the cache row written with each event
                ):
                    conn.execute(
                        sql.SQL("GRANT " + rights + " ON {}.{} TO {}").format(
                            schema, sql.Identifier(table), who
                        )
                    )
    except psycopg.Error as exc:
        raise JournalError(f"{redact(url)}: cannot grant {role}: {one_line(exc)}") from None
    finally:
        conn.close()


def latest_open_pg(url: str, plan_id: str, mode: str | None = None) -> RunInfo | None:
    """The most recent run of `plan_id` in the database that has not ended, at a live clock
    (as `store.latest_open` finds one among files: what `cutover run PLAN` joins); of that
    `mode` when given."""
    conn = connect(url)
    try:
        names = [n for n in pg_runs(conn) if n.startswith(f"{plan_id}-")]  # ids begin so
        names = [n for n in names if run_id_problem(n) is None]  # never a run of ours
    finally:
        conn.close()
    runs = []
    for name in names:
        journal = PgJournal(url, name)
        try:
            info = journal.info()
        finally:
            journal.close()
        open_run = info.phase not in ("ended", "damaged") and info.speed == 1
        if info.plan_id == plan_id and open_run and mode in (None, info.mode):
            runs.append(info)
    return max(runs, key=lambda r: r.made, default=None)

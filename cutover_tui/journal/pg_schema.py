"""A run's schema in PostgreSQL: the tables of a run file (meta, events, lease, high_water,
run_index), the triggers that keep events and the sealed meta append-only and NOTIFY
followers, and the one transaction that makes them (journal.postgres opens and reads them).
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from .run_create import SCHEMA_VERSION
from .run_files import JournalError

COMMENT = f"cutover run (schema {SCHEMA_VERSION})"
MAX_NAME = 63  # PostgreSQL's identifier length: a run id longer than this has no schema

# {s} is the run's schema, quoted. REAL in SQLite is double precision here; seq is given by
# the append (head + 1 under the lock), so there is no sequence for a role to be granted.
SCHEMA_SQL = """
CREATE TABLE {s}.meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE {s}.events (
    seq BIGINT PRIMARY KEY,
    key TEXT NOT NULL,
    type TEXT NOT NULL,
    actor TEXT NOT NULL,
    body TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT '',
    db_role TEXT NOT NULL DEFAULT current_user,
    UNIQUE (actor, key)
);
CREATE TABLE {s}.lease (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    holder TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    acquired DOUBLE PRECISION NOT NULL,
    heartbeat DOUBLE PRECISION NOT NULL
);
CREATE TABLE {s}.high_water (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL
);
CREATE TABLE {s}.run_index (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    events INTEGER NOT NULL,
    phase TEXT NOT NULL,
    outcome TEXT,
    steps_done INTEGER NOT NULL,
    steps_total INTEGER NOT NULL
);
CREATE FUNCTION {s}.refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation'; END $$;
CREATE FUNCTION {s}.notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_notify(TG_TABLE_SCHEMA, NEW.seq::text); RETURN NULL; END $$;
CREATE TRIGGER events_no_update BEFORE UPDATE ON {s}.events FOR EACH ROW
    EXECUTE FUNCTION {s}.refuse('the journal is append-only: events cannot be changed');
CREATE TRIGGER events_no_delete BEFORE DELETE ON {s}.events FOR EACH ROW
    EXECUTE FUNCTION {s}.refuse('the journal is append-only: events cannot be deleted');
CREATE TRIGGER events_no_replace BEFORE TRUNCATE ON {s}.events FOR EACH STATEMENT
    EXECUTE FUNCTION {s}.refuse('the journal is append-only: events cannot be truncated');
CREATE TRIGGER events_notify AFTER INSERT ON {s}.events FOR EACH ROW
    EXECUTE FUNCTION {s}.notify();
CREATE TRIGGER high_water_rises BEFORE UPDATE ON {s}.high_water FOR EACH ROW
    WHEN (NEW.seq < OLD.seq) EXECUTE FUNCTION {s}.refuse('the high-water mark only rises');
CREATE TRIGGER high_water_stays BEFORE DELETE ON {s}.high_water FOR EACH ROW
    EXECUTE FUNCTION {s}.refuse('the high-water mark cannot be deleted');
"""

# Once the meta rows are in: sealed, as seal.META_TRIGGERS seals a run file's.
META_SQL = """
CREATE TRIGGER meta_no_update BEFORE UPDATE ON {s}.meta FOR EACH ROW
    EXECUTE FUNCTION {s}.refuse('the run''s meta is sealed: it cannot be changed');
CREATE TRIGGER meta_no_delete BEFORE DELETE ON {s}.meta FOR EACH ROW
    EXECUTE FUNCTION {s}.refuse('the run''s meta is sealed: it cannot be deleted');
CREATE TRIGGER meta_no_replace BEFORE TRUNCATE ON {s}.meta FOR EACH STATEMENT
    EXECUTE FUNCTION {s}.refuse('the run''s meta is sealed: it cannot be truncated');
"""


def build_schema(conn: psycopg.Connection[Any], run_id: str, meta: dict[str, str]) -> None:
    if len(run_id.encode()) > MAX_NAME:
        raise JournalError(f"run id {run_id!r} is longer than PostgreSQL's {MAX_NAME} bytes")
    schema = sql.Identifier(run_id)
    with conn.transaction():
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(schema))
        conn.execute(sql.SQL(SCHEMA_SQL.replace("{s}", "{schema}")).format(schema=schema))
        with conn.cursor() as cursor:
            cursor.executemany(
                sql.SQL("INSERT INTO {}.meta VALUES (%s, %s)").format(schema), list(meta.items())
            )
        conn.execute(sql.SQL(META_SQL.replace("{s}", "{schema}")).format(schema=schema))
        conn.execute(sql.SQL("COMMENT ON SCHEMA {} IS {}").format(schema, sql.Literal(COMMENT)))

"""What PostgreSQL adds to the journal, on a real server (tests.pg_support): the database
refuses changes (triggers, and a role granted only INSERT and SELECT), followers in other
processes are told of commits (LISTEN/NOTIFY), a run file migrates with its chain, and bad
URLs, refused connections and roles without INSERT are one line. The guarantees shared with
SQLite run on both backends in test_journal.py and test_conductor.py (the `where` fixture)."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from cutover_tui.engine.events import NoteAdded, StepStarted
from cutover_tui.engine.state import Refused
from cutover_tui.journal.backend import open_at
from cutover_tui.journal.migrate import migrate
from cutover_tui.journal.pg_sql import PgError
from cutover_tui.journal.postgres import PgJournal, grant
from cutover_tui.journal.store import Journal
from cutover_tui.journal.trust import verify_run
from tests.journal_support import at, new_run

CTX = multiprocessing.get_context("spawn")
ROOT = Path(__file__).resolve().parent.parent


def key() -> str:
    return uuid.uuid4().hex


def as_role(url: str, role: str) -> str:
    """`url` logging in as `role` (the test server trusts local logins)."""
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{role}@{rest.split('@', 1)[1]}"


def owner(journal: PgJournal) -> psycopg.Connection:
    conn = psycopg.connect(journal.url, autocommit=True)
    conn.execute(f'SET search_path TO "{journal.run_id}"')
    return conn


def test_update_delete_and_truncate_are_refused_by_the_database(postgres_url: str) -> None:
    journal = new_run(postgres_url)
    conn = owner(journal)
    for statement in (
        "UPDATE events SET actor = 'mallory'",
        "DELETE FROM events",
        "TRUNCATE events",
    ):
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="append-only"):
            conn.execute(statement)
    with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="sealed"):
        conn.execute("UPDATE meta SET value = 'x' WHERE key = 'title'")
    assert verify_run(journal).ok


def test_a_role_with_insert_and_select_appends_but_cannot_change_a_row(postgres_url: str) -> None:
    journal = new_run(postgres_url)
    conn = owner(journal)
    role = f"writer_{uuid.uuid4().hex[:8]}"
    conn.execute(f"CREATE ROLE {role} LOGIN")
    grant(journal.url, journal.run_id, role, write=True)
    # Even with the triggers gone (the owner dropped them), the role's grants refuse it.
    conn.execute("DROP TRIGGER events_no_update ON events")
    conn.execute("DROP TRIGGER events_no_delete ON events")
    writer = PgJournal(as_role(journal.url, role), journal.run_id)
    stored = writer.append(StepStarted(actor="boss", at=at(1), step="s0", key=key()))
    row = conn.execute("SELECT origin, db_role FROM events WHERE seq = %s", (stored.seq,))
    origin, db_role = row.fetchone()
    assert db_role == role and "@" in origin  # login@host, and the server's own word
    for statement in ("UPDATE events SET actor = 'x'", "DELETE FROM events"):
        with pytest.raises(PgError, match=r"permission denied .*may not do that"):
            writer.db.execute(statement)
    problems = verify_run(open_at(journal.locator)).problems
    assert any("triggers were removed" in p for p in problems)  # the owner's edit is named


def test_a_read_only_role_follows_and_its_append_is_one_line(
    postgres_url: str, tmp_path: Path
) -> None:
    journal = new_run(postgres_url)
    role = f"reader_{uuid.uuid4().hex[:8]}"
    owner(journal).execute(f"CREATE ROLE {role} LOGIN")
    grant(journal.url, journal.run_id, role, write=False)
    reader_url = as_role(journal.url, role)
    assert len(PgJournal(reader_url, journal.run_id).events()) == 1
    done = cutover(tmp_path, "do", journal.run_id, "note", "--note", "hello", journal=reader_url)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "permission denied for table events" in done.stderr


def test_verify_finds_an_edited_event(postgres_url: str, tmp_path: Path) -> None:
    journal = new_run(postgres_url)
    journal.append(NoteAdded(actor="boss", at=at(1), text="all good", key=key()))
    assert cutover(tmp_path, "verify", journal.run_id, journal=journal.url).returncode == 0
    conn = owner(journal)
    conn.execute("ALTER TABLE events DISABLE TRIGGER events_no_update")  # a superuser's edit
    conn.execute("UPDATE events SET body = replace(body, 'all good', 'all bad') WHERE seq = 2")
    checked = cutover(tmp_path, "verify", journal.run_id, journal=journal.url)
    assert checked.returncode == 1 and "hash does not match" in checked.stderr


def test_bad_urls_and_refused_connections_are_one_line(postgres_url: str, tmp_path: Path) -> None:
    missing = tmp_path / "no-server"
    missing.mkdir()
    for url, said in (
        ("mysql://x/y", "not a PostgreSQL URL"),
        (f"postgresql://nobody@/x?host={missing}", "cannot connect"),
        (as_role(postgres_url, "no_such_role"), 'role "no_such_role" does not exist'),
    ):
        done = cutover(tmp_path, "status", "some-run", journal=url)
        assert done.returncode != 0 and said in done.stderr, done.stderr
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    missed = cutover(tmp_path, "status", "nope", journal=postgres_url)
    assert "no run 'nope'" in missed.stderr


def test_migrate_copies_a_run_file_with_its_chain(postgres_url: str, tmp_path: Path) -> None:
    source = new_run(tmp_path / "runs")
    for i in range(20):
        source.append(NoteAdded(actor="boss", at=at(1), text=f"note {i}", key=f"k{i}"))
    moved = migrate(source, postgres_url, at(1))
    assert moved.events == 21
    copy = open_at(moved.locator)
    assert copy.head == source.head and verify_run(copy).ok
    copy.append(NoteAdded(actor="boss", at=at(2), text="after the move", key=key()))
    assert verify_run(copy).ok
    again = cutover(
        tmp_path, "migrate", source.run_id, "--to", postgres_url, "--runs", str(tmp_path / "runs")
    )
    assert again.returncode == 1 and "this run moved to PostgreSQL" in again.stderr  # refused first
    listed = cutover(tmp_path, "runs", journal=postgres_url)
    assert listed.returncode == 0 and source.run_id in listed.stdout
    assert "running" in listed.stdout and " 22  " in listed.stdout  # its 22 events


# -- followers in other processes ------------------------------------------------------------


def _follow(locator: str, rounds: int, ready, seen) -> None:
    """Block on the run's notifications, each wait far longer than the test's patience: only a
    NOTIFY can wake it, so every event it hands over came through LISTEN/NOTIFY."""
    journal = open_at(locator)
    last = journal.events()[-1].seq
    journal.data_version()  # LISTEN before saying ready: no commit can slip past
    ready.set()
    while rounds:
        if journal.wait_for_change(600.0):
            for event in journal.read_after(last):
                seen.put(event.key)
                last, rounds = event.seq, rounds - 1


def test_a_follower_in_another_process_is_woken_by_each_commit(postgres_url: str) -> None:
    """The latency itself is a figure, not a verdict: benchmarks/journal.py --postgres."""
    journal = new_run(postgres_url)
    ready, seen = CTX.Event(), CTX.Queue()
    rounds = 20
    follower = CTX.Process(target=_follow, args=(journal.locator, rounds, ready, seen))
    follower.start()
    assert ready.wait(60)
    for i in range(rounds):
        journal.append(NoteAdded(actor="boss", at=at(1), text=f"n{i}", key=f"late-{i}"))
        assert seen.get(timeout=60) == f"late-{i}"  # woken by this commit's notification
    follower.join(timeout=30)
    assert follower.exitcode == 0


def _python_for_others() -> list[str] | None:
    """An interpreter `nobody` may run that imports this tree (the venv's may live under
    /root: see test_locked_mode), with the PYTHONPATH it needs; None without root or tools."""
    if os.geteuid() != 0 or not shutil.which("runuser") or not shutil.which("unshare"):
        return None
    path = f"PYTHONPATH={ROOT}:{sysconfig.get_paths()['purelib']}"
    for python in (sys.executable, f"/usr/bin/python{sys.version_info[0]}.{sys.version_info[1]}"):
        command = ["env", path, python]
        probe = subprocess.run(
            [
                "runuser",
                "-u",
                "nobody",
                "--",
                *command,
                "-c",
                "import cutover_tui.journal.postgres",
            ],
            capture_output=True,
            cwd="/",
            check=False,
            timeout=60,
        )
        if probe.returncode == 0:
            return command
    return None


OTHERS = _python_for_others()


WAR_ROOM = """
import json, sys, time
from cutover_tui.journal.backend import open_at
from cutover_tui.journal.identity import actor_for, os_login
from cutover_tui.journal.postgres import origin
from cutover_tui.journal.run import JournalRun
journal = open_at(sys.argv[1])
room = JournalRun(journal, actor_for(journal.plan, os_login()))
room.poll()
if sys.argv[2] == "write":
    from cutover_tui.engine.events import NoteAdded
    from datetime import datetime, UTC
    room.submit(NoteAdded(actor=room.actor, at=datetime.now(UTC), text="from A", key="a-note"))
deadline = time.monotonic() + 30
while journal.head[0] < int(sys.argv[3]) and time.monotonic() < deadline:
    journal.wait_for_change(1.0)
    room.poll()
print(json.dumps({"who": origin(), "head": list(journal.head), "state": journal.state().phase}))
"""


@pytest.fixture
def others_state() -> Iterator[Path]:
    """A state directory for the other users' war rooms, made by the first of them in a
    folder all may write (as /tmp), removed after the test: the same path in every session
    was left behind, owned by whichever user made it first."""
    folder = Path(tempfile.mkdtemp(prefix="cutover-test-others-"))
    folder.chmod(0o1777)
    yield folder / "state"
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.skipif(
    OTHERS is None, reason="needs root, runuser, unshare and a Python other users may run"
)
def test_two_war_rooms_on_two_hosts_as_two_users_follow_one_run_and_agree(
    postgres_url: str, postgres_server: str, others_state: Path
) -> None:
    from cutover_tui.engine.events import RunStarted
    from cutover_tui.journal.backend import create_at
    from cutover_tui.plan import parse_plan
    from tests.journal_support import plan_text

    loaded = parse_plan(plan_text(5, commander_login="nobody"), name="jt.toml")
    journal = create_at(postgres_url, loaded, rehearsal=False, created_by="nobody")
    journal.append(RunStarted(actor="boss", at=at(0), plan_id="jt", key=key()))
    suffix = uuid.uuid4().hex[:8]  # roles are the server's, not the database's: unique
    role_a, role_b = f"host_a_{suffix}", f"host_b_{suffix}"
    for role in (role_a, role_b):
        owner(journal).execute(f"CREATE ROLE {role} LOGIN")
    grant(journal.url, journal.run_id, role_a, write=True)  # host A's role may write
    grant(journal.url, journal.run_id, role_b, write=False)  # host B's may only read
    rooms = []
    for host, user, mode, role in (
        ("host-a", "nobody", "write", role_a),
        ("host-b", "daemon", "follow", role_b),
    ):
        locator = as_role(journal.url, role) + "#" + journal.run_id
        rooms.append(
            subprocess.Popen(
                [
                    "unshare",
                    "--uts",
                    "sh",
                    "-c",
                    f'hostname {host} && exec "$@"',
                    "-",
                    "runuser",
                    "-u",
                    user,
                    "--",
                    *OTHERS,
                    "-c",
                    WAR_ROOM,
                    locator,
                    mode,
                    "2",
                ],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, "CUTOVER_STATE": str(others_state)},
            )
        )
    out = []
    for room in rooms:
        stdout, stderr = room.communicate(timeout=90)
        assert room.returncode == 0, stderr
        out.append(json.loads(stdout))
    assert [o["who"] for o in out] == ["nobody@host-a", "daemon@host-b"]
    assert out[0]["head"] == out[1]["head"] == list(open_at(journal.locator).head)
    row = owner(journal).execute("SELECT origin, db_role FROM events WHERE key = 'a-note'")
    assert row.fetchone() == ("nobody@host-a", role_a)


# -- the command line ------------------------------------------------------------------------


def cutover(cwd: Path, *args: str, journal: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "CUTOVER_RUNS": str(cwd / "runs")}
    env.pop("CUTOVER_JOURNAL", None)
    extra = ["--journal", journal] if journal else []
    return subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", *args, *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_host_config_names_the_journal(postgres_url: str, tmp_path: Path) -> None:
    journal = new_run(postgres_url)
    config = tmp_path / "cutover.toml"
    config.write_text(f'journal = "{postgres_url}"\n')
    env = {**os.environ, "CUTOVER_CONFIG": str(config)}
    env.pop("CUTOVER_JOURNAL", None)
    run = [sys.executable, "-m", "cutover_tui.cli", "verify", journal.run_id]
    done = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "chain intact" in done.stdout, done.stderr
    config.write_text('journal = "/srv/cutover/runs"\n')
    done = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 1 and f"{config}:1: journal: must be a PostgreSQL URL" in done.stderr


def test_start_do_and_status_on_postgresql_from_the_command_line(
    postgres_url: str, tmp_path: Path
) -> None:
    from tests.journal_support import plan_text

    plan = tmp_path / "jt.toml"
    plan.write_text(plan_text(5))
    started = cutover(tmp_path, "start", str(plan), "--rehearsal", journal=postgres_url)
    assert started.returncode == 0, started.stderr
    run = started.stdout.split()[0]
    assert not (tmp_path / "runs").exists()  # no file: the run is in the database
    done = cutover(tmp_path, "do", run, "start", "s0", journal=postgres_url)
    assert done.returncode == 0, done.stderr
    status = cutover(tmp_path, "status", run, "--json", journal=postgres_url)
    assert status.returncode == 0 and json.loads(status.stdout)["run"] == run
    assert '"s0"' in status.stdout


def test_the_run_of_a_plan_under_way_is_found_in_postgresql(postgres_url: str) -> None:
    from cutover_tui.journal.postgres import latest_open_pg

    assert latest_open_pg(postgres_url, "jt") is None
    journal = new_run(postgres_url)  # what `cutover run PLAN --journal URL` joins
    found = latest_open_pg(postgres_url, "jt")
    assert found is not None and found.run_id == journal.run_id
    assert latest_open_pg(postgres_url, "other") is None


def test_a_migrated_run_file_takes_no_more_events(postgres_url: str, tmp_path: Path) -> None:
    """User pass (2026-12-02): after `cutover migrate`, a note on the file and one on
    PostgreSQL both printed `#27 note-added`: two diverging journals, and the file's conductor
    mailed what PostgreSQL's mailed too. The file now refuses, naming where the run went."""
    runs = tmp_path / "runs"
    source = new_run(runs)
    done = cutover(tmp_path, "migrate", source.run_id, "--to", postgres_url, "--runs", str(runs))
    assert done.returncode == 0, done.stderr
    with pytest.raises(Refused, match=r"^this run moved to PostgreSQL at .* name the run with"):
        Journal(source.path).append(NoteAdded(actor="boss", at=at(2), text="late", key=key()))
    said = cutover(tmp_path, "do", source.run_id, "note", "--note", "x", "--runs", str(runs))
    assert said.returncode == 1 and "this run moved to PostgreSQL" in said.stderr, said.stderr
    assert len(said.stderr.strip().splitlines()) == 1 and "password" not in said.stderr
    assert Journal(source.path).head == open_at(f"{postgres_url}#{source.run_id}").head
    assert verify_run(Journal(source.path)).ok  # the file is still the evidence up to the move
    # Review: a moved file could be migrated again, to a second writable run of the night.
    again = cutover(tmp_path, "migrate", source.run_id, "--to", postgres_url, "--runs", str(runs))
    assert again.returncode == 1 and "this run moved to PostgreSQL" in again.stderr, again.stderr

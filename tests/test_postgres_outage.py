"""PostgreSQL going away mid-night and coming back (user pass, 2026-12-02: the server killed
under two war rooms, a conductor and `cutover status`): each says so in one line, none
ends with a traceback, and each carries on when the server is back, losing no event."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import NoteAdded
from cutover_tui.journal.postgres import PgJournal
from cutover_tui.journal.run import JournalRun
from cutover_tui.tui.app import WarRoomApp
from cutover_tui.tui.widgets.status import StatusBar
from tests.journal_support import at, new_run
from tests.waiting import until
from tests.warroom_support import settle

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def own_server() -> Iterator[str]:
    """A server of this module's own: these tests stop it, which no other test may see."""
    from tests.pg_support import binaries, cluster

    if binaries() is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql); .ci/run has it")
    with cluster() as url:
        yield url


@pytest.fixture
def own_url(own_server: str) -> str:
    from tests.pg_support import fresh_database

    return fresh_database(own_server)


def _note(journal: PgJournal, text: str) -> None:
    journal.append(NoteAdded(actor="boss", at=at(2), text=text, key=uuid.uuid4().hex))


def test_a_connection_the_server_cut_is_opened_again(postgres_url: str) -> None:
    journal = new_run(postgres_url)
    with psycopg.connect(postgres_url, autocommit=True) as dba:
        pid = journal.db.conn.info.backend_pid  # type: ignore[attr-defined]
        dba.execute("SELECT pg_terminate_backend(%s)", (pid,))
    _note(journal, "after the cut")  # was: PgError, the connection is closed, for good
    assert [e.text for e in PgJournal(postgres_url, journal.run_id).events()[1:]] == [
        "after the cut"
    ]


async def test_the_war_room_says_the_journal_is_down_and_catches_up(own_url: str) -> None:
    from tests.pg_support import data_dir, down, up

    journal = new_run(own_url)
    clock = FixedClock(at(3))
    run = JournalRun(PgJournal(own_url, journal.run_id), "boss", now=clock.now)
    app = WarRoomApp(run, clock, poll_seconds=0.05)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, lambda: app.frame is not None)
        down(data_dir(own_url))
        try:
            bar = app.query_one(StatusBar)
            await settle(pilot, lambda: "journal unreachable" in bar.plain)
            assert app.is_running  # was: a traceback from the status line's tick
        finally:
            up(data_dir(own_url))
        _note(PgJournal(own_url, journal.run_id), "written after the restart")
        await settle(pilot, lambda: app.state.last_seq == 2)  # the note, read once it is back
        await settle(pilot, lambda: "journal unreachable" not in bar.plain)


def test_a_headless_conductor_says_the_outage_once_and_conducts_again(own_url: str) -> None:
    from tests.pg_support import data_dir, down, up

    journal = new_run(own_url)
    env = {**os.environ, "CUTOVER_JOURNAL": own_url}
    conductor = subprocess.Popen(
        [sys.executable, "-m", "cutover_tui.cli", "conduct", journal.run_id],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(conductor.stderr), daemon=True)
    reader.start()
    try:
        until(lambda: any("conducting" in line for line in lines), "the conductor's first word")
        down(data_dir(own_url))
        try:
            until(lambda: any("retrying" in line for line in lines), "the outage said")
            assert conductor.poll() is None  # was: it ended, 'the connection is closed'
        finally:
            up(data_dir(own_url))
        until(lambda: any("conducting again" in line for line in lines), "the return said")
        assert conductor.poll() is None
        outage = [line for line in lines if "retrying" in line]
        assert len(outage) == 1 and "Traceback" not in "".join(lines), lines
    finally:
        conductor.terminate()
        conductor.wait(timeout=30)


def test_a_server_gone_after_opening_is_an_outage_not_damage(own_url: str) -> None:
    """User pass: `cutover do` whose server died between opening the run and its trust check
    said 'JOURNAL NOT TRUSTED ... the database is damaged: ... Connection refused'."""
    from cutover_tui.journal.trust import guard
    from cutover_tui.journal.unreachable import JournalUnreachable
    from tests.pg_support import data_dir, down, up

    journal = PgJournal(own_url, new_run(own_url).run_id)
    down(data_dir(own_url))
    try:
        with pytest.raises(JournalUnreachable, match=r"Connection refused|No such file"):
            guard(journal, remember=False)
    finally:
        up(data_dir(own_url))
    assert guard(journal, remember=False) is None  # back: trusted as before

"""Shared fixtures. Keep this small: each fixture here is used by more than one test module."""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
# No background refresh of `cutover do`'s facts after each command (cli/facts_refresh.py):
# the tests that want one turn it on; subprocesses inherit this.
os.environ.setdefault("CUTOVER_FACTS_REFRESH", "0")
# No `cutover do` command server either (cli/do_server.py): tests/test_do_server.py turns
# it on in its own state directories and stops what it starts.
os.environ.setdefault("CUTOVER_DO_SERVER", "0")
# No timing in a pass/fail test, hypothesis's 200 ms deadline included: on a loaded machine one
# example took 262 ms (a collection, a busy core) and failed a test whose examples take 2 ms.
# Loaded before any test module builds its own settings, which inherit it.
settings.register_profile("cutover", deadline=None)
settings.load_profile("cutover")


@pytest.fixture(autouse=True)
def _heap_thawed():
    """The war room freezes the heap (gc.freeze: the boot's worker after its fold, the
    catch-up when it starts, tui/catch_up_news.py), right for a process that lives as long
    as its war room, not for the tests after it here: thawed after each test."""
    yield
    gc.unfreeze()


@pytest.fixture
def plans_dir() -> Path:
    """The bundled example plans (plans/*.toml)."""
    return ROOT / "plans"


@pytest.fixture
def test_plans_dir() -> Path:
    """Plans written for the tests: valid-minimal.toml and the broken/ corpus."""
    return ROOT / "tests" / "plans"


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A state directory of this test's own (CUTOVER_STATE); files count as settled at once
    (journal.listed_record.SETTLE_NS, the knob of the listing record and the rehearsal memo)."""
    from cutover_tui.journal import listed_record

    folder = tmp_path / "state"
    monkeypatch.setenv("CUTOVER_STATE", str(folder))
    monkeypatch.setattr(listed_record, "SETTLE_NS", 0)
    return folder


@pytest.fixture
def hooks():
    """A webhook receiver on 127.0.0.1 (tests.comms_support.Hooks)."""
    from tests.comms_support import Hooks

    receiver = Hooks()
    yield receiver
    receiver.close()


@pytest.fixture
def mail():
    """An SMTP server on 127.0.0.1 and what it took (tests.comms_support.Mailbox; its port
    as `.port`)."""
    from tests.comms_support import Mailbox, smtp_server

    box = Mailbox()
    controller = smtp_server(box)
    box.port = controller.port
    yield box
    controller.stop()


# Tests never read this host's /etc/cutover/cutover.toml (a runs directory or locked mode set
# there would change every test's default); a test that wants one sets CUTOVER_CONFIG itself.
os.environ["CUTOVER_CONFIG"] = str(ROOT / "tests" / "no-host-config.toml")
# Nor this user's memory of the heads they have seen (journal.seen): one of their own, made by
# each process that imports this file (each pytest-xdist worker: its own) and removed by that
# process when its session ends (a run left thousands of these in /tmp).
STATE = tempfile.mkdtemp(prefix="cutover-test-state-")
os.environ["CUTOVER_STATE"] = STATE


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(STATE, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server of the tests' own (tests.pg_support): its superuser URL. Skips,
    saying why, where PostgreSQL is not installed; CI installs it (.ci/run)."""
    from tests.pg_support import ENV, binaries, cluster

    if os.environ.get(ENV):
        yield os.environ[ENV]
        return
    if binaries() is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql); .ci/run has it")
    with cluster() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh, empty database on the tests' PostgreSQL server."""
    from tests.pg_support import fresh_database

    return fresh_database(postgres_server)


@pytest.fixture(params=["sqlite", "postgresql"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a test's run lives, once on each backend: a directory for SQLite files, or a
    fresh PostgreSQL database's URL (tests.journal_support.new_run takes either)."""
    if request.param == "sqlite":
        return tmp_path
    return request.getfixturevalue("postgres_url")

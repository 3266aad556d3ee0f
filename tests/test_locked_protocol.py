"""The locked-mode service's wire and its clients, as one user: war rooms through the socket,
a follower waiting for news, and every bad request answered by one line.

(What differs between users, SO_PEERCRED, file modes, is in test_locked_mode.py.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import NoteAdded
from cutover_tui.journal.store import Journal, JournalError
from cutover_tui.locked.client import LockedClient, LockedJournal, LockedRun
from cutover_tui.locked.protocol import MAX_REQUEST_BYTES, MAX_WAIT_S
from cutover_tui.plan import parse_plan
from cutover_tui.tui.app import WarRoomApp
from tests.journal_support import at, new_run, plan_text
from tests.waiting import until
from tests.warroom_support import settle

ROOT = Path(__file__).resolve().parent.parent
SIZE = (160, 48)


@dataclass
class Service:
    runs: Path
    socket: Path
    config: Path
    process: subprocess.Popen
    run_id: str


def _serve(runs: Path, sock: Path, config: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "cutover_tui.cli", "service", "--socket", str(sock)],
        env={**os.environ, "CUTOVER_CONFIG": str(config)},
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    until(lambda: listening(sock) or process.poll() is not None, "the service listening")
    return process


def listening(sock: Path) -> bool:
    """Someone accepts on `sock` (a socket file left by a killed service does not)."""
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(sock))
        except OSError:
            return False
    return True


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Service]:
    runs = tmp_path / "runs"
    journal = new_run(runs, steps=3)
    journal.close()
    sock = tmp_path / "cutover.sock"
    config = tmp_path / "cutover.toml"
    config.write_text(f'runs = "{runs}"\nmode = "locked"\nsocket = "{sock}"\n')
    monkeypatch.setenv("CUTOVER_CONFIG", str(config))
    monkeypatch.delenv("CUTOVER_RUNS", raising=False)
    served = Service(runs, sock, config, _serve(runs, sock, config), journal.run_id)
    yield served
    # The service as it is now: a test that restarts it replaces served.process, and stopping
    # the first (already killed) left the replacement running after the session.
    served.process.terminate()
    served.process.wait(timeout=30)


def raw(sock: Path, *lines: bytes) -> list[bytes]:
    """Send lines as they are; the reply lines, until the service closes or all are answered."""
    with socket.socket(socket.AF_UNIX) as conn:
        conn.connect(str(sock))
        handle = conn.makefile("rwb")
        replies = []
        for line in lines:
            try:
                handle.write(line)
                handle.flush()
            except BrokenPipeError:
                break
            reply = handle.readline()
            if not reply:
                break
            replies.append(reply)
        return replies


def test_every_bad_request_gets_one_line_back(service: Service) -> None:
    huge = b'{"op": "whoami", "pad": "' + b"x" * (MAX_REQUEST_BYTES + 10) + b'"}\n'
    cases = {
        b"not json\n": "not a line of JSON",
        b"[1, 2]\n": "not a JSON object",
        b'{"op": "launch"}\n': "unknown op 'launch'",
        b'{"op": "head", "run": "../etc/passwd"}\n': "is not a run id",
        b'{"op": "head", "run": "' + service.run_id[:-1].encode() + b'x"}\n': "did you mean",
        b'{"op": "append", "run": "'
        + service.run_id.encode()
        + b'", "event": "{}"}\n': "bad request",
        b'{"op": "events", "run": "'
        + service.run_id.encode()
        + b'", "after": "x"}\n': "bad request",
        huge: f"request longer than {MAX_REQUEST_BYTES} bytes",
    }
    for request, expected in cases.items():
        (reply,) = raw(service.socket, request)
        assert reply.endswith(b"\n") and reply.count(b"\n") == 1
        message = json.loads(reply)
        assert message["ok"] is False and expected in message["error"], (request[:60], message)
    assert service.process.poll() is None  # still serving


def test_a_follower_waiting_for_news_gets_it_in_the_same_call(service: Service) -> None:
    follower = LockedJournal(LockedClient(service.socket), service.run_id)
    seen = follower.state().last_seq
    got: list = []
    # One held call: had the service answered at once or at the end of the wait with nothing,
    # `got` would be empty; the news arrives in the reply to the call that was waiting.
    waiting = threading.Thread(
        target=lambda: got.extend(follower.events_after(seen, wait=MAX_WAIT_S)), daemon=True
    )
    waiting.start()
    writer = LockedJournal(LockedClient(service.socket), service.run_id)
    writer.append(NoteAdded(actor="boss", at=at(1), text="news", key="news-1"))
    waiting.join(timeout=MAX_WAIT_S + 60)
    assert [e.key for e in got] == ["news-1"]


def test_an_unreachable_service_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "cutover.toml"
    config.write_text(f'runs = "{tmp_path}"\nmode = "locked"\nsocket = "{tmp_path}/none.sock"\n')
    result = subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", "status", "some-run"],
        env={**os.environ, "CUTOVER_CONFIG": str(config)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "cannot reach the cutover service" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_a_second_service_on_a_live_socket_is_refused_a_stale_one_replaced(
    service: Service, tmp_path: Path
) -> None:
    second = subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", "service", "--socket", str(service.socket)],
        env={**os.environ, "CUTOVER_CONFIG": str(service.config)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 1
    assert second.stderr.strip() == (
        f"cutover service: another cutover service already listens on {service.socket}"
    )
    service.process.kill()  # SIGKILL: the socket file stays behind
    service.process.wait(timeout=30)
    assert service.socket.exists()
    service.process = _serve(service.runs, service.socket, service.config)
    assert service.process.poll() is None
    assert LockedClient(service.socket).request("whoami")["ok"]


async def test_war_rooms_act_and_follow_through_the_service(service: Service) -> None:
    clock = FixedClock(at(1))

    def room(read_only: bool) -> WarRoomApp:
        journal = LockedJournal(LockedClient(service.socket), service.run_id)
        source = LockedRun(journal, "boss", now=clock.now, read_only=read_only)
        return WarRoomApp(source, clock, poll_seconds=0.05)

    commander, follower = room(False), room(True)
    async with commander.run_test(size=SIZE) as pilot_a, follower.run_test(size=SIZE) as pilot_b:
        commander.action_start("s0")
        await pilot_a.pause()
        await settle(pilot_b, lambda: follower.state.status["s0"].status == "running")
        assert follower.state.status["s0"].status == "running"
        assert follower.source.conductor_status().startswith("service, ok")
        follower.action_start("s1")
        await pilot_b.pause()
        assert any("read-only" in n.message for n in follower._notifications)


def test_a_run_started_through_the_service_is_never_group_writable(
    service: Service, tmp_path: Path
) -> None:
    # Made 0640 by Journal.create itself: a chmod after the fact would leave a window in which
    # a group member could open it for writing and keep that descriptor.
    plan = tmp_path / "plan.toml"
    plan.write_text(plan_text(steps=2))
    started = subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", "start", str(plan), "--rehearsal"],
        env={**os.environ, "CUTOVER_CONFIG": str(service.config)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 0, started.stderr
    path = service.runs / f"{started.stdout.strip()}.db"
    assert path.stat().st_mode & 0o777 == 0o640
    made = Journal.create(
        tmp_path / "other",
        parse_plan(plan_text(steps=2)),
        rehearsal=True,
        created_by="x",
        file_mode=0o640,
    )
    assert made.path.stat().st_mode & 0o777 == 0o640


def test_the_service_appends_nothing_to_a_journal_that_fails_its_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = tmp_path / "runs"
    journal = new_run(runs, steps=3)
    journal.close()
    with sqlite3.connect(journal.path) as db:  # edited by hand: the chain no longer holds
        db.execute("DROP TRIGGER events_no_update")
        db.execute("UPDATE events SET body = replace(body, '\"boss\"', '\"bozz\"') WHERE seq = 1")
    sock, config = tmp_path / "cutover.sock", tmp_path / "cutover.toml"
    config.write_text(f'runs = "{runs}"\nmode = "locked"\nsocket = "{sock}"\n')
    monkeypatch.setenv("CUTOVER_CONFIG", str(config))
    process = _serve(runs, sock, config)
    try:
        locked = LockedJournal(LockedClient(sock), journal.run_id)
        assert locked.problem  # said to every reader on opening
        with pytest.raises(JournalError, match="JOURNAL NOT TRUSTED"):
            locked.append(NoteAdded(actor="boss", at=at(1), text="on top", key="on-top"))
        assert "on-top" not in {e.key for e in Journal(journal.path).events()}
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_status_and_do_on_a_locked_host_say_the_services_distrust(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As on the files (docs/jump-host.md, "Every command checks what it reads"): one loud
    line and a non-zero exit, the service's guard standing in for the command's own."""
    from cutover_tui.cli import main

    runs = tmp_path / "runs"
    journal = new_run(runs, steps=3)
    journal.close()
    with sqlite3.connect(journal.path) as db:  # the stored plan rewritten under the seal
        db.execute("DROP TRIGGER meta_no_update")
        db.execute("UPDATE meta SET value = value || '#' WHERE key = 'plan_text'")
    sock, config = tmp_path / "cutover.sock", tmp_path / "cutover.toml"
    config.write_text(f'runs = "{runs}"\nmode = "locked"\nsocket = "{sock}"\n')
    monkeypatch.setenv("CUTOVER_CONFIG", str(config))
    monkeypatch.delenv("CUTOVER_RUNS", raising=False)
    process = _serve(runs, sock, config)
    try:
        assert main(["status", journal.run_id]) == 1
        assert "JOURNAL NOT TRUSTED" in capsys.readouterr().err
        assert main(["do", journal.run_id, "note", "--note", "on top"]) == 1
        assert "JOURNAL NOT TRUSTED" in capsys.readouterr().err
    finally:
        process.terminate()
        process.wait(timeout=30)


async def test_a_war_room_outlives_a_restart_of_the_service(service: Service) -> None:
    clock = FixedClock(at(1))
    journal = LockedJournal(LockedClient(service.socket), service.run_id)
    follower = WarRoomApp(
        LockedRun(journal, "boss", now=clock.now, read_only=True), clock, poll_seconds=0.05
    )
    async with follower.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: follower.source._version is not None)  # it has polled
        service.process.kill()  # SIGKILL: what a crash or `systemctl kill` does
        service.process.wait(timeout=30)
        # Polls meet a dead socket (and forget the head they knew): the screen stays up.
        await settle(pilot, lambda: follower.source._version is None)
        assert follower.source.conductor_status() == "SERVICE UNREACHABLE: retrying"
        follower.action_start("s1")  # read-only all the same, and said so
        service.process = _serve(service.runs, service.socket, service.config)
        writer = LockedJournal(LockedClient(service.socket), service.run_id)
        writer.append(NoteAdded(actor="boss", at=at(1), text="back", key="back-1"))
        everything = len(writer.events())
        await settle(pilot, lambda: follower.state.event_count == everything)
        assert follower.state.event_count == everything  # caught up, "back-1" included
        assert follower.source.conductor_status().startswith("service, ")


def test_cutover_run_plan_starts_or_joins_through_the_service(
    service: Service, tmp_path: Path
) -> None:
    from cutover_tui.cli.warroom_commands import _journal_for

    plan = tmp_path / "other.toml"
    plan.write_text(plan_text(steps=2).replace('id = "jt"', 'id = "other"'))
    args = argparse.Namespace(target=str(plan), rehearsal=True, runs=None, journal=None)
    started = _journal_for(args)
    assert isinstance(started, LockedJournal)
    joined = _journal_for(args)
    assert isinstance(joined, LockedJournal) and joined.run_id == started.run_id
    assert (service.runs / f"{started.run_id}.db").stat().st_mode & 0o777 == 0o640


def test_verify_through_the_service_for_those_who_cannot_open_the_file(service: Service) -> None:
    def verify(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cutover_tui.cli", "verify", service.run_id, *extra],
            env={**os.environ, "CUTOVER_CONFIG": str(service.config)},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )

    checked = verify()
    assert checked.returncode == 0, checked.stderr
    assert "chain intact" in checked.stdout
    head = Journal(service.runs / f"{service.run_id}.db").head
    assert f"head {head[1]}" in checked.stdout
    wrong = verify("--expect", f"{head[0]}:{'0' * 16}")
    assert wrong.returncode == 1


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    line=st.binary(max_size=200)
    | st.builds(
        lambda op, run, extra: json.dumps({"op": op, "run": run, **extra}).encode(),
        st.sampled_from(
            [
                "whoami",
                "runs",
                "open",
                "head",
                "events",
                "append",
                "start",
                "conductor",
                "verify",
                "nope",
            ]
        ),
        st.text(max_size=20) | st.integers() | st.none(),
        st.dictionaries(
            st.sampled_from(["after", "wait", "event", "plan_text", "expect", "hash"]),
            st.text(max_size=30) | st.integers() | st.floats() | st.none(),
            max_size=3,
        ),
    )
)
def test_any_request_gets_one_reply_object(tmp_path: Path, line: bytes) -> None:
    from cutover_tui.locked.server import Caller, Service

    runs = tmp_path / "runs"
    runs.mkdir(exist_ok=True)
    service = Service(runs, log=lambda _: None)
    caller = Caller(os.getpid(), os.getuid(), os.getgid(), "someone")
    reply = asyncio.run(service.reply(caller, line))
    assert isinstance(reply, dict) and reply["ok"] in (True, False)
    if not reply["ok"]:
        assert "\n" not in reply["error"] and "internal error" not in reply["error"]

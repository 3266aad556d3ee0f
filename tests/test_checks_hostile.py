"""A hostile or careless user against checks: what they try, and that it does not work.

Real commands, real SQLite files, a real loopback server; waits on conditions, never sleeps.
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from cutover_tui.clock.conductor import Conductor
from cutover_tui.clock.network_checks import run_http, run_tcp
from cutover_tui.clock.probing import run_command
from cutover_tui.clocks import FixedClock
from cutover_tui.engine.events import CONDUCTOR, RunStarted, StepStarted
from cutover_tui.journal.store import Journal
from cutover_tui.plan import parse_plan
from cutover_tui.plan.probes import HttpCheck, TcpCheck
from tests.checks_support import checks_plan, new_checks_run, py_check, start
from tests.journal_support import at
from tests.waiting import until


def _alive(pid: int) -> bool:
    try:  # a zombie counts as dead
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _escaper(pidfile: Path, then: str) -> str:
    """A command whose grandchild leaves the process group (setsid) and pauses for good, holding
    nothing; the command then does `then`."""
    return (
        "import os, signal\n"
        "told, tell = os.pipe()\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        f"        open({str(pidfile)!r} + '.tmp', 'w').write(str(os.getpid()))\n"
        f"        os.rename({str(pidfile)!r} + '.tmp', {str(pidfile)!r})\n"
        "        os.write(tell, b'1')  # its pid is on disk: the command may go on\n"
        "        signal.pause()\n"
        "    os._exit(0)\n"
        "os.wait()\n"
        "os.read(told, 1)\n" + then
    )


def _check(code: str, extra: str = ""):
    plan = parse_plan(checks_plan({"c": py_check(code, extra)}), name="p.toml")
    return plan.plan.step_by_id["c"].check


def test_a_grandchild_that_made_its_own_session_dies_when_the_check_ends(tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild"
    outcome = run_command(_check(_escaper(pidfile, "print('rows=5')\n"), 'expect = "rows == 5"'))
    assert outcome.ok, outcome.summary
    grandchild = int(pidfile.read_text())
    until(lambda: not _alive(grandchild), "the setsid grandchild is killed", timeout=20)


def test_a_grandchild_that_made_its_own_session_dies_at_the_timeout(tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild"
    code = _escaper(pidfile, "signal.pause()\n")
    outcome = run_command(_check(code, 'timeout = "3s"'))
    assert not outcome.ok and "timed out" in outcome.summary
    grandchild = int(pidfile.read_text())
    until(lambda: not _alive(grandchild), "the setsid grandchild is killed", timeout=20)


def test_a_program_that_does_not_exist_fails_the_check_saying_so(tmp_path: Path) -> None:
    check = (
        parse_plan(
            checks_plan({"c": 'type = "command"\nargv = ["/nonexistent/prog"]'}), name="p.toml"
        )
        .plan.step_by_id["c"]
        .check
    )
    outcome = run_command(check)
    assert not outcome.ok
    assert "cannot run '/nonexistent/prog'" in outcome.evidence


def test_a_plan_edited_in_the_run_file_after_the_start_runs_nothing(tmp_path: Path) -> None:
    """A group member drops the trigger on `meta` and swaps the check's command in the
    stored plan: the next conductor (the commander's war room) must not run it."""
    marker = tmp_path / "ran"
    plan = checks_plan({"count": py_check("print('rows=1')")})
    journal = new_checks_run(tmp_path, plan)
    db = sqlite3.connect(journal.path)
    db.execute("DROP TRIGGER meta_no_update")
    edited = plan.replace("print('rows=1')", f"open({str(marker)!r}, 'w').write('x')")
    db.execute("UPDATE meta SET value = ? WHERE key = 'plan_text'", (edited,))
    db.commit()
    db.close()
    start(Journal(journal.path), "count")
    conductor = Conductor(Journal(journal.path), FixedClock(at(2)), holder="A")
    assert conductor.tick() == []
    assert not marker.exists()
    assert "not the plan it was started with" in (conductor.checks_refused or "")
    assert Journal(journal.path).state().status["count"].status == "running"


def test_a_sealed_plan_still_runs_its_check(tmp_path: Path) -> None:
    journal = new_checks_run(tmp_path, checks_plan({"count": py_check("print('rows=1')")}))
    start(journal, "count")
    conductor = Conductor(Journal(journal.path), FixedClock(at(2)), holder="A")
    assert [e.type for e in conductor.tick()] == ["checkpoint-passed"]
    assert conductor.checks_refused is None


def test_a_server_that_trickles_its_headers_is_cut_off_at_the_timeout() -> None:
    """Slowloris in reverse: the status line, then a header a byte at a time, each byte well
    within the socket timeout. The check's timeout bounds the whole request."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            with contextlib.suppress(OSError):
                while not stop.wait(0.2):  # the pace of a hostile server, not of the test
                    conn.sendall(b"a")

    threading.Thread(target=trickle, daemon=True).start()
    port = server.getsockname()[1]
    check = HttpCheck(type="http", url=f"http://127.0.0.1:{port}/", timeout="2s")
    done: list = []
    threading.Thread(target=lambda: done.append(run_http(check)), daemon=True).start()
    try:
        until(lambda: done, "the check gives up on a trickling server", timeout=30)
    finally:
        stop.set()
        server.close()
    assert not done[0].ok and "timed out" in done[0].summary, done[0].summary


def test_a_person_keyed_conductor_is_refused_with_file_line_and_key(tmp_path: Path) -> None:
    """Else that person's login acts as `conductor`: a check's pass, a trigger fired."""
    text = checks_plan({"count": py_check("print(1)")})
    text = text.replace("[people.op]", f"[people.{CONDUCTOR}]")
    text = text.replace('owner = "op"', f'owner = "{CONDUCTOR}"')
    path = tmp_path / "p.toml"
    path.write_text(text)
    result = subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", "validate", str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    line = text.splitlines().index("[people.conductor]") + 1
    assert f"p.toml:{line}" in result.stdout + result.stderr, result.stdout + result.stderr
    assert "people.conductor" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_a_rehearsal_an_operator_started_runs_nothing_as_another_user(tmp_path: Path) -> None:
    """Anyone may start a rehearsal (and commands it): of a plan they wrote. The conductor
    that runs its checks (here this login, the commander's war room; on a locked host the
    service, which owns every run file) must not run them as itself."""
    marker = tmp_path / "ran"
    text = checks_plan({"count": py_check(f"open({str(marker)!r}, 'w').write('x')")})
    loaded = parse_plan(text, name="ck.toml")
    journal = Journal.create(tmp_path, loaded, rehearsal=True, created_by="someone-else")
    journal.append(RunStarted(actor="op", at=at(0), plan_id="ck", mode="rehearsal", key="go"))
    journal.append(StepStarted(actor="op", at=at(1), step="count", key="s"))
    conductor = Conductor(Journal(journal.path), FixedClock(at(2)), holder="A")
    assert conductor.tick() == []
    assert not marker.exists()
    assert "someone-else" in (conductor.checks_refused or "")
    assert Journal(journal.path).state().status["count"].status == "running"


def test_a_broken_check_key_is_located_on_its_own_line(tmp_path: Path) -> None:
    """`timeout = "forever"` in a [step.check] (and a probe's `url`): the file, the key's own
    line and the key, without the type tag pydantic puts in the location."""
    text = checks_plan(
        {"c": 'type = "command"\nargv = ["true"]\ntimeout = "forever"'},
        probes='[[probe]]\nid = "shop"\n[probe.check]\ntype = "http"\nurl = "file:///etc/passwd"\n',
    )
    path = tmp_path / "p.toml"
    path.write_text(text)
    lines = text.splitlines()
    result = subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", "validate", str(path)],
        capture_output=True,
        text=True,
    )
    said = result.stdout + result.stderr
    assert result.returncode != 0 and "Traceback" not in said
    timeout_line = lines.index('timeout = "forever"') + 1
    url_line = lines.index('url = "file:///etc/passwd"') + 1
    assert f"p.toml:{timeout_line}: step[1].check.timeout: 'forever' is not a duration" in said
    assert f"p.toml:{url_line}: probe[0].check.url:" in said, said


def test_a_check_runs_in_the_root_not_where_the_conductor_was_started(
    tmp_path: Path, monkeypatch
) -> None:
    """A war room started in /tmp (or any shared directory) must not make a check run there,
    where anyone may have left files the check reads or runs."""
    monkeypatch.chdir(tmp_path)
    outcome = run_command(_check("import os; print('cwd=' + os.getcwd())"))
    assert outcome.ok and "cwd=/\n" in outcome.output + "\n", outcome.output


def test_a_relative_program_path_is_refused_by_the_plan(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(checks_plan({"c": 'type = "command"\nargv = ["./count.sh"]'}))
    result = subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", "validate", str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "step[1].check: argv[0] './count.sh' is a relative path" in result.stdout + result.stderr


@pytest.mark.parametrize("kind", ["http", "tcp"])
def test_a_name_whose_lookup_hangs_fails_the_check_at_its_timeout(kind: str, monkeypatch) -> None:
    """getaddrinfo has no timeout: a resolver that never answers (here, a lookup that waits
    on an event nobody sets) must not keep a probe running for ever, never red."""
    never = threading.Event()

    def hung(*args, **kwargs):
        never.wait(120)
        raise socket.gaierror("gave up")

    monkeypatch.setattr(socket, "getaddrinfo", hung)
    if kind == "http":
        check = HttpCheck(type="http", url="http://shop.invalid/", timeout="2s")
        runner = run_http
    else:
        check = TcpCheck(type="tcp", host="shop.invalid", port=80, timeout="2s")
        runner = run_tcp
    done: list = []
    threading.Thread(target=lambda: done.append(runner(check)), daemon=True).start()
    try:
        until(lambda: done, "the check gives up on a hung lookup", timeout=30)
    finally:
        never.set()
    assert not done[0].ok and "timed out" in done[0].summary, done[0].summary


@pytest.mark.parametrize("name", ["SIGKILL", "SIGSEGV", "SIGTERM"])
def test_a_command_killed_by_a_signal_fails_even_when_it_expects_exit_1(name: str) -> None:
    """User pass (2026-12-02): a check `kill -9 $$` expecting exit 1 (a `grep -q ERROR` the
    OOM killer ends, say) passed as "exit 1": the reaper could not set SIGKILL's handler to
    re-raise it, and exited 1 instead of dying of it."""
    code = f"import os, signal; os.kill(os.getpid(), signal.{name})"
    outcome = run_command(_check(code, "exit_code = 1"))
    assert not outcome.ok
    assert outcome.summary.startswith(f"killed by {name} (")
    assert outcome.summary.endswith(", expected exit 1")

"""While this user's command server listens, every `cutover do` goes to it first, even one
the fast paths could take (cli/do_server_client.serve_first): a served command costs what a
fast one does, and a fast path that declines (stale facts) costs its imports and then the
server's turn anyway (issue 14). Real processes, sockets and run files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cutover_tui.cli.do_route import fast_may_take
from cutover_tui.cli.do_server import REQUEST_ENV, request_timeout
from cutover_tui.journal import do_facts
from tests.do_server_support import (
    cutover,
    cutover_env,
    python_as,
    served_login,
    served_run,
    server_pid,
    servers_stopped,
    started_server,
    until,
)


def served_cpu(path: Path) -> int:
    """How many commands the server's children ran (the client writes one line each)."""
    return len(path.read_text().split()) if path.exists() else 0


def facts_at_head(run_file: Path, state: Path) -> bool:
    """This user's facts of the run hold the engine's moves at the journal's head: the fast
    paths would take a plain note or a ready step's start."""
    db = sqlite3.connect(run_file)
    try:
        (head,) = db.execute("SELECT MAX(seq) FROM events").fetchone()
    finally:
        db.close()
    # The served user's own file (recall reads only the caller's: the tests may run as root).
    kept = state / do_facts.FOLDER / do_facts.file_name(run_file.stem, run_file.resolve())
    raw = kept.read_bytes() if kept.exists() else None
    facts = do_facts._parse(raw, run_file.stem, str(run_file.resolve()), served_login())
    return facts is not None and facts.seq == head and facts.moves is not None


def test_a_listening_server_takes_what_the_fast_paths_could(
    tmp_path: Path,
) -> None:
    run_id, a, _b = served_run(tmp_path)
    state, report = tmp_path / "state", tmp_path / "cpu"
    env = cutover_env(
        state, True, CUTOVER_DO_SERVER_CPU_FILE=str(report), CUTOVER_FACTS_REFRESH="1"
    )
    (run_file,) = a.glob("*.db")
    with servers_stopped(state):
        first = ["do", run_id, "note", "--note", "first", "--reason", "r", "--runs", "a"]
        started_server(state, first, env, tmp_path)
        assert served_cpu(report) == 0  # that one found no server: it ran here
        for n, action in enumerate(
            (["note", "--note", "plain"], ["start", "s0"], ["note", "s0", "--note", "more"]), 1
        ):
            # What the fast path would have taken before the server came first.
            until(lambda: facts_at_head(run_file, state), "this user's facts at the head")
            assert fast_may_take([run_id, *action])
            code, _out, err = cutover(["do", run_id, *action, "--runs", "a"], env, tmp_path)
            assert code == 0, err
            assert served_cpu(report) == n, f"{action} was not served"


def test_the_servers_wait_for_a_request_is_the_suites_in_the_suite(
    tmp_path: Path, monkeypatch
) -> None:
    """The test above flaked on a busy machine ("was not served"): a client off the CPU for a
    second between the server's READY and its request was dropped by the server's 1 s wait
    and ran its command itself. The suite's wait (CUTOVER_DO_SERVER_REQUEST_S, set by
    cutover_env as CUTOVER_DO_SERVER_ACCEPT_S is) reaches the server process, which reads it
    at its start (request_timeout); the product's own stays 1 s. Nothing waits for time."""
    for given, wait in ((None, 1.0), ("30", 30.0), ("0.01", 1.0), ("500", 1.0), ("x", 1.0)):
        if given is None:
            monkeypatch.delenv(REQUEST_ENV, raising=False)
        else:
            monkeypatch.setenv(REQUEST_ENV, given)
        assert request_timeout() == wait, given
    run_id, a, _b = served_run(tmp_path)
    state = tmp_path / "state"
    env = cutover_env(state, True, CUTOVER_RUNS=str(a))
    with servers_stopped(state):
        first = ["do", run_id, "note", "--note", "x", "--reason", "r"]
        server = started_server(state, first, env, tmp_path)
        environ = Path(f"/proc/{server}/environ").read_bytes().split(b"\0")
        assert f"{REQUEST_ENV}=30".encode() in environ, "the suite's wait never reached it"


def test_a_fast_command_with_no_server_starts_one(tmp_path: Path) -> None:
    """The next command may be one the fast paths cannot take (someone's move made the
    facts stale): the fast one that found no server leaves one starting, as the full path
    does."""
    run_id, a, _b = served_run(tmp_path)
    state, report = tmp_path / "state", tmp_path / "cpu"
    off = cutover_env(state, False, CUTOVER_FACTS_REFRESH="1")
    on = off | {"CUTOVER_DO_SERVER": "1", "CUTOVER_DO_SERVER_CPU_FILE": str(report)}
    (run_file,) = a.glob("*.db")
    with servers_stopped(state):
        first = ["do", run_id, "note", "--note", "first", "--reason", "r", "--runs", "a"]
        assert cutover(first, off, tmp_path)[0] == 0  # the full path, no server started
        until(lambda: facts_at_head(run_file, state), "this user's facts at the head")
        assert server_pid(state) is None
        code, _out, err = cutover(
            ["do", run_id, "note", "--note", "n", "--runs", "a"], on, tmp_path
        )
        assert code == 0, err
        assert served_cpu(report) == 0  # no server listened: the fast path took it
        until(lambda: server_pid(state), "a server started by the fast command")


def test_with_the_server_off_the_client_is_not_even_imported(tmp_path: Path) -> None:
    """CUTOVER_DO_SERVER=0 (and root): the fast path's start pays nothing for the server."""
    run_id, a, _b = served_run(tmp_path)
    env = cutover_env(tmp_path / "state", False, CUTOVER_RUNS=str(a))
    probe = (
        "import sys\nfrom cutover_tui.cli import main\ncode = main(sys.argv[1:])\n"
        "print(sorted(m for m in sys.modules if m.startswith('cutover_tui.cli.do_server_')))\n"
        "raise SystemExit(code)\n"
    )
    done = python_as(["-c", probe, "do", run_id, "note", "--note", "x"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "['cutover_tui.cli.do_server_switch']"

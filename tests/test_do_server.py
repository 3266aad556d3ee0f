"""`cutover do`'s command server (cli/do_server.py) with real processes, run files and
sockets: a served command answers and records as one run here does, and the server lets
nothing else in, leaves nothing behind and loses no command it accepted."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

from cutover_tui.cli import do_server_place as place
from cutover_tui.journal.store import Journal
from tests.do_server_support import (
    as_user,
    children_of,
    cutover,
    cutover_env,
    give_to_served,
    hand_client,
    python_as,
    served_login,
    served_run,
    server_pid,
    servers_of,
    servers_stopped,
    sockets,
    started_server,
    stop,
    until,
    wait_gone,
)

HHMM = re.compile(r"\b\d\d:\d\d\b")
ROWS = "SELECT seq, key, type, actor, body FROM events ORDER BY seq"
MOMENTS = ("at", "recorded_at", "mono")  # the clock's, never equal in two processes
ACTIONS = [  # a spread: full-path words, step moves, refusals, argparse's errors, --help
    ["note", "--note", "hello", "--reason", "why"],
    ["estimate", "s1", "--duration", "25m"],
    ["start", "s0"],
    ["complete", "s0"],
    ["complete", "s0"],  # refused: closed already
    ["start", "no-such-step"],  # refused: unknown step
    ["frobnicate"],  # argparse: exit 2
    ["note", "--note", "x", "--kind", "gossip"],  # argparse: exit 2
    ["--help"],
    ["note", "--note", "caf\u00e9 \u2713", "--reason", "unicode"],
]


def stored(folder: Path) -> list[tuple]:
    """The events as stored, the clock's moments (and the hashes made of them) aside."""
    (path,) = folder.glob("*.db")
    db = sqlite3.connect(path)
    try:
        out = []
        for seq, key, kind, actor, body in db.execute(ROWS):
            fields = json.loads(body)
            for name in MOMENTS:
                if name in fields:
                    fields[name] = "<moment>"
            out.append((seq, key, kind, actor, json.dumps(fields)))
        return out
    finally:
        db.close()


def clock_aside(answer: tuple[int, str, str]) -> tuple[int, str, str]:
    """An answer with its clock times (a refusal's "at 07:18") masked: the two commands
    compared run moments apart and may straddle a minute (a failure seen at 07:18-07:19)."""
    code, out, err = answer
    return code, HHMM.sub("HH:MM", out), HHMM.sub("HH:MM", err)


def served_cpu(path: Path) -> list[float]:
    return [float(line) for line in path.read_text().split()] if path.exists() else []


def test_a_served_command_answers_and_records_as_one_run_here(tmp_path: Path) -> None:
    run_id, a, b = served_run(tmp_path)
    state_a, state_b = tmp_path / "state-a", tmp_path / "state-b"
    report = tmp_path / "cpu"
    served = cutover_env(state_a, True, CUTOVER_DO_SERVER_CPU_FILE=str(report))
    here = cutover_env(state_b, False)
    with servers_stopped(state_a, state_b):
        first = ["do", run_id, "note", "--note", "first", "--reason", "r", "--key", "k0"]
        started_server(state_a, [*first, "--runs", "a"], served, tmp_path)
        assert cutover([*first, "--runs", "b"], here, tmp_path)[0] == 0
        assert served_cpu(report) == []  # the first one found no server: it ran here
        for n, action in enumerate(ACTIONS, start=1):
            key = [] if "--help" in action else ["--key", f"k{n}"]
            argv = ["do", run_id, *action, *key]
            # Relative --runs: the client's working directory, not the server's (`/`).
            got = cutover([*argv, "--runs", "a"], served, tmp_path)
            want = cutover([*argv, "--runs", "b"], here, tmp_path)
            assert clock_aside(got) == clock_aside(want), action
            assert len(served_cpu(report)) == n, f"{action} was not served"
        assert sockets(state_b) == []  # CUTOVER_DO_SERVER=0 starts none
    assert stored(a) == stored(b)
    assert len(stored(a)) == 6  # run-started, 2 notes, estimate, start, complete


def test_the_clients_environment_is_the_commands(tmp_path: Path) -> None:
    """CUTOVER_RUNS as the client has it (the server started with another), and a
    descriptor of its own as stdin."""
    run_id, a, _b = served_run(tmp_path)
    state = tmp_path / "state"
    env = cutover_env(state, True, CUTOVER_RUNS=str(tmp_path / "elsewhere"))
    (tmp_path / "elsewhere").mkdir()
    with servers_stopped(state):
        first = ["do", run_id, "note", "--note", "x", "--reason", "r", "--runs", str(a)]
        started_server(state, first, env, tmp_path)
        code, out, err = cutover(
            ["do", run_id, "start", "s0"], env | {"CUTOVER_RUNS": "a"}, tmp_path
        )
        assert (code, out, err) == (0, "#3 step-started s0 by boss\n", "")
        code, _out, err = cutover(["do", run_id, "start", "s1"], env, tmp_path)
        assert code == 1 and "no run" in err.lower() and "elsewhere" in err


def test_a_served_child_takes_the_clients_tz_umask_and_streams(tmp_path: Path) -> None:
    """The child's set-up (cli/do_server_child.py) in a real fork: what a fresh process of
    that environment would have."""
    from cutover_tui.cli.do_server_child import fresh_process

    read, write = os.pipe()
    request = {
        "env": {"TZ": "Asia/Tokyo", "LANG": "C.UTF-8"},
        "umask": 0o027,
        "sys_argv": ["cutover", "do"],
        "orig_argv": ["python", "-m", "cutover_tui.cli", "do"],
        "streams": [
            {"encoding": "utf-8", "errors": "strict", "line_buffering": False},
            {"encoding": "ascii", "errors": "backslashreplace", "line_buffering": True},
            {"encoding": "utf-8", "errors": "backslashreplace", "line_buffering": True},
        ],
    }
    pid = os.fork()
    if pid == 0:
        try:
            import time

            fresh_process(request)
            mask = os.umask(0)
            said = [time.localtime().tm_gmtoff, mask, sys.stdout.encoding, sys.stdout.errors]
            said += [sys.stdout.line_buffering, sys.argv, os.environ.get("TZ")]
            os.write(write, json.dumps(said).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read, "rb") as got:
        said = json.loads(got.read())
    assert said == [
        9 * 3600,
        0o027,
        "ascii",
        "backslashreplace",
        True,
        ["cutover", "do"],
        "Asia/Tokyo",
    ]


def test_the_client_loads_no_pydantic(tmp_path: Path) -> None:
    """Nor SQLite, datetime or OpenSSL's hashlib (the fast paths' and the state folder's
    imports once were): a served client stays close to a bare Python's start."""
    run_id, a, _b = served_run(tmp_path)
    state = tmp_path / "state"
    env = cutover_env(state, True, CUTOVER_RUNS=str(a))
    unwanted = ("pydantic", "cutover_tui.engine.events", "cutover_tui.engine.state")
    unwanted += ("sqlite3", "datetime", "_hashlib", "cutover_tui.cli.do_fast")
    probe = (
        "import sys\nfrom cutover_tui.cli import main\ncode = main(sys.argv[1:])\n"
        f"bad = [m for m in {unwanted!r} if m in sys.modules]\n"
        "print('LOADED', bad, file=sys.stderr)\nraise SystemExit(code)\n"
    )
    # A full-path command, and a plain note a fast path could take (the server comes first).
    commands = (["estimate", "s1", "--duration", "5m", "--reason", "r"], ["note", "--note", "y"])
    with servers_stopped(state):
        started_server(state, ["do", run_id, "note", "--note", "x", "--reason", "r"], env, tmp_path)
        for command in commands:
            done = python_as(["-c", probe, "do", run_id, *command], env, tmp_path)
            assert done.returncode == 0, done.stderr
            assert done.stderr == "LOADED []\n", command


def test_an_idle_server_exits(tmp_path: Path) -> None:
    run_id, a, _b = served_run(tmp_path)
    state = tmp_path / "state"
    env = cutover_env(state, True, CUTOVER_RUNS=str(a), CUTOVER_DO_SERVER_IDLE="0.5")
    with servers_stopped(state):
        server = started_server(
            state, ["do", run_id, "note", "--note", "x", "--reason", "r"], env, tmp_path
        )
        wait_gone(server)
        assert sockets(state) == []


def test_sigterm_stops_a_server_and_unbinds_it(tmp_path: Path) -> None:
    run_id, a, _b = served_run(tmp_path)
    state = tmp_path / "state"
    env = cutover_env(state, True, CUTOVER_RUNS=str(a))
    with servers_stopped(state):
        server = started_server(
            state, ["do", run_id, "note", "--note", "x", "--reason", "r"], env, tmp_path
        )
        assert servers_of(state) == [server]  # what the folder tests look for
        stop(server)
        assert sockets(state) == []


def test_a_client_that_gives_up_before_the_go_runs_nothing_there(tmp_path: Path) -> None:
    """A request sent, the pid read, and the socket closed without the go: the child leaves
    and nothing is recorded."""
    run_id, a, _b = served_run(tmp_path)
    state = tmp_path / "state"
    env = cutover_env(state, True, CUTOVER_RUNS=str(a))
    (path,) = a.glob("*.db")
    with servers_stopped(state):
        server = started_server(
            state, ["do", run_id, "note", "--note", "x", "--reason", "r"], env, tmp_path
        )
        (where,) = sockets(state)
        request = {
            "argv": ["do", run_id, "note", "--note", "ghost", "--reason", "r"],
            "sys_argv": ["cutover"],
            "orig_argv": ["cutover"],
            "env": env,
            "umask": 0o022,
            "streams": [{}, {}, {}],
        }
        pid = hand_client(where, request, tmp_path, go=False)["first"]["pid"]
        wait_gone(pid)
        until(lambda: children_of(server) == [], "the child reaped")
    journal = Journal(path)
    try:
        assert [e for e in journal.events() if getattr(e, "text", None) == "ghost"] == []
    finally:
        journal.close()


def test_a_server_leaves_when_the_code_on_disk_changes(tmp_path: Path) -> None:
    """A copy of the package serves; one of its files changed, its server unbinds and exits
    (it looks every CODE_CHECK seconds), and the next command starts one of the new code."""
    copy = tmp_path / "code"
    shutil.copytree(
        Path(__file__).resolve().parents[1] / "cutover_tui",
        copy / "cutover_tui",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    run_id, a, _b = served_run(tmp_path)
    state = tmp_path / "state"
    env = cutover_env(state, True, CUTOVER_RUNS=str(a))
    with servers_stopped(state):
        argv = ["do", run_id, "note", "--note", "x", "--reason", "r"]
        first = started_server(state, argv, env, copy)  # `-m` from there: the copy runs
        assert f"{copy}" in Path(f"/proc/{first}/cmdline").read_text()
        touched = copy / "cutover_tui" / "cli" / "do_route.py"
        touched.write_text(touched.read_text() + "\n")
        wait_gone(first)
        assert sockets(state) == []
        started_server(state, argv, env, copy)


def test_a_new_server_removes_other_fingerprints_leftovers(tmp_path: Path) -> None:
    """An older code's lock and socket nobody holds go; a live server's stay."""
    run_id, a, _b = served_run(tmp_path)
    state, other_state = tmp_path / "state", tmp_path / "other"
    env = cutover_env(state, True, CUTOVER_RUNS=str(a))
    folder = state / "do-server"
    folder.mkdir(parents=True, mode=0o700)
    (folder / "0ld.lock").write_bytes(b"")
    (folder / "0ld.stuck").write_bytes(b"")  # its markers (cli/do_server_place.py) go too
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    with socket.socket(socket.AF_UNIX) as old:  # a socket file nobody listens on any more
        old.bind(place.in_folder(fd, "0ld.sock"))  # a tmp_path may pass AF_UNIX's 108 bytes
    os.close(fd)
    give_to_served(state)
    argv = ["do", run_id, "note", "--note", "x", "--reason", "r"]
    with servers_stopped(state, other_state):
        live = started_server(state, argv, env, tmp_path)
        names = sorted(p.name for p in folder.iterdir())
        assert not [n for n in names if n.startswith("0ld.")]
        assert len(names) == 2  # this server's lock and socket (its start's marker gone)
        # Another environment's server in the same folder leaves the live one alone.
        env_b = env | {"LC_CTYPE": "C.UTF-8"}
        cutover(argv, env_b, tmp_path)
        until(lambda: len(sockets(state)) == 2, "a second fingerprint's server")
        assert server_pid(state) is not None
        assert live in servers_of(state)
        for pid in servers_of(state):
            stop(pid)


REFRESH_PROBE = """
import sys
from cutover_tui.cli.do_server_refresh import refresh_by_server
from cutover_tui.cli.do_server_wire import read_line
from cutover_tui.cli.facts_refresh import refresh_env
handed = refresh_by_server(sys.argv[1], refresh_env())
if handed is None:
    print("NOT HANDED")
else:
    with handed, handed.makefile("rb") as reader:
        print("ENDED", read_line(reader)["status"])
"""


RECALL_PROBE = """
import json, sys
from pathlib import Path
from cutover_tui.journal.do_facts import recall
facts = recall(sys.argv[1], Path(sys.argv[2]), sys.argv[3])
print(json.dumps(None if facts is None else {"seq": facts.seq, "moves": facts.moves}, default=str))
"""


def test_the_facts_refresh_is_forked_from_the_server(tmp_path: Path) -> None:
    """A fast move's refresh (cli/facts_refresh.spawn) handed to the server: its child keeps
    this user's facts with the moves at the head, as the fresh process would."""
    run_id, a, _b = served_run(tmp_path)
    state = tmp_path / "state"
    env = cutover_env(state, True, CUTOVER_RUNS=str(a))
    (path,) = a.glob("*.db")
    probe = [*as_user(), sys.executable, "-c", REFRESH_PROBE, str(path.resolve())]

    def handed() -> str:
        done = subprocess.run(probe, env=env, capture_output=True, text=True, timeout=120)
        return done.stdout + done.stderr

    def recalled() -> dict | None:  # as the served user: the facts are private to it
        args = [run_id, str(path.resolve()), served_login()]
        done = subprocess.run(
            [*as_user(), sys.executable, "-c", RECALL_PROBE, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return json.loads(done.stdout)

    assert handed() == "NOT HANDED\n"  # no server: the caller starts the fresh process
    with servers_stopped(state):
        started_server(state, ["do", run_id, "note", "--note", "x", "--reason", "r"], env, tmp_path)
        before = recalled()
        assert before is not None and before["moves"] is None  # refresh off for that command
        assert handed() == "ENDED 0\n"
        after = recalled()
        assert after is not None and after["seq"] == before["seq"] and after["moves"] is not None
        assert "start" in after["moves"]

"""`cutover do`'s command server (cli/do_server.py) with real processes, run files and
sockets: a served command answers and records as one run here does, and the server lets
nothing else in, leaves nothing behind and loses no command it accepted."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from cutover_tui.cli import do_server_place as place
from cutover_tui.journal.store import Journal
from tests.do_server_support import (
    children_of,
    connect,
    cutover,
    cutover_env,
    server_pid,
    servers_stopped,
    sockets,
    stop,
    until,
    wait_gone,
    write_locked,
)
from tests.journal_support import new_run

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


def served_run(tmp_path: Path) -> tuple[str, Path, Path]:
    """One run, copied into a/ (served) and b/ (not served): its id and the two folders."""
    journal = new_run(tmp_path / "base", steps=4)
    run_id, path = journal.run_id, journal.path
    journal.close()
    for side in ("a", "b"):
        (tmp_path / side).mkdir()
        shutil.copy(path, tmp_path / side / path.name)
    return run_id, tmp_path / "a", tmp_path / "b"


def started_server(state: Path, argv: list[str], env: dict[str, str], cwd: Path) -> int:
    """Run a command that finds no server (so starts one) and wait until one listens."""
    code, _out, err = cutover(argv, env, cwd)
    assert code == 0, err
    return until(lambda: server_pid(state), "a server listening")


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
            assert got == want, action
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
    run_id, a, _b = served_run(tmp_path)
    state = tmp_path / "state"
    env = cutover_env(state, True, CUTOVER_RUNS=str(a))
    probe = (
        "import sys\nfrom cutover_tui.cli import main\ncode = main(sys.argv[1:])\n"
        "bad = [m for m in ('pydantic', 'cutover_tui.engine.events', 'cutover_tui.engine.state')"
        " if m in sys.modules]\nprint('LOADED', bad, file=sys.stderr)\nraise SystemExit(code)\n"
    )
    with servers_stopped(state):
        started_server(state, ["do", run_id, "note", "--note", "x", "--reason", "r"], env, tmp_path)
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                probe,
                "do",
                run_id,
                "estimate",
                "s1",
                "--duration",
                "5m",
                "--reason",
                "r",
            ],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    assert done.stderr == "LOADED []\n"


def test_a_stale_socket_is_cleared_by_the_next_server(tmp_path: Path) -> None:
    run_id, a, _b = served_run(tmp_path)
    state = tmp_path / "state"
    env = cutover_env(state, True, CUTOVER_RUNS=str(a))
    with servers_stopped(state):
        first = started_server(
            state, ["do", run_id, "note", "--note", "1", "--reason", "r"], env, tmp_path
        )
        stop(first, signal.SIGKILL)  # its socket stays behind, nobody listening
        assert len(sockets(state)) == 1
        code, out, _err = cutover(["do", run_id, "start", "s0"], env, tmp_path)
        assert (code, out) == (0, "#3 step-started s0 by boss\n")
        second = until(lambda: server_pid(state), "a new server on the stale socket's name")
        assert second != first


@pytest.mark.parametrize("planted", ["symlink", "loose-mode"])
def test_a_socket_folder_not_private_is_never_used(tmp_path: Path, planted: str) -> None:
    run_id, a, _b = served_run(tmp_path)
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    elsewhere = tmp_path / "theirs"
    elsewhere.mkdir(mode=0o700)
    if planted == "symlink":
        (state / "do-server").symlink_to(elsewhere)
    else:
        (state / "do-server").mkdir()
        (state / "do-server").chmod(0o755)
    env = cutover_env(state, True, CUTOVER_RUNS=str(a))
    with servers_stopped(state):
        for n in range(2):  # the second would be served if the first had started a server
            argv = ["do", run_id, "note", "--note", f"n{n}", "--reason", "r"]
            code, _out, err = cutover(argv, env, tmp_path)
            assert (code, err) == (0, ""), err
        # No server is started for it (nor would one use it); no socket or lock anywhere.
        assert list(elsewhere.iterdir()) == []
        assert [p.name for p in (state / "do-server").iterdir()] == []
        assert servers_of(state) == []


def servers_of(state: Path) -> list[int]:
    """Command servers running with `state` as their state directory."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if not proc.name.isdigit() or proc.stat().st_uid != os.geteuid():
                continue
            command = (proc / "cmdline").read_bytes()
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"cutover_tui.cli.do_server" in command and f"CUTOVER_STATE={state}".encode() in environ:
            found.append(int(proc.name))
    return found


def test_a_foreign_owned_folder_is_never_used(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to give the folder away")
    run_id, a, _b = served_run(tmp_path)
    state = tmp_path / "state"
    (state / "do-server").mkdir(parents=True, mode=0o700)
    os.chown(state / "do-server", 65534, 65534)
    env = cutover_env(state, True, CUTOVER_RUNS=str(a))
    with servers_stopped(state):
        for n in range(2):
            code, _out, err = cutover(
                ["do", run_id, "note", "--note", f"n{n}", "--reason", "r"], env, tmp_path
            )
            assert (code, err) == (0, "")
        assert list((state / "do-server").iterdir()) == []


def test_a_peer_of_another_uid_is_refused(tmp_path: Path) -> None:
    """The folder and socket opened up for the test: SO_PEERCRED alone keeps `nobody` out."""
    if os.geteuid() != 0 or not shutil.which("runuser") or not Path("/usr/bin/python3").exists():
        pytest.skip("needs root, runuser and a Python other users may run")
    open_to_all = Path(tempfile.mkdtemp(prefix="cutover-doserver-"))
    try:
        open_to_all.chmod(0o711)
        run_id, a, _b = served_run(open_to_all)
        state = open_to_all / "state"
        env = cutover_env(state, True, CUTOVER_RUNS=str(a))
        with servers_stopped(state):
            started_server(
                state, ["do", run_id, "note", "--note", "x", "--reason", "r"], env, open_to_all
            )
            (path,) = sockets(state)
            for opened in (state, state / "do-server"):
                opened.chmod(0o711)
            path.chmod(0o777)
            talk = (
                "import socket,sys,json,struct,os\n"
                "s=socket.socket(socket.AF_UNIX)\ns.connect(sys.argv[1])\n"
                "body=json.dumps({'argv':['do','x'],'env':{},'umask':18}).encode()\n"
                "fd=os.open('/',os.O_RDONLY)\n"
                "try:\n"
                "    socket.send_fds(s,[struct.pack('>I',len(body))+body],[fd,0,1,2])\n"
                "    print('ANSWER', repr(s.recv(100)))\n"
                "except (BrokenPipeError, ConnectionResetError):\n"
                "    print('ANSWER', repr(b''))\n"
            )
            done = subprocess.run(
                ["runuser", "-u", "nobody", "--", "/usr/bin/python3", "-I", "-c", talk, str(path)],
                capture_output=True,
                text=True,
                timeout=60,
                cwd="/",
                check=False,
            )
            assert done.stdout == "ANSWER b''\n", done.stderr  # closed without a pid
            assert children_of(server_pid(state)) == []
    finally:
        shutil.rmtree(open_to_all)


def locked_run(tmp_path: Path) -> tuple[str, Path, dict[str, str], int]:
    """A run with a server of its state directory listening: the run's id, its file, the
    environment of a served command, and the server's pid."""
    run_id, a, _b = served_run(tmp_path)
    env = cutover_env(tmp_path / "state", True, CUTOVER_RUNS=str(a))
    argv = ["do", run_id, "note", "--note", "first", "--reason", "r"]
    server = started_server(tmp_path / "state", argv, env, tmp_path)
    (path,) = a.glob("*.db")
    return run_id, path, env, server


def served_note(run_id: str, text: str, env: dict[str, str], cwd: Path) -> subprocess.Popen:
    argv = ["do", run_id, "note", "--note", text, "--reason", "r"]
    return subprocess.Popen(
        [sys.executable, "-m", "cutover_tui.cli", *argv],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def in_busy_wait(pid: int, path: Path) -> bool:
    """Process `pid` has the run file open and sleeps (SQLite's busy wait for the lock)."""
    try:
        opened = {os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()}
        call = Path(f"/proc/{pid}/syscall").read_text().split()[0]
    except OSError:
        return False
    return str(path) in opened and call in ("35", "230")  # nanosleep, clock_nanosleep


def recorded(path: Path, text: str) -> int:
    journal = Journal(path)
    try:
        return len([e for e in journal.events() if getattr(e, "text", None) == text])
    finally:
        journal.close()


def test_a_kill_of_the_client_reaches_the_served_command(tmp_path: Path) -> None:
    """SIGTERM to the client: the child dies of it mid-command, and so does the client."""
    with servers_stopped(tmp_path / "state"):
        run_id, path, env, server = locked_run(tmp_path)
        with write_locked(path):
            client = served_note(run_id, "never", env, tmp_path)
            child = until(lambda: children_of(server), "the server's child")[0]
            until(lambda: in_busy_wait(child, path), "the child waiting for the lock")
            client.send_signal(signal.SIGTERM)
            wait_gone(child)
        out, err = client.communicate(timeout=120)
    assert (client.returncode, out, err) == (-signal.SIGTERM, "", "")
    assert recorded(path, "never") == 0


def test_ctrl_c_reaches_the_served_command(tmp_path: Path) -> None:
    """SIGINT to the client while the child waits for the lock: the child is interrupted
    there (the lock is held until it has ended: SQLite gives up after its busy timeout,
    15 s), answers 130 as a `cutover do` interrupted here does, and records nothing."""
    with servers_stopped(tmp_path / "state"):
        run_id, path, env, server = locked_run(tmp_path)
        with write_locked(path):
            client = served_note(run_id, "never", env, tmp_path)
            child = until(lambda: children_of(server), "the server's child")[0]
            until(lambda: in_busy_wait(child, path), "the child waiting for the lock")
            client.send_signal(signal.SIGINT)
            wait_gone(child)
        out, err = client.communicate(timeout=120)
    assert (client.returncode, out, err) == (130, "", ""), err
    assert recorded(path, "never") == 0


def test_a_server_killed_mid_command_loses_only_the_status(tmp_path: Path) -> None:
    with servers_stopped(tmp_path / "state"):
        run_id, path, env, server = locked_run(tmp_path)
        with write_locked(path):
            client = served_note(run_id, "once", env, tmp_path)
            child = until(lambda: children_of(server), "the server's child")[0]
            until(lambda: in_busy_wait(child, path), "the child waiting for the lock")
            os.kill(server, signal.SIGKILL)
            wait_gone(server)
        out, err = client.communicate(timeout=120)  # the child appends once the lock is free
    assert client.returncode == 1
    assert out == "#3 note-added by boss\n"  # the child wrote on the client's own stdout
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"pid {child}" in err and f"cutover status {run_id}" in err
    assert recorded(path, "once") == 1


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
    from cutover_tui.cli.do_server_wire import read_line, send_request

    run_id, a, _b = served_run(tmp_path)
    state = tmp_path / "state"
    env = cutover_env(state, True, CUTOVER_RUNS=str(a))
    (path,) = a.glob("*.db")
    with servers_stopped(state):
        server = started_server(
            state, ["do", run_id, "note", "--note", "x", "--reason", "r"], env, tmp_path
        )
        (where,) = sockets(state)
        with connect(where) as sock:
            request = {
                "argv": ["do", run_id, "note", "--note", "ghost", "--reason", "r"],
                "sys_argv": ["cutover"],
                "orig_argv": ["cutover"],
                "env": env,
                "umask": 0o022,
                "streams": [{}, {}, {}],
            }
            cwd = os.open(tmp_path, os.O_RDONLY)
            send_request(sock, request, [cwd, 0, 1, 2])
            os.close(cwd)
            with sock.makefile("rb") as reader:
                pid = read_line(reader)["pid"]
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
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    with socket.socket(socket.AF_UNIX) as old:  # a socket file nobody listens on any more
        old.bind(place.in_folder(fd, "0ld.sock"))  # a tmp_path may pass AF_UNIX's 108 bytes
    os.close(fd)
    argv = ["do", run_id, "note", "--note", "x", "--reason", "r"]
    with servers_stopped(state, other_state):
        live = started_server(state, argv, env, tmp_path)
        names = sorted(p.name for p in folder.iterdir())
        assert "0ld.lock" not in names and "0ld.sock" not in names
        assert len(names) == 2  # this server's lock and socket
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


def test_the_facts_refresh_is_forked_from_the_server(tmp_path: Path, monkeypatch) -> None:
    """A fast move's refresh (cli/facts_refresh.spawn) handed to the server: its child keeps
    this user's facts with the moves at the head, as the fresh process would."""
    from cutover_tui.journal import do_facts
    from cutover_tui.journal.identity import os_login

    run_id, a, _b = served_run(tmp_path)
    state = tmp_path / "state"
    env = cutover_env(state, True, CUTOVER_RUNS=str(a))
    (path,) = a.glob("*.db")
    probe = [sys.executable, "-c", REFRESH_PROBE, str(path.resolve())]

    def handed() -> str:
        done = subprocess.run(probe, env=env, capture_output=True, text=True, timeout=120)
        return done.stdout + done.stderr

    assert handed() == "NOT HANDED\n"  # no server: the caller starts the fresh process
    with servers_stopped(state):
        started_server(state, ["do", run_id, "note", "--note", "x", "--reason", "r"], env, tmp_path)
        monkeypatch.setenv("CUTOVER_STATE", str(state))
        before = do_facts.recall(run_id, path.resolve(), os_login())
        assert before is not None and before.moves is None  # refresh off for that command
        assert handed() == "ENDED 0\n"
        after = do_facts.recall(run_id, path.resolve(), os_login())
        assert after is not None and after.seq == before.seq and after.moves is not None
        assert "start" in after.moves

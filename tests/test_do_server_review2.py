"""The second hostile review of the command server (2026-12-02), each finding with the test
that failed before its fix: signals ignored from the start stay ignored, the go is waited
for whatever the shared blocking flag, a silent peer does not make the server look stuck,
a closed stdout ends a served command as it ends a fresh one, and `RUN -- --` is one line."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

from cutover_tui.cli import do_server_place as place
from cutover_tui.cli.do_server_child import wait_for_go
from tests.do_server_support import (
    as_user,
    closed_stdout,
    cutover,
    cutover_env,
    recorded,
    served_run,
    servers_of,
    servers_stopped,
    started_server,
    stop,
    waiting_note,
)


def test_signals_ignored_from_the_start_stay_ignored(tmp_path: Path) -> None:
    """`nohup cutover do ... &`: SIGHUP and SIGINT ignored; the command lives through both,
    sent to the client and to the child, and records once (it died of them, unrecorded)."""
    ignored = (signal.SIGHUP, signal.SIGINT)
    with servers_stopped(tmp_path / "state"):
        with waiting_note(tmp_path, "through", ignored) as w:
            for pid in (w.client.pid, w.child):
                for sig in ignored:
                    os.kill(pid, sig)
        out, err = w.client.communicate(timeout=120)
    assert (w.client.returncode, out, err) == (0, "#3 note-added by boss\n", "")
    assert recorded(w.path, "through") == 1


def test_the_go_is_waited_for_on_a_non_blocking_descriptor() -> None:
    """The child's socket shares its blocking flag with the server, which may set
    O_NONBLOCK while the child waits: the wait polls (a recv raised EAGAIN, taken for the
    client's leaving, and a command whose go was sent never ran)."""
    ours, theirs = socket.socketpair()
    with ours, theirs:
        ours.setblocking(False)
        got: list[bytes] = []
        waiting = threading.Thread(target=lambda: got.append(wait_for_go(ours.fileno())))
        waiting.start()
        theirs.sendall(b"G")
        waiting.join(timeout=60)
        assert got == [b"G"]
        theirs.close()
        assert wait_for_go(ours.fileno()) == b""  # the client gone: no go


SILENT = """
import os, socket, sys
folder = os.open(os.path.dirname(sys.argv[1]), os.O_RDONLY | os.O_DIRECTORY)
sock = socket.socket(socket.AF_UNIX)
sock.connect(f"/proc/self/fd/{folder}/{os.path.basename(sys.argv[1])}")
assert sock.recv(1) == b"R"
print("ready", flush=True)
sys.stdin.read()
"""


def test_a_silent_peer_does_not_make_the_server_look_stuck(tmp_path: Path) -> None:
    """A connection that never sends its request holds the one-at-a-time accept for at
    most REQUEST_TIMEOUT, well inside the next client's ACCEPT_TIMEOUT: it is served."""
    run_id, a, _b = served_run(tmp_path)
    state, report = tmp_path / "state", tmp_path / "cpu"
    env = cutover_env(state, True, CUTOVER_RUNS=str(a), CUTOVER_DO_SERVER_CPU_FILE=str(report))
    env["CUTOVER_DO_SERVER_REQUEST_S"] = "1"  # the product's own wait, not the suite's
    with servers_stopped(state):
        started_server(state, ["do", run_id, "note", "--note", "0", "--reason", "r"], env, tmp_path)
        (sock_path,) = (state / place.FOLDER).glob("*.sock")
        # A peer the server accepts (the served user: root is refused at once), silent
        # until its stdin closes.
        silent = subprocess.Popen(
            [*as_user(), sys.executable, "-c", SILENT, str(sock_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert silent.stdout.readline() == "ready\n"  # it read the server's READY
            code, out, err = cutover(
                ["do", run_id, "note", "--note", "1", "--reason", "r"], env, tmp_path
            )
        finally:
            silent.stdin.close()
            silent.wait(timeout=60)
        assert (code, out) == (0, "#3 note-added by boss\n"), err
        assert report.read_text().split() and not list(sock_path.parent.glob("*.stuck"))


def test_a_closed_stdout_ends_a_served_command_as_a_fresh_one(tmp_path: Path) -> None:
    run_id, a, _b = served_run(tmp_path)
    state, report = tmp_path / "state", tmp_path / "cpu"
    # No PYTHONUNBUFFERED (so the line is buffered), for the server's start too: it is part
    # of the server's name, and a command without it would start a server of its own.
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    served = cutover_env(state, True, CUTOVER_RUNS=str(a), CUTOVER_DO_SERVER_CPU_FILE=str(report))
    served = {k: v for k, v in served.items() if k in buffered or k.startswith("CUTOVER_")}
    fresh = served | {"CUTOVER_DO_SERVER": "0"}
    try:
        started_server(
            state, ["do", run_id, "note", "--note", "0", "--reason", "r"], served, tmp_path
        )
        commands = (["note", "--note", "n1", "--reason", "r"], ["note", "--help"], ["--help"])
        for n, argv in enumerate(commands, 1):
            argv = ["do", run_id, *argv]
            assert closed_stdout(argv, served, tmp_path) == closed_stdout(argv, fresh, tmp_path), (
                argv
            )
            assert len(report.read_text().split()) == n, f"{argv} was not served"
    finally:
        for pid in servers_of(state):
            stop(pid)


def test_stray_dashes_are_one_line_not_a_traceback(tmp_path: Path) -> None:
    run_id, a, _b = served_run(tmp_path)
    env = cutover_env(tmp_path / "state", False, CUTOVER_RUNS=str(a))
    for argv in (["do", run_id, "--", "--"], ["do", run_id, "start", "--", "--"]):
        code, out, err = cutover(argv, env, tmp_path)
        assert code in (1, 2) and out == "", argv
        assert err.count("\n") == 1 and "Traceback" not in err, err
    code, _out, err = cutover(["do", run_id, "--", "--"], env, tmp_path)
    assert code == 2 and "stray `--`" in err  # argparse gave the action []

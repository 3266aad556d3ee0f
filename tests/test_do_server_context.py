"""A command is served only by a server with its own process context, and a server that
does not answer costs one wait, not one per command (hostile review of 2026-12-02, after
the server came first: cli/do_server_context.py, place.STUCK / STARTING). Real processes,
sockets, run files and a real mount namespace."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import pytest

from cutover_tui.cli import do_server_place as place
from tests.do_server_support import (
    cutover,
    cutover_env,
    python_as,
    served_run,
    servers_of,
    started_server,
    stop,
)


def served_lines(path: Path) -> int:
    return len(path.read_text().split()) if path.exists() else 0


@pytest.mark.parametrize(
    ("prefix", "flags"),
    [
        (["nice", "-n", "7"], []),  # its nice value
        (["unshare", "-m"], []),  # another mount namespace (the review wrote to a copy)
        ([], ["-X", "dev"]),  # an interpreter option a fork cannot take back
        ([], ["-W", "error"]),
    ],
    ids=["nice", "mount-namespace", "dev-mode", "warnings"],
)
def test_a_command_of_another_context_is_not_served_by_this_server(
    tmp_path: Path, prefix: list[str], flags: list[str]
) -> None:
    if prefix[:1] == ["unshare"] and os.geteuid() != 0:
        pytest.skip("a mount namespace needs root here")
    run_id, a, _b = served_run(tmp_path)
    state, report = tmp_path / "state", tmp_path / "cpu"
    env = cutover_env(state, True, CUTOVER_RUNS=str(a), CUTOVER_DO_SERVER_CPU_FILE=str(report))
    first = ["do", run_id, "note", "--note", "x", "--reason", "r"]
    try:
        started_server(state, first, env, tmp_path)
        assert (
            cutover(["do", run_id, "note", "--note", "y", "--reason", "r"], env, tmp_path)[0] == 0
        )
        assert served_lines(report) == 1  # the same context is served
        argv = [
            *flags,
            "-m",
            "cutover_tui.cli",
            "do",
            run_id,
            "estimate",
            "s1",
            "--duration",
            "5m",
            "--reason",
            "r",
        ]
        done = python_as(argv, env, tmp_path, prefix=prefix)
        assert done.returncode == 0, done.stderr
        assert served_lines(report) == 1, "served by a server of another context"
    finally:
        for pid in servers_of(state):
            stop(pid)


def test_a_stopped_server_is_passed_by_after_one_wait(tmp_path: Path) -> None:
    """SIGSTOP: the first command waits ACCEPT_TIMEOUT, runs here and marks the server; the
    next goes straight to the fast paths or the full path. Each recorded once, and nothing
    twice once the server runs again."""
    run_id, a, _b = served_run(tmp_path)
    state = tmp_path / "state"
    # The product's own wait: each command below waits it out once the server is stopped.
    env = cutover_env(state, True, CUTOVER_RUNS=str(a), CUTOVER_DO_SERVER_ACCEPT_S="3")
    started = started_server(
        state, ["do", run_id, "note", "--note", "0", "--reason", "r"], env, tmp_path
    )
    folder = state / place.FOLDER
    try:
        os.kill(started, signal.SIGSTOP)
        for n in (1, 2):
            code, out, err = cutover(
                ["do", run_id, "note", "--note", f"{n}", "--reason", "r"], env, tmp_path
            )
            assert (code, out) == (0, f"#{n + 2} note-added by boss\n"), err
            (marker,) = folder.glob("*.stuck")
            assert time.time() - marker.stat().st_mtime < place.STUCK[1]
        os.kill(started, signal.SIGCONT)
        code, out, _err = cutover(
            ["do", run_id, "note", "--note", "3", "--reason", "r"], env, tmp_path
        )
        assert (code, out) == (0, "#5 note-added by boss\n")  # still passed by: nothing twice
    finally:
        os.kill(started, signal.SIGCONT)
        stop(started)


def test_a_marked_server_is_not_even_connected_to(tmp_path: Path, monkeypatch) -> None:
    """In-process: a listener at the fingerprint's name, marked stuck a moment ago, gets no
    connection; marked long ago, it does."""
    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    folder_fd = place.open_folder(create=True)
    assert folder_fd is not None
    try:
        with socket.socket(socket.AF_UNIX) as listener:
            listener.bind(place.in_folder(folder_fd, place.socket_name("fp")))
            listener.listen(4)
            listener.setblocking(False)
            place.mark("fp", place.STUCK)
            assert place.connect("fp", 1.0) == "declined"
            with pytest.raises(BlockingIOError):
                listener.accept()  # nothing was connected
            old = time.time() - place.STUCK[1] - 1
            os.utime(f"fp.{place.STUCK[0]}", (old, old), dir_fd=folder_fd)
            sock = place.connect("fp", 1.0)
            assert isinstance(sock, socket.socket)
            sock.close()
            listener.accept()[0].close()
    finally:
        os.close(folder_fd)


def test_a_burst_of_starts_makes_one(tmp_path: Path, monkeypatch) -> None:
    """In-process: the first start of a fingerprint marks it; a second within
    place.STARTING's seconds does not spawn; an old mark does not hold one back. (The
    server removes the mark once it listens: test_do_server_trust's stale socket test.)"""
    from cutover_tui.cli.do_server_client import _first_to_start

    monkeypatch.setenv("CUTOVER_STATE", str(tmp_path / "state"))
    assert _first_to_start("fp") is True
    assert _first_to_start("fp") is False
    folder_fd = place.open_folder(create=False)
    try:
        old = time.time() - place.STARTING[1] - 1
        os.utime(f"fp.{place.STARTING[0]}", (old, old), dir_fd=folder_fd)
    finally:
        os.close(folder_fd)
    assert _first_to_start("fp") is True


@pytest.mark.parametrize(
    ("given", "waited"),
    [
        *[(None, 3.0), ("60", 60.0), ("0.5", 0.5), ("0.1", 0.1), ("120", 120.0)],
        *[(v, 3.0) for v in ("0", "-1", "nan", "inf", "x", "1e-7", "0.09", "121", "3599")],
    ],
)
def test_the_clients_wait_is_three_seconds_unless_told(
    monkeypatch: pytest.MonkeyPatch, given: str | None, waited: float
) -> None:
    from cutover_tui.cli import do_server_client

    if given is None:
        monkeypatch.delenv(do_server_client.ACCEPT_ENV, raising=False)
    else:
        monkeypatch.setenv(do_server_client.ACCEPT_ENV, given)
    assert do_server_client.accept_timeout() == waited

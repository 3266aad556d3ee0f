"""The war room keeps its user's command server up (cli/do_server_keeper.py): a look starts
one when none listens, finds the one that does (one server, not two), and the operator's
next `cutover do` from another process is served by it. Real processes and sockets."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from cutover_tui.cli import do_server_keeper
from tests.do_server_support import (
    as_user,
    cutover,
    cutover_env,
    served_run,
    server_pid,
    servers_of,
    servers_stopped,
    sockets,
    until,
)

LOOK = "from cutover_tui.cli.do_server_keeper import ensure_server; print(ensure_server())"


def look(env: dict[str, str], cwd: Path) -> str:
    """One look, as the war room's keeper makes it, in a process of its own."""
    done = subprocess.run(
        [*as_user(), sys.executable, "-c", LOOK],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_look_starts_one_server_and_the_next_command_is_served(tmp_path: Path) -> None:
    run_id, a, _b = served_run(tmp_path)
    state, report = tmp_path / "state", tmp_path / "cpu"
    env = cutover_env(state, True, CUTOVER_RUNS=str(a), CUTOVER_DO_SERVER_CPU_FILE=str(report))
    with servers_stopped(state):
        assert look(env, tmp_path) == "False"  # none listened: one is started
        pid = until(lambda: server_pid(state), "a server listening")
        assert look(env, tmp_path) == "True"  # found, not a second one started
        assert servers_of(state) == [pid] and len(sockets(state)) == 1
        code, out, err = cutover(
            ["do", run_id, "note", "--note", "x", "--reason", "r"], env, tmp_path
        )
        assert (code, err) == (0, "") and out.startswith("#")
        assert report.read_text().strip(), "the command was not served"


def test_a_look_under_a_folder_not_private_starts_nothing(tmp_path: Path) -> None:
    state = tmp_path / "state"
    (state / "do-server").mkdir(parents=True, mode=0o755)  # loose: not this user's alone
    (state / "do-server").chmod(0o755)
    env = cutover_env(state, True)
    assert look(env, tmp_path) == "False"
    assert servers_of(state) == [] and sockets(state) == []


def test_the_keeper_looks_again_until_stopped(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CUTOVER_DO_SERVER", "1")
    looks: list[int] = []
    enough = threading.Event()

    def counted() -> bool:
        looks.append(1)
        if len(looks) >= 3:
            enough.set()
        return True

    monkeypatch.setattr(do_server_keeper, "ensure_server", counted)
    monkeypatch.setattr(do_server_keeper.place, "enabled", lambda: True)  # root is off
    stop = do_server_keeper.keep_serving(first=0.0, every=0.01)
    assert enough.wait(60), "the keeper did not look again"
    stop.set()
    seen = len(looks)
    keeper = [t for t in threading.enumerate() if t.name == "do-server-keeper"]
    for thread in keeper:
        thread.join(60)
    assert len(looks) <= seen + 1  # at most the look under way when it was stopped


@pytest.mark.parametrize(
    "env", [{"CUTOVER_DO_SERVER": "0"}, {"CUTOVER_DO_SERVER": "1", "PYTHONWARNINGS": "error"}]
)
def test_no_keeper_where_no_server_would_serve(monkeypatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    before = {t.ident for t in threading.enumerate()}
    do_server_keeper.keep_serving(first=0.0, every=0.01)
    started = [t for t in threading.enumerate() if t.name == "do-server-keeper"]
    assert not [t for t in started if t.ident not in before]
